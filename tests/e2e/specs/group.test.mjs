// The group picture: three browsers, three people (astronaut, Grace Hopper, the suit portrait),
// one live preview on each with everyone at their place, room-wide background and filter,
// grid and same-screen, shots and bursts for all, an effect on "only me", a video, a scene
// sticker placed, moved, dragged and deleted, the voice and smile shots, and a member leaving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { e2e, launchMember, cameraFile, waitUntil, RESULTS_DIR } from '../lib/harness.mjs';
import { createRoom, joinRoom, waitForMembers, step } from '../lib/app.mjs';
import {
  preview, previewState, waitForEveryone, snapshot, shareOfColour, meanSaturation, silhouetteMatch,
  photos, snapshotPhoto, purplePixels, markYellow, newYellow, yellowInSnapshot,
} from '../lib/picture.mjs';
import { writeToneWav } from '../lib/sound.mjs';
import { probeVideo } from '../lib/probe.mjs';

const T = { timeout: 420_000 };
const PEOPLE = [
  { name: 'Ann', photo: 'astronaut.png' },
  { name: 'Grace', photo: 'grace_hopper.jpg' },
  { name: 'Sam', photo: 'portrait_man_upper_body_suit.jpg' },
];
const PAPER = [244, 241, 234];
const CHARCOAL = [38, 40, 46];

async function choose(page, label, value) {
  await step(`choosing ${value} as "${label}"`, () =>
    page.getByLabel(label, { exact: true }).selectOption(value));
}

/** Waits until every page's picture is mostly `rgb` around the people. */
async function waitForBackground(pages, rgb, what, share) {
  for (const p of pages) {
    await waitUntil(`the ${what} background on ${p.url()} (over ${share * 100} % of it)`, async () =>
      (await shareOfColour(p, rgb)) > share, { ms: 20_000, every: 250 });
  }
}

/**
 * Checks each person's silhouette on every page, with snapshots on paper and charcoal. A live
 * picture can be caught mid-change (a place still moving to its new spot when the snapshots were
 * taken, a late frame from a peer): each try takes fresh snapshots, and the check fails only if
 * three tries in a row find someone out of place. Every failed try is reported.
 */
async function checkEveryoneInPlace(t, pages, chooser, mode) {
  for (let attempt = 1; ; attempt++) {
    try {
      await checkEveryoneInPlaceOnce(t, pages, chooser, mode);
      return;
    } catch (e) {
      if (!(e instanceof assert.AssertionError) || attempt === 3) throw e;
      t.diagnostic(`${mode}: try ${attempt} failed (${e.message}); snapshots again`);
      // Another backdrop first, so the next try sees paper and charcoal arrive anew.
      await choose(chooser, 'Background', 'studio');
    }
  }
}

async function checkEveryoneInPlaceOnce(t, pages, chooser, mode) {
  // Same-screen people fill most of the picture; around them is less background.
  const share = mode === 'grid' ? 0.25 : 0.05;
  await choose(chooser, 'Background', 'paper');
  await waitForBackground(pages, PAPER, 'paper', share);
  for (const p of pages) await snapshot(p, `${mode}-paper`);
  await choose(chooser, 'Background', 'charcoal');
  await waitForBackground(pages, CHARCOAL, 'charcoal', share);
  for (const p of pages) await snapshot(p, `${mode}-charcoal`);
  for (const [i, p] of pages.entries()) {
    const { members } = await previewState(p);
    assert.equal(members.length, 3, `${mode}: three members placed on ${PEOPLE[i].name}'s page`);
    for (const [j, person] of PEOPLE.entries()) {
      const m = members[j];
      assert.ok(m.drawn && m.frame, `${mode}: ${person.name} is drawn on ${PEOPLE[i].name}'s page`);
      // Members above this one (smaller z) may cover it where places overlap.
      const hidden = members.filter((o) => o.z < m.z && o.drawn).map((o) => o.drawn);
      const others = members.filter((o) => o !== m && o.drawn).map((o) => o.drawn);
      const r = await silhouetteMatch(p, person.photo, m,
        { snapA: `${mode}-paper`, snapB: `${mode}-charcoal`, bgA: PAPER, bgB: CHARCOAL, hidden, others });
      const { debug, ...numbers } = r;
      if (process.env.E2E_DEBUG_PICTURES) {
        writeFileSync(path.join(RESULTS_DIR, `${mode}-${person.name}-on-${PEOPLE[i].name}.png`),
          Buffer.from(debug.split(',')[1], 'base64'));
      }
      t.diagnostic(`${mode}: ${person.name} on ${PEOPLE[i].name}'s page: ${JSON.stringify(numbers)}`);
      assert.ok(r.points > 500, `${mode}: enough of ${person.name}'s place to judge (${r.points})`);
      assert.ok(r.recall > 0.8, `${mode}: ${person.name}'s person pixels are there (recall ${r.recall.toFixed(3)})`);
      // In same-screen the middle member may share all of its place with its neighbours.
      if (r.alone > 2000) {
        assert.ok(r.iou > 0.7, `${mode}: ${person.name}'s silhouette matches the mask (IoU ${r.iou.toFixed(3)})`);
      }
    }
  }
}

