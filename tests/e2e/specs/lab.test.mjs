// The camera check (/lab): the vision worker loads lazily, cuts the person out of the fake
// camera and a photo, tracks the face, and explains a file it cannot open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFileSync, mkdirSync } from 'node:fs';
import { e2e, launchMember, waitUntil, E2E_DIR, RESULTS_DIR } from '../lib/harness.mjs';
import { step } from '../lib/app.mjs';

const T = { timeout: 180_000 };
const stage = (page) => page.locator('.lab-stage');
const isVision = (url) => /vision_worker|\/models\//.test(url);

/** Waits for the models, then for at least `frames` results after `since`. */
async function waitForFrames(page, frames, since = 0) {
  await waitUntil('the models to be ready on /lab',
    () => stage(page).getAttribute('data-state'), { ms: 90_000, ok: (s) => s === 'ready' || s === 'failed' })
    .then((s) => assert.equal(s, 'ready', `model loading failed: ${s}`));
  return waitUntil(`${frames} processed frames`,
    async () => Number(await stage(page).getAttribute('data-frames')), { ms: 60_000, ok: (n) => n >= since + frames });
}

/**
 * Samples the picture canvas: alpha (or grey level) at points given as fractions of the size,
 * plus the share of drawn pixels on the face-points layer.
 */
function sample(page, points) {
  return page.evaluate((pts) => {
    const pic = document.querySelector('.lab-picture');
    const ctx = pic.getContext('2d');
    const { width: w, height: h } = pic;
    const px = (fx, fy) => Array.from(ctx.getImageData(Math.round(fx * (w - 1)), Math.round(fy * (h - 1)), 1, 1).data);
    const dots = document.querySelector('.lab-points');
    const d = dots.getContext('2d').getImageData(0, 0, dots.width, dots.height).data;
    let drawn = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) drawn++;
    return { w, h, at: Object.fromEntries(Object.entries(pts).map(([k, [x, y]]) => [k, px(x, y)])), drawn };
  }, points);
}

async function shot(page, name) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS_DIR, `lab-${name}.png`), fullPage: true });
}

test('the camera check cuts the person out of the live camera and tracks the face', T, e2e(async (t, rec) => {
  const m = await launchMember({ recorder: rec });
  const requests = [];
  m.page.on('request', (r) => requests.push(r.url()));

  await step('opening the home page', () => m.page.goto(`${rec.url}/`));
  await m.page.getByRole('link', { name: 'Check my camera' }).waitFor();
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual(requests.filter(isVision), [], 'the home page must not load the vision worker or models');

  await step('following "Check my camera"', () => m.page.getByRole('link', { name: 'Check my camera' }).click());
  await m.page.waitForURL(/\/lab$/);
  await waitForFrames(m.page, 15);
  assert.ok(requests.some((u) => u.endsWith('/vision_worker_bg.wasm')), 'the worker wasm was fetched');
  for (const f of ['selfie_segmentation_landscape.onnx', 'face_detection_short_range.onnx', 'face_landmark.onnx']) {
    assert.ok(requests.some((u) => u.endsWith(`/models/${f}`)), `${f} was fetched`);
  }
  assert.equal(await m.page.locator('.model-progress').getByRole('status').textContent(), 'Ready.');

  // The suit portrait fills the middle of the 640x480 frame; the corners are backdrop.
  const s = await sample(m.page, { tl: [0.02, 0.03], tr: [0.98, 0.03], chest: [0.5, 0.85], face: [0.5, 0.35] });
  t.diagnostic(JSON.stringify(s));
  assert.equal(`${s.w}x${s.h}`, '640x480', 'picture size = camera size');
  assert.ok(s.at.tl[3] < 40 && s.at.tr[3] < 40, `backdrop corners are cut away (alpha ${s.at.tl[3]}, ${s.at.tr[3]})`);
  assert.ok(s.at.chest[3] > 215 && s.at.face[3] > 215, `the person stays (alpha ${s.at.chest[3]}, ${s.at.face[3]})`);
  assert.equal(await stage(m.page).getAttribute('data-faces'), '1', 'one face tracked');
  const coverage = Number(await stage(m.page).getAttribute('data-coverage'));
  assert.ok(coverage > 0.15 && coverage < 0.85, `person covers ${coverage} of the frame`);
  // 468 points plus lips and the person box are drawn.
  assert.ok(s.drawn > 1500, `face points drawn: ${s.drawn} pixels`);
  assert.match(await stage(m.page).getAttribute('aria-label'), /showing a person, 1 face/);

  const stats = await m.page.locator('dl.lab-stats').innerText();
  t.diagnostic(stats.replace(/\n/g, ' | '));
  await shot(m.page, 'camera-cutout');

  // The overlay view keeps the backdrop, opaque.
  const before = Number(await stage(m.page).getAttribute('data-frames'));
  await step('choosing "Overlay"', () => m.page.getByLabel('Overlay', { exact: true }).check());
  await waitForFrames(m.page, 5, before);
  await waitUntil('opaque overlay corners', async () => (await sample(m.page, { tl: [0.02, 0.03] })).at.tl[3],
    { ok: (a) => a === 255 });

  // Hiding the face points hides that layer.
  await m.page.getByLabel('Face points', { exact: true }).uncheck();
  assert.equal(await m.page.locator('.lab-points').isVisible(), false, 'points layer hidden');
}));

test('a photo is cut out at its own size, and a file that is not a picture is explained', T, e2e(async (t, rec) => {
  const m = await launchMember({ recorder: rec, camera: 'missing' });
  await m.page.goto(`${rec.url}/lab`);
  // No camera here: the page says so and offers a photo instead.
  await waitUntil('the missing-camera message', () => m.page.getByRole('alert').first().textContent(),
    { ms: 15_000, ok: (s) => /No camera found/.test(s ?? '') });

  await step('choosing astronaut.png with "Use a photo"', () =>
    m.page.getByLabel('Use a photo').setInputFiles(path.join(E2E_DIR, 'fixtures/astronaut.png')));
  await waitForFrames(m.page, 1);
  // The photo's backdrop corner (top-left) is gone and her face is kept.
  const s = await waitUntil('the photo to be drawn at 512x512',
    () => sample(m.page, { tl: [0.02, 0.02], face: [0.45, 0.35] }), { ok: (v) => v.w === 512 });
  t.diagnostic(JSON.stringify(s));
  assert.equal(s.h, 512);
  assert.ok(s.at.tl[3] < 40, `backdrop cut away (alpha ${s.at.tl[3]})`);
  assert.ok(s.at.face[3] > 215, `face kept (alpha ${s.at.face[3]})`);
  await waitUntil('one face on the photo', () => stage(m.page).getAttribute('data-faces'), { ok: (v) => v === '1' });
  await shot(m.page, 'photo-cutout');

  // The mask view redraws the same photo as grey levels.
  await m.page.getByLabel('Mask', { exact: true }).check();
  await waitUntil('the mask view', async () => (await sample(m.page, { tl: [0.02, 0.02], face: [0.45, 0.35] })).at,
    { ok: (at) => at.tl[3] === 255 && at.tl[0] < 40 && at.face[0] > 215 });

  const bogus = path.join(RESULTS_DIR, 'not-a-picture.png');
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(bogus, 'this is text, not a PNG');
  await m.page.getByLabel('Use a photo').setInputFiles(bogus);
  await waitUntil('the not-a-picture message', () => m.page.getByRole('alert').allTextContents(),
    { ok: (all) => all.some((s) => /not a picture this browser can open/.test(s)) });
}));
