// Try-on from a video anchor: the feed's demo lipstick video → its anchor → lipstick on the fake
// camera's face (pixels move toward the shade, the skin stays), another shade, a 3 s recording
// that decodes, posting it (real upload progress) → the new video in the feed with its anchor →
// the anchor opens the same try-on. Then the hat demo: a hat appears above the eyes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { e2e, launchMember, waitUntil, E2E_DIR, RESULTS_DIR } from '../lib/harness.mjs';
import { step } from '../lib/app.mjs';

const T = { timeout: 300_000 };
const stage = (page) => page.locator('.tryon-stage');
const box = async (page, attr) => {
  const v = await stage(page).getAttribute(attr);
  return v ? v.split(',').map(Number) : null;
};

async function shot(page, name) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS_DIR, `tryon-${name}.png`), fullPage: true });
}

/** Waits until the try-on shows a tracked face, then returns its lips and face boxes. */
async function waitForFace(page) {
  await waitUntil('a face in the try-on view', () => stage(page).getAttribute('data-faces'),
    { ms: 120_000, ok: (n) => n === '1' });
  return { lips: await box(page, 'data-lips'), face: await box(page, 'data-face') };
}

/**
 * Installs the in-page probes every measurement below uses:
 * - `window.__hueShare(rgba, hue)`: the share of pixels whose hue is within 15° of `hue` and
 *   that are clearly coloured (used on the canvas and on recorded video frames);
 * - `window.__probe(region, how)`: a measurement of the "Try-on view" canvas inside `region`,
 *   a box placed relative to the tracked box the stage reports (see `region`). The box is read
 *   in the same task as the pixels, so both belong to the picture on screen: the fake camera
 *   moves, and a box read a moment earlier drifted off the cheek onto the nose's shadow.
 *   `how` is `{ mean: true }` (mean RGB) or `{ hue }` (the share near that hue).
 */
function installProbes(page) {
  return page.addInitScript(() => {
    window.__hueShare = (d, t) => {
      let hits = 0;
      for (let i = 0; i < d.length; i += 4) {
        const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
        const mx = Math.max(r, g, b); const mn = Math.min(r, g, b);
        if (mx < 30 || (mx - mn) / mx < 0.3) continue;
        const k = mx - mn;
        let h = mx === r ? ((g - b) / k) % 6 : mx === g ? (b - r) / k + 2 : (r - g) / k + 4;
        h = (h * 60 + 360) % 360;
        if (Math.min(Math.abs(h - t), 360 - Math.abs(h - t)) <= 15) hits++;
      }
      return hits / (d.length / 4);
    };
    window.__probe = ([attr, a0, b0, a1, b1], how) => {
      const v = document.querySelector('.tryon-stage')?.getAttribute(attr);
      const c = document.querySelector('canvas[aria-label="Try-on view"]');
      if (!v || !c) return null;
      const [x0, y0, x1, y1] = v.split(',').map(Number);
      const [w, h] = [x1 - x0, y1 - y0];
      const rx0 = Math.max(0, Math.round(x0 + a0 * w)); const ry0 = Math.max(0, Math.round(y0 + b0 * h));
      const rx1 = Math.min(c.width, Math.round(x0 + a1 * w)); const ry1 = Math.min(c.height, Math.round(y0 + b1 * h));
      const d = c.getContext('2d').getImageData(rx0, ry0, Math.max(1, rx1 - rx0), Math.max(1, ry1 - ry0)).data;
      if (how.hue !== undefined) return window.__hueShare(d, how.hue);
      const s = [0, 0, 0];
      for (let i = 0; i < d.length; i += 4) { s[0] += d[i]; s[1] += d[i + 1]; s[2] += d[i + 2]; }
      return s.map((x) => x / (d.length / 4));
    };
  });
}

/**
 * A region relative to the box in the stage's attribute `attr` ("data-lips" or "data-face"):
 * x from x0 + a0·w to x0 + a1·w, y from y0 + b0·h to y0 + b1·h (w, h: the box's size).
 */
