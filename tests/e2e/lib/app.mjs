// Helpers that drive the Huddle UI through its accessible names (the UI contract in
// tests/e2e/README.md). Every wait is bounded and its error says what it waited for.
import { waitUntil } from './harness.mjs';

export const ROOM_URL = /\/room\/(\d{8})(?:[?#]|$)/;

/** Run `fn`; if it throws, prefix the error with what we were doing. */
export async function step(what, fn) {
  try {
    return await fn();
  } catch (e) {
    e.message = `${what}: ${e.message}`;
    throw e;
  }
}

const exact = (name) => ({ name, exact: true });

export const roomNumber = (page) => page.getByLabel('Room number', { exact: true }).and(page.locator(':not(input)'));
export const membersList = (page) => page.getByRole('list', exact('Members'));
export const memberItems = (page) => membersList(page).getByRole('listitem');
export const tile = (page, name) => page.getByRole('group', exact(name));
export const alertBox = (page) => page.getByRole('alert');

/** Create a room on /new; resolves to its 8-digit number once the room page shows it. */
export async function createRoom(page, base, { name, limit = 2, password = '', listed = false }) {
  await step('opening /new', () => page.goto(`${base}/new`));
  await step('filling "Your name" on /new', () => page.getByLabel('Your name', { exact: true }).fill(name));
  // Not exact: a <label> wrapping a <select> has the options' text in it too.
  const lim = page.getByLabel('Member limit');
  await step(`setting "Member limit" to ${limit}`, async () => {
    if ((await lim.evaluate((e) => e.tagName)) === 'SELECT') await lim.selectOption(String(limit));
    else await lim.fill(String(limit));
  });
  if (password) {
    await step('filling "Password" on /new', () => page.getByLabel('Password', { exact: true }).fill(password));
  }
  await step('setting "List this room publicly"', () =>
    page.getByLabel('List this room publicly', { exact: true }).setChecked(listed));
  await step('clicking "Create room"', () => page.getByRole('button', exact('Create room')).click());
  await step('the URL to become /room/<8 digits> after "Create room"', () =>
    page.waitForURL(ROOM_URL, { timeout: 15_000 }));
  const id = page.url().match(ROOM_URL)[1];
  await waitInRoom(page, id);
  return id;
}

const PASSWORD_REQUIRED = 'This room has a password. Enter it to join.';

/**
 * Open `url` (a /room/… address) and get past the join form if one appears: fills "Your name"
 * when asked and clicks "Join room"; when the room turns out to need a password (the field may
 * be there at once or appear after a first attempt, with "This room has a password…") and
 * `password` is given, fills it and clicks "Join room" again. With a remembered name the app
 * joins by itself; this waits for that answer before touching the form.
 * Returns { passwordAsked, form } and does not wait for the final outcome.
 */
export async function openAndSubmitJoin(page, url, { name, password } = {}) {
  await step(`opening ${url}`, () => page.goto(url));
  const joinButton = page.getByRole('button', exact('Join room'));
  const nameInput = page.getByLabel('Your name', { exact: true });
  const pw = page.getByLabel('Password', { exact: true });
  await step('the room page or its join form ("Join room" button) to appear', () =>
    roomNumber(page).or(joinButton).first().waitFor({ state: 'visible', timeout: 15_000 }));
  // The answer to the last join attempt: in the room, a password field, or an alert.
  const outcome = async () => ({
    inRoom: await roomNumber(page).isVisible(),
    password: await pw.isVisible(),
    alerts: await alertBox(page).allInnerTexts(),
  });
  const answered = (o) => o.inRoom || o.password || o.alerts.length > 0;
  if (await joinButton.isVisible() && (await nameInput.count()) > 0 && (await nameInput.inputValue()) !== '') {
    await waitUntil('the automatic join with the remembered name to be answered (room, password field or alert)',
      outcome, { ms: 10_000, ok: answered });
  }
  if (!(await joinButton.isVisible())) return { passwordAsked: false, form: false };

  let passwordAsked = false;
  for (let click = 1; ; click++) {
    if (name !== undefined && (await nameInput.count()) > 0 && (await nameInput.inputValue()) !== name) {
      await step('filling "Your name" on the join form', () => nameInput.fill(name));
    }
    let filled = false;
    if (await pw.isVisible()) {
      passwordAsked = true;
      if (password !== undefined) {
        await step('filling "Password" on the join form', () => pw.fill(password));
        filled = true;
      }
    }
    await step('clicking "Join room"', () => joinButton.click());
    if (password === undefined || filled || click === 2) return { passwordAsked, form: true };
    // A password was given but not asked for yet: see whether this attempt asks for it.
    const o = await waitUntil('an answer to "Join room" (room, password field or alert)', outcome, {
      ms: 10_000,
      ok: (v) => v.inRoom || v.password || v.alerts.some((a) => !a.includes(PASSWORD_REQUIRED)),
    });
    if (!o.password) return { passwordAsked, form: true };
  }
}

/** Join and wait until inside the room. */
export async function joinRoom(page, url, opts) {
  const r = await openAndSubmitJoin(page, url, opts);
  await waitInRoom(page, url.match(ROOM_URL)?.[1]);
  return r;
}

/** Inside the room: the "Room number" element shows the 8 digits (and no refusal replaced it). */
export async function waitInRoom(page, id, ms = 15_000) {
  await waitUntil(`the room page to show "Room number" ${id ?? '<8 digits>'} (url ${page.url()})`,
    async () => {
      const alerts = await alertBox(page).allInnerTexts().catch(() => []);
      const text = (await roomNumber(page).first().innerText({ timeout: 500 })).trim();
      return { text, alerts };
    }, { ms, ok: (v) => v && (id ? v.text === id : /^\d{8}$/.test(v.text)) });
}

/** Texts of the "Members" list items, in order. */
export async function members(page) {
  return (await memberItems(page).allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
}

/** Wait until the "Members" list is exactly `names`, in this order (each item contains its name). */
export async function waitForMembers(page, names, ms = 10_000) {
  return waitUntil(`"Members" list to be [${names.join(', ')}] on ${page.url()}`,
    () => members(page),
    { ms, ok: (items) => items.length === names.length && names.every((n, i) => items[i].includes(n)) });
}

/** Wait until an element with role="alert" contains `text` (string or RegExp); returns all alert texts. */
export async function waitForAlert(page, text, ms = 10_000) {
  const match = (s) => (text instanceof RegExp ? text.test(s) : s.includes(text));
  return waitUntil(`an alert saying ${text}`, () => alertBox(page).allInnerTexts(),
    { ms, ok: (texts) => texts.some(match) });
}

/**
 * Look at the <video> in `name`'s tile for ~1.2 s: frames arriving (requestVideoFrameCallback
 * count, currentTime advance) and the picture (drawn to a 160x120 canvas: mean and standard
 * deviation of luma, 0..255).
 */
export async function videoStats(page, name) {
  const video = tile(page, name).locator('video').first();
  return video.evaluate(async (v) => {
    let frames = 0;
    let stop = false;
    const t0 = v.currentTime;
    if (v.requestVideoFrameCallback) {
      const cb = () => { frames++; if (!stop) v.requestVideoFrameCallback(cb); };
      v.requestVideoFrameCallback(cb);
    }
    await new Promise((r) => setTimeout(r, 1200));
    stop = true;
    const out = {
      width: v.videoWidth, height: v.videoHeight, readyState: v.readyState, paused: v.paused,
      advanced: +(v.currentTime - t0).toFixed(3), frames, mean: 0, sd: 0,
    };
    if (v.videoWidth && v.videoHeight) {
      const c = document.createElement('canvas');
      c.width = 160; c.height = 120;
      const g = c.getContext('2d', { willReadFrequently: true });
      g.drawImage(v, 0, 0, c.width, c.height);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let s = 0, s2 = 0;
      const n = d.length / 4;
      for (let i = 0; i < d.length; i += 4) {
        const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
        s += y; s2 += y * y;
      }
      out.mean = +(s / n).toFixed(1);
      out.sd = +Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2)).toFixed(1);
    }
    return out;
  }, undefined, { timeout: 10_000 });
}

/** Live = frames keep arriving and the picture is neither black nor a flat colour. */
export const isLive = (s) => s.width > 0 && s.frames >= 4 && s.advanced > 0.2 &&
  s.mean > 15 && s.mean < 245 && s.sd > 12;

/** Wait until `viewer` shows live video in `name`'s tile; returns the stats. */
export async function waitForLiveVideo(viewer, name, ms = 20_000) {
  return waitUntil(`live, non-black video in the "${name}" tile on ${viewer.url()} ` +
    '(frames arriving, luma mean 15..245, sd > 12)', () => videoStats(viewer, name),
  { ms, every: 100, ok: isLive });
}

/** The page's message about the camera: an alert or the member's own tile mentioning "camera". */
export async function waitForCameraMessage(page, ownName, ms = 15_000) {
  return waitUntil(`a message mentioning the camera (in an alert or the "${ownName}" tile)`,
    async () => {
      const texts = [...await alertBox(page).allInnerTexts(),
        ...await tile(page, ownName).allInnerTexts()];
      return texts.find((s) => /camera/i.test(s));
    }, { ms });
}