test('three members see one live picture with everyone at their place, styled for all', T, e2e(async (t, rec) => {
  // Grace's microphone hears a second of silence, a second of a loud tone, then quiet.
  const wav = writeToneWav(path.join(os.tmpdir(), `huddle-voice-${process.pid}.wav`));
  const members = [];
  for (const [i, p] of PEOPLE.entries()) {
    const extraArgs = i === 1 ? [`--use-file-for-fake-audio-capture=${wav}`] : [];
    members.push(await launchMember({ recorder: rec, y4m: cameraFile(p.photo), extraArgs }));
  }
  const pages = members.map((m) => m.page);
  const id = await createRoom(pages[0], rec.url, { name: PEOPLE[0].name, limit: 3 });
  for (const [i, p] of pages.entries()) {
    if (i > 0) await joinRoom(p, `${rec.url}/room/${id}`, { name: PEOPLE[i].name });
  }
  for (const p of pages) await waitForMembers(p, PEOPLE.map((x) => x.name));
  for (const p of pages) {
    const s = await waitForEveryone(p, 3);
    t.diagnostic(`preview on ${p.url()}: ${s.fps} fps, ${JSON.stringify(s.members.map((m) => m.region))}`);
  }

  // Grid: three cells that do not overlap, in join order.
  const grid = (await previewState(pages[1])).members;
  assert.deepEqual(grid.map((m) => m.id), [...grid.map((m) => m.id)].sort((a, b) => a - b),
    'grid cells in join order');
  for (const [i, a] of grid.entries()) {
    for (const b of grid.slice(i + 1)) {
      const overlap = a.region[0] < b.region[0] + b.region[2] && b.region[0] < a.region[0] + a.region[2] &&
        a.region[1] < b.region[1] + b.region[3] && b.region[1] < a.region[1] + a.region[3];
      assert.ok(!overlap, `grid cells must not overlap: ${JSON.stringify([a.region, b.region])}`);
    }
  }
  // The background is chosen by Grace and Sam; everyone sees it.
  await checkEveryoneInPlace(t, pages, pages[1], 'grid');

  // Same screen, chosen by Sam: overlapping places, the creator on top.
  await step('clicking "Same screen"', () =>
    pages[2].getByRole('button', { name: 'Same screen', exact: true }).click());
  for (const p of pages) {
    await waitUntil(`same-screen places on ${p.url()}`, async () => {
      const { members: m } = await previewState(p);
      return m.length === 3 && m[0].region[2] > 300 && m[0].region[0] < m[1].region[0] &&
        m[1].region[0] < m[0].region[0] + m[0].region[2];
    }, { ms: 15_000 });
    const pressed = await p.getByRole('button', { name: 'Same screen', exact: true }).getAttribute('aria-pressed');
    assert.equal(pressed, 'true', '"Same screen" shows as pressed on every page');
  }
  const same = (await previewState(pages[0])).members;
  assert.deepEqual(same.map((m) => m.z), [0, 1, 2], 'the earlier joiner is on top');
  await checkEveryoneInPlace(t, pages, pages[2], 'same-screen');

  // Sam makes himself bigger and mirrors himself; everyone sees it, then "Reset" undoes it.
  const samBefore = (await previewState(pages[0])).members[2];
  const myPlace = (name) => pages[2].getByRole('button', { name, exact: true });
  await step('Sam clicks "Bigger" and "Mirror"', async () => {
    await myPlace('Bigger').click();
    await myPlace('Mirror').click();
  });
  assert.equal(await myPlace('Mirror').getAttribute('aria-pressed'), 'true', '"Mirror" shows as pressed');
  for (const [i, p] of pages.entries()) {
    const sam = await waitUntil(`Sam bigger and mirrored on ${PEOPLE[i].name}'s page`, async () => {
      const m = (await previewState(p)).members[2];
      return m.mirror && m.frame[2] > samBefore.frame[2] * 1.05 ? m : null;
    }, { ms: 15_000, every: 250 });
    t.diagnostic(`Sam on ${PEOPLE[i].name}'s page: ${JSON.stringify(samBefore.frame)} -> ${JSON.stringify(sam.frame)}`);
  }
  await step('Sam clicks "Reset"', () => myPlace('Reset').click());
  for (const [i, p] of pages.entries()) {
    await waitUntil(`Sam back in his place on ${PEOPLE[i].name}'s page`, async () => {
      const m = (await previewState(p)).members[2];
      return !m.mirror && Math.abs(m.frame[2] - samBefore.frame[2]) < 2;
    }, { ms: 15_000, every: 250 });
  }
  // And drags himself 80 screen pixels to the right with the mouse.
  const box = await preview(pages[2]).boundingBox();
  const k = box.width / 800;
  const [dx, dy, dw, dh] = samBefore.drawn;
  const from = [box.x + (dx + dw / 2) * k, box.y + (dy + dh / 2) * k];
  await step('Sam drags himself to the right', async () => {
    await pages[2].mouse.move(from[0], from[1]);
    await pages[2].mouse.down();
    for (let i = 1; i <= 8; i++) {
      await pages[2].mouse.move(from[0] + i * 10, from[1]);
      await pages[2].waitForTimeout(30);
    }
    await pages[2].mouse.up();
  });
  for (const [i, p] of pages.entries()) {
    await waitUntil(`Sam further right on ${PEOPLE[i].name}'s page`, async () => {
      const m = (await previewState(p)).members[2];
      return m.frame[0] > samBefore.frame[0] + (80 / k) * 0.8;
    }, { ms: 15_000, every: 250 });
  }
  await step('Sam clicks "Reset"', () => myPlace('Reset').click());
  for (const p of pages) {
    await waitUntil(`Sam back on ${p.url()}`, async () =>
      Math.abs((await previewState(p)).members[2].frame[0] - samBefore.frame[0]) < 2, { ms: 15_000, every: 250 });
  }

  // A filter chosen by Ann turns every page grey.
  const before = await meanSaturation(pages[1]);
  await choose(pages[0], 'Filter', 'mono');
  for (const p of pages) {
    await waitUntil(`the mono filter on ${p.url()}`, async () => (await meanSaturation(p)) < 3,
      { ms: 15_000 });
  }
  t.diagnostic(`mean saturation before mono ${before.toFixed(1)}`);
  assert.ok(before > 5, 'the picture had colour before the filter');
  await choose(pages[0], 'Filter', 'none');
  for (const p of pages) {
    await waitUntil(`colour back on ${p.url()}`, async () => (await meanSaturation(p)) > 5, { ms: 15_000 });
  }

  // Back to the grid; Grace shoots on charcoal, then Ann shoots a burst on paper.
  await step('clicking "Grid"', () => pages[0].getByRole('button', { name: 'Grid', exact: true }).click());
  for (const p of pages) {
    await waitUntil(`grid places on ${p.url()}`, async () => {
      const { members: m } = await previewState(p);
      return m.length === 3 && m[0].region[2] === 400 && m[2].region[1] === 225;
    }, { ms: 15_000 });
  }
  const gridPlaces = (await previewState(pages[0])).members;
  await step('Grace clicks "Shoot"', () => pages[1].getByRole('button', { name: 'Shoot', exact: true }).click());
  for (const [i, p] of pages.entries()) {
    await waitUntil(`the photo on ${PEOPLE[i].name}'s page`, async () => (await photos(p).count()) === 1,
      { ms: 30_000 });
    const size = await snapshotPhoto(p, 0, 'shot-charcoal');
    assert.deepEqual(size, [1920, 1080], `the photo on ${PEOPLE[i].name}'s page is full HD`);
    // Made from every member's full-resolution cut-out (a 640×480 camera, frame and mask
    // side by side), not the smaller live video.
    const parts = await photos(p).first().getAttribute('data-part-sizes');
    assert.equal(parts, '1280x480 1280x480 1280x480', `the parts of ${PEOPLE[i].name}'s photo`);
    // The photo shows as soon as its JPEG is made; the PNG to save follows.
    const save = p.getByRole('link', { name: 'Save photo', exact: true });
    await waitUntil(`"Save photo" on ${PEOPLE[i].name}'s page`, async () => (await save.count()) === 1,
      { ms: 15_000 });
    assert.match(await save.getAttribute('download'), /\.png$/, 'saved as PNG');
    const png = await save.evaluate(async (a) => {
      const blob = await (await fetch(a.href)).blob();
      const bitmap = await createImageBitmap(blob);
      return { head: [...new Uint8Array(await blob.slice(0, 4).arrayBuffer())], size: [bitmap.width, bitmap.height] };
    });
    assert.deepEqual(png.head, [0x89, 0x50, 0x4e, 0x47], 'the PNG file starts like a PNG');
    assert.deepEqual(png.size, [1920, 1080], 'the PNG decodes at full HD');
    const jpeg = p.getByRole('link', { name: 'Save JPEG', exact: true });
    assert.match(await jpeg.getAttribute('download'), /\.jpg$/, 'and as JPEG');
    const saved = await jpeg.evaluate(async (a) => {
      const blob = await (await fetch(a.href)).blob();
      const head = [...new Uint8Array(await blob.slice(0, 3).arrayBuffer())];
      const bitmap = await createImageBitmap(blob);
      return { type: blob.type, head, size: [bitmap.width, bitmap.height] };
    });
    assert.deepEqual(saved.head, [0xff, 0xd8, 0xff], 'the JPEG file starts like a JPEG');
    assert.deepEqual(saved.size, [1920, 1080], 'the JPEG decodes at full HD');
  }
  await choose(pages[2], 'Background', 'paper');
  await waitForBackground(pages, PAPER, 'paper', 0.25);
  await step('Ann clicks "Burst"', () => pages[0].getByRole('button', { name: 'Burst', exact: true }).click());
  for (const [i, p] of pages.entries()) {
    await waitUntil(`the burst's 3 photos on ${PEOPLE[i].name}'s page`,
      async () => (await photos(p).count()) === 4, { ms: 40_000 });
    // Newest first: the last photo of the burst, on paper.
    await snapshotPhoto(p, 0, 'shot-paper');
    const scale = 1920 / 800;
    const up = (r) => r && r.map((v) => v * scale);
    for (const [j, person] of PEOPLE.entries()) {
      const m = gridPlaces[j];
      const placed = { ...m, frame: up(m.frame), drawn: up(m.drawn) };
      const others = gridPlaces.filter((o) => o !== m).map((o) => up(o.drawn));
      const r = await silhouetteMatch(p, person.photo, placed, {
        snapA: 'shot-paper', snapB: 'shot-charcoal', bgA: PAPER, bgB: CHARCOAL, others, size: [1920, 1080],
      });
      const { debug, ...numbers } = r;
      if (process.env.E2E_DEBUG_PICTURES) {
        writeFileSync(path.join(RESULTS_DIR, `photo-${person.name}-on-${PEOPLE[i].name}.png`),
          Buffer.from(debug.split(',')[1], 'base64'));
      }
      t.diagnostic(`photo: ${person.name} on ${PEOPLE[i].name}'s page: ${JSON.stringify(numbers)}`);
      assert.ok(r.recall > 0.8 && r.iou > 0.7,
        `the photo shows ${person.name} at their place (recall ${r.recall.toFixed(3)}, IoU ${r.iou.toFixed(3)})`);
    }
  }

  // "Only me": Ann puts on sunglasses (purple lenses); every page shows them on Ann alone.
  const purple = async (p) => {
    const { members: m } = await previewState(p);
    return Promise.all(m.map((x) => purplePixels(p, x.region)));
  };
  const purpleBefore = await Promise.all(pages.map(purple));
  await choose(pages[0], 'Effect', 'sunglasses');
  await step('Ann picks "Only me"', () => pages[0].getByRole('radio', { name: 'Only me', exact: true }).check());
  for (const [i, p] of pages.entries()) {
    const before = purpleBefore[i];
    const after = await waitUntil(`sunglasses on Ann on ${PEOPLE[i].name}'s page`, async () => {
      const n = await purple(p);
      return n[0] > before[0] + 40 ? n : null;
    }, { ms: 15_000, every: 250 });
    t.diagnostic(`purple pixels per member on ${PEOPLE[i].name}'s page: before ${before}, after ${after}`);
    for (const j of [1, 2]) {
      assert.ok(after[j] < before[j] + 15,
        `no sunglasses on ${PEOPLE[j].name} on ${PEOPLE[i].name}'s page (${before[j]} -> ${after[j]} purple pixels)`);
    }
  }
  // Grace's controls say it is on Ann: "Selected members" with Ann ticked, not "Only me".
  await choose(pages[1], 'Effect', 'sunglasses');
  assert.equal(await pages[1].getByRole('radio', { name: 'Selected members', exact: true }).isChecked(), true,
    'on Grace\'s page Ann\'s "only me" shows as Ann selected');
  assert.equal(await pages[1].getByRole('checkbox', { name: 'Ann', exact: true }).isChecked(), true,
    'Ann is the member ticked');
  await step('Ann picks "Off"', () => pages[0].getByRole('radio', { name: 'Off', exact: true }).check());
  for (const [i, p] of pages.entries()) {
    await waitUntil(`the sunglasses gone on ${PEOPLE[i].name}'s page`, async () =>
      (await purple(p))[0] < purpleBefore[i][0] + 15, { ms: 15_000, every: 250 });
  }

  // A video: Sam records about four seconds; everyone gets a WebM that decodes.
  const record = (p) => p.getByRole('button', { name: 'Record video', exact: true });
  // No page records before Sam's click: the earliest any recording can start.
  const clickedAt = Date.now();
  await step('Sam clicks "Record video"', () => record(pages[2]).click());
  for (const p of pages) {
    await waitUntil(`"Record video" pressed on ${p.url()}`, async () =>
      (await record(p).getAttribute('aria-pressed')) === 'true', { ms: 10_000 });
  }
  const paintedBefore = await Promise.all(pages.map(async (p) => Number(await preview(p).getAttribute('data-frames'))));
  await pages[2].waitForTimeout(4000);
  const paintedAfter = await Promise.all(pages.map(async (p) => Number(await preview(p).getAttribute('data-frames'))));
  t.diagnostic(`preview frames painted while recording: ${paintedAfter.map((n, i) => n - paintedBefore[i])}`);
  await step('Sam clicks "Record video" again', () => record(pages[2]).click());
  const stoppedAt = Date.now();
  // When each page shows the recording stopped: the latest its recording can end.
  const unpressedAt = await Promise.all(pages.map(async (p, i) => {
    await waitUntil(`"Record video" released on ${PEOPLE[i].name}'s page`, async () =>
      (await record(p).getAttribute('aria-pressed')) === 'false', { ms: 15_000, every: 50 });
    return Date.now();
  }));
  mkdirSync(RESULTS_DIR, { recursive: true });
  const probes = [];
  for (const [i, p] of pages.entries()) {
    const video = p.locator('video[aria-label="Video"]');
    // A busy encoder may need a while after Stop to finish the file.
    await waitUntil(`the video on ${PEOPLE[i].name}'s page`, async () => (await video.count()) === 1,
      { ms: 30_000 });
    t.diagnostic(`video on ${PEOPLE[i].name}'s page ready ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after Stop`);
    assert.equal(await record(p).getAttribute('aria-pressed'), 'false', 'recording has stopped');
    const save = p.getByRole('link', { name: 'Save video', exact: true });
    assert.match(await save.getAttribute('download'), /\.webm$/, 'saved as WebM');
    const b64 = await save.evaluate(async (a) => {
      const bytes = new Uint8Array(await (await fetch(a.href)).arrayBuffer());
      let s = '';
      for (let k = 0; k < bytes.length; k += 0x8000) s += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
      return btoa(s);
    });
    const file = path.join(RESULTS_DIR, `video-on-${PEOPLE[i].name}.webm`);
    writeFileSync(file, Buffer.from(b64, 'base64'));
    const probe = probeVideo(file);
    t.diagnostic(`video on ${PEOPLE[i].name}'s page: ${Buffer.from(b64, 'base64').length} bytes, ${JSON.stringify(probe)}, ` +
      `recording for at most ${((unpressedAt[i] - clickedAt) / 1000).toFixed(2)} s`);
    probes.push(probe);
  }
  for (const [i, probe] of probes.entries()) {
    assert.match(probe.codec, /^vp[89]$/, 'a VP8/VP9 WebM');
    assert.deepEqual([probe.width, probe.height], [800, 450], 'the size of the live preview');
    // Every picture the preview painted while recording is in the file: the recorder hands each
    // painted canvas to WebCodecs' VideoEncoder, which queues rather than drops when the cores
    // are busy (Chrome's MediaRecorder, used before, kept 2-26 of them with three browsers on
    // two cores; docs/benchmarks.md, "Recorded videos under load").
    const painted = paintedAfter[i] - paintedBefore[i];
    assert.ok(probe.frames >= painted, `every painted frame is in the video (${probe.frames} of ${painted})`);
    // The frames span the four seconds Sam waited, and nothing much later than Stop: the span is
    // at most the time from Sam's first click until the page showed the recording stopped.
    assert.ok(probe.seconds >= 3.0 && probe.seconds <= (unpressedAt[i] - clickedAt) / 1000 + 0.5,
      `the frames span the recording (${probe.seconds} s, recording at most ${(unpressedAt[i] - clickedAt) / 1000} s)`);
  }

  // A scene sticker: Ann adds a star, Grace moves and enlarges it, Sam drags it with the mouse.
  for (const p of pages) await markYellow(p);
  await step('Ann clicks "Add star"', () =>
    pages[0].getByRole('button', { name: 'Add star', exact: true }).click());
  const starAt = async (what, ok, region) => {
    const found = [];
    for (const [i, p] of pages.entries()) {
      let last;
      await waitUntil(`${what} on ${PEOPLE[i].name}'s page`, async () => ok(last = await newYellow(p, region)),
        { ms: 15_000, every: 250 }).catch((e) => { throw new Error(`${e.message}: ${JSON.stringify(last)}`); });
      found.push(last);
    }
    t.diagnostic(`${what}: ${JSON.stringify(found)}`);
    return found;
  };
  // New stickers go along the top, the first in the middle: (400, 81) on the 800×450 preview.
  const added = await starAt('the star at the top middle', (y) =>
    y.n > 800 && Math.abs(y.cx - 400) < 25 && Math.abs(y.cy - 81) < 25);
  await step('Grace selects the star', () =>
    pages[1].getByLabel('Selected sticker', { exact: true }).selectOption({ label: 'Star' }));
  for (let i = 0; i < 5; i++) {
    await step('Grace clicks "Move sticker right"', () =>
      pages[1].getByRole('button', { name: 'Move sticker right', exact: true }).click());
  }
  for (let i = 0; i < 2; i++) {
    await step('Grace clicks "Enlarge sticker"', () =>
      pages[1].getByRole('button', { name: 'Enlarge sticker', exact: true }).click());
  }
  // Five steps of 4 % move it to 70 % across (560 px); two of 15 % make it 1.32× as tall.
  await starAt('the star moved right and bigger', (y) => Math.abs(y.cx - 560) < 25 && y.n > added[0].n * 1.4);
  const previewBox = await preview(pages[2]).boundingBox();
  const kk = previewBox.width / 800;
  const grab = [previewBox.x + 560 * kk, previewBox.y + 81 * kk];
  await step('Sam drags the star 300 preview pixels to the left', async () => {
    await pages[2].mouse.move(grab[0], grab[1]);
    await pages[2].mouse.down();
    for (let i = 1; i <= 10; i++) {
      await pages[2].mouse.move(grab[0] - i * 30 * kk, grab[1]);
      await pages[2].waitForTimeout(30);
    }
    await pages[2].mouse.up();
  });
  await starAt('the star dragged to the left', (y) => y.n > 800 && Math.abs(y.cx - 260) < 30);
  assert.equal(await pages[2].getByLabel('Selected sticker', { exact: true }).inputValue() !== '', true,
    'touching the star selected it on Sam\'s page');

  // Voice shot: Grace's microphone gets loud, and a photo is taken for everyone.
  const counts = async () => Promise.all(pages.map((p) => photos(p).count()));
  let shotsBefore = await counts();
  await step('Grace ticks "Voice shot"', () =>
    pages[1].getByRole('checkbox', { name: 'Voice shot', exact: true }).check());
  const meter = pages[1].getByRole('meter', { name: 'Microphone level', exact: true });
  await waitUntil('the microphone level to rise on Grace\'s page', async () =>
    Number(await meter.getAttribute('data-level')) > 60, { ms: 30_000, every: 50 });
  for (const [i, p] of pages.entries()) {
    await waitUntil(`the voice shot's photo on ${PEOPLE[i].name}'s page`,
      async () => (await photos(p).count()) === shotsBefore[i] + 1, { ms: 30_000 });
  }
  await step('Grace unticks "Voice shot"', () =>
    pages[1].getByRole('checkbox', { name: 'Voice shot', exact: true }).uncheck());
  // The star is in the full-resolution photo where it was on the preview (×2.4), and was not
  // in the burst before it.
  const starBox = [(260 - 70) * 2.4, (81 - 70) * 2.4, 140 * 2.4, 140 * 2.4];
  for (const [i, p] of pages.entries()) {
    await snapshotPhoto(p, 0, 'shot-voice');
    const withStar = await yellowInSnapshot(p, 'shot-voice', 1920, starBox);
    const without = await yellowInSnapshot(p, 'shot-paper', 1920, starBox);
    t.diagnostic(`star-yellow pixels in the photo on ${PEOPLE[i].name}'s page: ${without} -> ${withStar}`);
    assert.ok(withStar > without + 4000, `the star in the voice shot's photo on ${PEOPLE[i].name}'s page`);
  }
  await step('Sam clicks "Delete sticker"', () =>
    pages[2].getByRole('button', { name: 'Delete sticker', exact: true }).click());
  // Where it was, around (260, 81): other pixels may have turned yellow since the mark.
  await starAt('the star gone', (y) => y.n < 100, [170, 0, 180, 180]);

  // Smile shot: Ann and Sam smile, Grace does not. Waiting for everyone takes nothing;
  // two smiles are enough.
  shotsBefore = await counts();
  await step('Ann ticks "Smile shot"', () =>
    pages[0].getByRole('checkbox', { name: 'Smile shot', exact: true }).check());
  const smiling = pages[0].locator('[data-smiling]');
  await waitUntil('two smiles counted on Ann\'s page', async () =>
    (await smiling.getAttribute('data-smiling')) === '2', { ms: 10_000 });
  await pages[0].waitForTimeout(2500);
  assert.deepEqual(await counts(), shotsBefore, 'no smile shot while "Everyone" is needed and Grace is not smiling');
  await choose(pages[0], 'Smiles needed', '2');
  for (const [i, p] of pages.entries()) {
    await waitUntil(`the smile shot's photo on ${PEOPLE[i].name}'s page`,
      async () => (await photos(p).count()) === shotsBefore[i] + 1, { ms: 30_000 });
  }
  await step('Ann unticks "Smile shot"', () =>
    pages[0].getByRole('checkbox', { name: 'Smile shot', exact: true }).uncheck());

  // Sam leaves: the others' previews go on with two.
  await step('Sam clicks "Leave room"', () =>
    pages[2].getByRole('button', { name: 'Leave room', exact: true }).click());
  for (const p of pages.slice(0, 2)) await waitForEveryone(p, 2, 30_000);
}));