const region = (attr, a0, b0, a1, b1) => [attr, a0, b0, a1, b1];
const LIPS = region('data-lips', 0, 0, 1, 1);
const CHEEK = region('data-lips', -0.9, -1.2, -0.3, -0.4);
// Just above the face mesh's top (the hairline), where the crown stands, and the mouth area.
const CROWN = region('data-face', 0.3, -0.3, 0.7, -0.08);
const MOUTH = region('data-face', 0.3, 0.7, 0.7, 0.85);
const MEAN = { mean: true };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The median of three measurements a few frames apart (per channel for RGB): the fake camera's
 * file loops every 2 s with a jump, and one sample across the jump must not decide a check.
 */
async function probe(page, where, how) {
  const samples = [];
  for (let i = 0; i < 3; i++) {
    if (i) await new Promise((r) => setTimeout(r, 120));
    samples.push(await page.evaluate(([w, h]) => window.__probe(w, h), [where, how]));
  }
  if (samples.some((s) => s === null)) throw new Error(`no ${where[0]} box to measure in`);
  return Array.isArray(samples[0]) ? [0, 1, 2].map((k) => median(samples.map((s) => s[k]))) : median(samples);
}

/** The picture with the comparison divider at 100 % ("before": no product) and then off. */
async function beforeAndAfter(page, where, how = MEAN) {
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await page.getByLabel('Before and after divider').fill('100');
  await new Promise((r) => setTimeout(r, 400));
  const before = await probe(page, where, how);
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await new Promise((r) => setTimeout(r, 400));
  const after = await probe(page, where, how);
  return { before, after };
}

const hue = ([r, g, b]) => {
  const mx = Math.max(r, g, b); const mn = Math.min(r, g, b); const d = mx - mn || 1;
  let h = mx === r ? ((g - b) / d) % 6 : mx === g ? (b - r) / d + 2 : (r - g) / d + 4;
  h *= 60; return h < 0 ? h + 360 : h;
};
const dist = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));

test('lipstick from the feed anchor, a new shade, a recording, a post with its anchor', T, e2e(async (t, rec) => {
  const m = await launchMember({ recorder: rec });
  const page = m.page;
  await installProbes(page);
  await step('opening the feed from the top bar', async () => {
    await page.goto(`${rec.url}/`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Feed' }).click();
  });
  await page.waitForURL(/\/feed$/);
  const feed = page.getByRole('region', { name: 'Videos' });
  await feed.getByRole('article').first().waitFor();
  const opened = Date.now();
  await step('tapping "AR lipstick experience"', () =>
    feed.getByRole('button', { name: 'AR lipstick experience' }).first().click());
  await page.waitForURL(/\/tryon\/lipstick-velvet\?post=demo-lipstick$/);
  const { lips, face } = await waitForFace(page);
  t.diagnostic(`anchor tap → first made-up frame: ${Date.now() - opened} ms (page says ${await stage(page).getAttribute('data-first-frame-ms')} ms); lips ${lips}, face ${face}`);
  assert.ok(lips && lips[2] - lips[0] > 20, `lips found: ${lips}`);

  // The first shade (Ruby) is on: many more pixels of the lips' box take Ruby's hue (the
  // teeth of the smile and the skin around stay as they are), and a cheek patch beside the lips
  // keeps its colour. The fake camera moves a little: the regions follow the tracked lips.
  const [rubyHue, plumHue] = [hue(hex('#b0122b')), hue(hex('#5e2750'))];
  const l1 = await beforeAndAfter(page, LIPS, { hue: rubyHue });
  const c1 = await beforeAndAfter(page, CHEEK);
  const plumUnderRuby = await probe(page, LIPS, { hue: plumHue });
  t.diagnostic(`Ruby-hued share of the lips' box ${JSON.stringify(l1)} (Plum-hued ${plumUnderRuby.toFixed(3)}); cheek ${JSON.stringify(c1)}`);
  assert.ok(l1.after > l1.before + 0.15, `lips take Ruby's hue: ${l1.before.toFixed(3)} → ${l1.after.toFixed(3)}`);
  assert.ok(dist(c1.after, c1.before) < 12, `the cheek stays: changed by ${dist(c1.after, c1.before).toFixed(1)}`);
  await shot(page, 'ruby');

  // Another shade, one tap: the lips' hue follows.
  await step('choosing "Plum"', () => page.getByRole('button', { name: 'Plum', exact: true }).click());
  await page.getByRole('button', { name: 'Gloss', exact: true }).click();
  await new Promise((r) => setTimeout(r, 800));
  const l2 = await beforeAndAfter(page, LIPS, { hue: plumHue });
  const rubyNow = await probe(page, LIPS, { hue: rubyHue });
  t.diagnostic(`Plum-hued share ${JSON.stringify(l2)}; Ruby-hued share now ${rubyNow.toFixed(3)}`);
  assert.ok(l2.after > l2.before + 0.1 && l2.after > plumUnderRuby + 0.1,
    `lips take Plum's hue: ${l2.before.toFixed(3)} bare, ${plumUnderRuby.toFixed(3)} in Ruby → ${l2.after.toFixed(3)}`);
  assert.ok(rubyNow < l1.after - 0.1, `less Ruby: ${l1.after.toFixed(3)} → ${rubyNow.toFixed(3)}`);
  await shot(page, 'plum');

  // Record 3 s with Plum, switching to Ruby half way: the file decodes, and its frames show
  // Plum lips before the switch and Ruby lips after it.
  const lipsWhileRecording = await box(page, 'data-lips');
  await step('clicking "Record video"', () => page.getByRole('button', { name: 'Record video' }).click());
  await new Promise((r) => setTimeout(r, 1500));
  await step('choosing "Ruby" while recording', () => page.getByRole('button', { name: 'Ruby', exact: true }).click());
  await new Promise((r) => setTimeout(r, 1500));
  await step('clicking "Stop recording"', () => page.getByRole('button', { name: 'Stop recording' }).click());
  const recorded = page.getByLabel('Recorded try-on video');
  await recorded.waitFor({ timeout: 30_000 });
  const decoded = await recorded.evaluate(async (v, [rect, hues]) => {
    const blob = await (await fetch(v.src)).blob();
    const probe = document.createElement('video');
    probe.muted = true; probe.src = v.src;
    await new Promise((ok, bad) => { probe.onloadeddata = ok; probe.onerror = () => bad(new Error('not decodable')); });
    // Play it through, measuring each shown frame's lips for both hues.
    const c = document.createElement('canvas');
    c.width = probe.videoWidth; c.height = probe.videoHeight;
    const ctx = c.getContext('2d', { willReadFrequently: true });
    const frames = [];
    const share = window.__hueShare;
    await new Promise((done) => {
      const grab = (_now, meta) => {
        ctx.drawImage(probe, 0, 0);
        const [x0, y0, x1, y1] = rect.map(Math.round);
        const d = ctx.getImageData(x0, y0, x1 - x0, y1 - y0).data;
        frames.push([meta.mediaTime, share(d, hues[0]), share(d, hues[1])]);
        probe.requestVideoFrameCallback(grab);
      };
      probe.requestVideoFrameCallback(grab);
      probe.onended = done;
      setTimeout(done, 15_000);
      probe.play();
    });
    return { bytes: blob.size, type: blob.type, width: probe.videoWidth, height: probe.videoHeight, frames };
  }, [lipsWhileRecording, [plumHue, rubyHue]]);
  const { frames } = decoded;
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const early = frames.filter(([t]) => t < 1.0); const late = frames.filter(([t]) => t > 2.2);
  const [earlyPlum, earlyRuby] = [mean(early.map((f) => f[1])), mean(early.map((f) => f[2]))];
  const [latePlum, lateRuby] = [mean(late.map((f) => f[1])), mean(late.map((f) => f[2]))];
  t.diagnostic(`recorded ${decoded.bytes} B ${decoded.type} ${decoded.width}x${decoded.height}, ${frames.length} frames; ` +
    `before the switch Plum ${earlyPlum.toFixed(3)} Ruby ${earlyRuby.toFixed(3)}, after Plum ${latePlum.toFixed(3)} Ruby ${lateRuby.toFixed(3)}`);
  assert.equal(decoded.type, 'video/webm');
  assert.ok(decoded.bytes > 10_000 && decoded.width === 640 && decoded.height === 480, JSON.stringify(decoded));
  assert.ok(early.length >= 5 && late.length >= 5, `frames on both sides of the switch: ${early.length}, ${late.length}`);
  assert.ok(earlyPlum > latePlum + 0.05 && lateRuby > earlyRuby + 0.1, 'the shade switch shows in the video');

  // Post it: name, caption, the anchor next to the lips.
  await step('clicking "Post"', () => page.getByRole('button', { name: 'Post', exact: true }).click());
  await page.waitForURL(/\/post$/);
  await page.getByRole('group', { name: 'Anchor position' }).waitFor();
  await page.getByLabel('Your name').fill('Ann');
  await page.getByLabel('Caption').fill('Plum gloss on me');
  // A slow uplink (256 KB/s, Chromium's network emulation) so the upload takes seconds and
  // its progress can be watched: the bar must pass through values between empty and full.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions',
    { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
  await step('sending with "Post"', () => page.getByRole('button', { name: 'Post', exact: true }).click());
  const seen = new Set();
  await waitUntil('the upload to finish and the feed to open', async () => {
    const v = await page.getByRole('progressbar', { name: 'Upload' }).getAttribute('value', { timeout: 100 })
      .catch(() => null);
    if (v !== null) seen.add(Number(v).toFixed(2));
    return /\/feed\?post=/.test(page.url());
  }, { ms: 60_000, every: 100 });
  await cdp.send('Network.emulateNetworkConditions',
    { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  const partial = [...seen].map(Number).filter((v) => v > 0.05 && v < 0.95);
  t.diagnostic(`upload progress values seen: ${[...seen].join(', ')}`);
  assert.ok(partial.length >= 2, `the progress bar moved through the upload: ${[...seen]}`);
  await page.waitForURL(/\/feed\?post=[0-9a-f]{16}$/);
  const id = new URL(page.url()).searchParams.get('post');

  // The new video leads the feed, with its anchor near where the lips were.
  const first = page.getByRole('region', { name: 'Videos' }).getByRole('article').first();
  await waitUntil('the new post first in the feed', () => first.locator('video').getAttribute('src'),
    { ok: (s) => s === `/api/posts/${id}/media` });
  assert.match(await first.innerText(), /Plum gloss on me/);
  const chip = first.getByRole('button', { name: 'AR lipstick experience' });
  await chip.waitFor();
  const at = await chip.evaluate((b) => [parseFloat(b.style.left) / 100, parseFloat(b.style.top) / 100]);
  const lipsAt = [(lips[0] + lips[2]) / 2 / 640, (lips[1] + lips[3]) / 2 / 480]; // where they were at the start
  t.diagnostic(`anchor at ${at}, lips at ${lipsAt}`);
  assert.ok(Math.hypot(at[0] - lipsAt[0], at[1] - lipsAt[1]) < 0.3, 'the anchor sits near the lips');
  await shot(page, 'posted');

  // Its anchor opens the same try-on.
  await step('tapping the new post\'s anchor', () => chip.click());
  await page.waitForURL(new RegExp(`/tryon/lipstick-velvet\\?post=${id}$`));
  await waitForFace(page);
}));

test('the hat demo puts a hat above the eyes, on the camera and on a photo', T, e2e(async (t, rec) => {
  // The harness turns the GPU off; WebGL then needs Chromium's software renderer, allowed here.
  const m = await launchMember({ recorder: rec, extraArgs: ['--enable-unsafe-swiftshader'] });
  const page = m.page;
  await installProbes(page);
  await page.goto(`${rec.url}/feed`);
  const feed = page.getByRole('region', { name: 'Videos' });
  await feed.getByRole('article').first().waitFor();
  // The arrow key brings the next video (the hat demo) into play.
  await feed.focus();
  await page.keyboard.press('ArrowDown');
  await waitUntil('the hat video to be current', () => page.locator('article.current').getAttribute('aria-label'),
    { ok: (s) => s === 'Video 2 of 2' });
  await step('tapping "Hat try-on"', () => feed.getByRole('button', { name: 'Hat try-on' }).click());
  await page.waitForURL(/\/tryon\/hat-fedora\?post=demo-hat$/);
  const { face } = await waitForFace(page);
  await new Promise((r) => setTimeout(r, 800));
  const top = await beforeAndAfter(page, CROWN);
  const low = await beforeAndAfter(page, MOUTH);
  t.diagnostic(`hat: crown ${JSON.stringify(top)}, mouth ${JSON.stringify(low)}`);
  const charcoal = hex('#36454f');
  assert.ok(dist(top.after, charcoal) < dist(top.before, charcoal) - 20, 'the hat covers the top of the head');
  assert.ok(dist(low.after, low.before) < 12, 'the face below the eyes stays');
  await step('choosing "Camel"', () => page.getByRole('button', { name: 'Camel', exact: true }).click());
  await new Promise((r) => setTimeout(r, 800));
  const camel = await probe(page, CROWN, MEAN);
  assert.ok(dist(camel, hex('#c19a6b')) < dist(top.after, hex('#c19a6b')) - 20, 'the hat takes the new colour');
  await shot(page, 'hat');

  // "Take photo" downloads the picture and keeps it in the tab's album.
  const download = page.waitForEvent('download', { timeout: 15_000 });
  await step('clicking "Take photo"', () => page.getByRole('button', { name: 'Take photo' }).click());
  assert.equal((await download).suggestedFilename(), 'huddle-try-on-1.png');
  await page.getByRole('img', { name: 'Try-on photo 1' }).waitFor();

  // An uploaded photo gets the hat too (in Navy, far from her brown hair), and a recording of
  // the still is a video.
  await page.getByRole('button', { name: 'Navy', exact: true }).click();
  await step('choosing astronaut.png with "Use a photo"', () =>
    page.getByLabel('Use a photo').setInputFiles(path.join(E2E_DIR, 'fixtures/astronaut.png')));
  await waitUntil('the photo as the source', () => stage(page).getAttribute('data-source'), { ok: (v) => v === 'photo' });
  await waitUntil('the photo\'s face', () => page.locator('canvas[aria-label="Try-on view"]').evaluate((c) => c.width),
    { ms: 30_000, ok: (w) => w === 512 });
  // Her face, not the camera's (whose box was `face`).
  const pf = await waitUntil('the face on the photo', () => box(page, 'data-face'),
    { ms: 30_000, ok: (b) => b && Math.abs(b[0] - face[0]) + Math.abs(b[1] - face[1]) > 20 });
  const photoCrown = await beforeAndAfter(page, CROWN);
  t.diagnostic(`face on the photo ${pf}; hat on the photo: ${JSON.stringify(photoCrown)}`);
  assert.ok(dist(photoCrown.after, hex('#1f2a44')) < dist(photoCrown.before, hex('#1f2a44')) - 40, 'the hat is on the photo');
  await page.getByRole('button', { name: 'Record video' }).click();
  await new Promise((r) => setTimeout(r, 1500));
  await page.getByRole('button', { name: 'Stop recording' }).click();
  const still = await page.getByLabel('Recorded try-on video').evaluate(async (v) => {
    const probe = document.createElement('video');
    probe.muted = true; probe.src = v.src;
    await new Promise((ok, bad) => { probe.onloadeddata = ok; probe.onerror = () => bad(new Error('not decodable')); });
    return [probe.videoWidth, probe.videoHeight];
  });
  assert.deepEqual(still, [512, 512], 'the still recorded at its own size');
  await shot(page, 'hat-photo');
}));
