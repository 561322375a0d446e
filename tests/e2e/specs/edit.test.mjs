// Editing a shot together: three members open the same photo in "Edit together", draw, place
// stickers and write text at the same time; every page shows the same document within a second;
// undo on one member takes back only their own change; a reload brings the editor back with the
// whole document; the saved PNG has the photo's full size with the strokes and stickers where
// they were drawn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { e2e, launchMember, waitUntil, RESULTS_DIR } from '../lib/harness.mjs';
import { createRoom, joinRoom, waitForMembers, waitInRoom, step } from '../lib/app.mjs';
import { photos } from '../lib/picture.mjs';

const T = { timeout: 300_000 };
const PEN = [224, 36, 94]; // the pen's default colour, #e0245e
const STAR = [255, 200, 40]; // the star sticker's yellow, within tolerance

const editor = (page) => page.getByRole('region', { name: 'Photo editor', exact: true });
const canvas = (page) => editor(page).getByRole('img', { name: 'Editor canvas', exact: true });
const button = (page, name) => editor(page).getByRole('button', { name, exact: true });

/** The document fingerprint and element count the editor shows. */
async function docState(page) {
  const e = editor(page);
  return { doc: await e.getAttribute('data-doc'), n: Number(await e.getAttribute('data-elements')) };
}

/** Waits until every page shows the same document with `n` elements; returns ms waited. */
async function waitSame(pages, n, what, ms = 1000) {
  const t0 = Date.now();
  let last;
  await waitUntil(what, async () => (last = await Promise.all(pages.map(docState))),
    { ms, every: 25, ok: (s) => s.every((x) => x.n === n && x.doc === s[0].doc) })
    .catch((e) => { throw new Error(`${e.message}: ${JSON.stringify(last)}`); });
  return Date.now() - t0;
}

/** Pixels within `tol` of `rgb` in a region (shares of the canvas) of the editor canvas. */
async function countColour(page, rgb, [x0, y0, x1, y1], tol = 60) {
  return canvas(page).evaluate((c, { rgb, box, tol }) => {
    const g = c.getContext('2d', { willReadFrequently: true });
    const [X0, Y0] = [Math.floor(box[0] * c.width), Math.floor(box[1] * c.height)];
    const [w, h] = [Math.ceil((box[2] - box[0]) * c.width), Math.ceil((box[3] - box[1]) * c.height)];
    const d = g.getImageData(X0, Y0, w, h).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]) < tol) n++;
    }
    return n;
  }, { rgb, box: [x0, y0, x1, y1], tol });
}

/** Drags the mouse over the editor canvas through `points` (shares of the canvas). */
async function drag(page, points) {
  await centre(page);
  const box = await canvas(page).boundingBox();
  const at = ([u, v]) => [box.x + u * box.width, box.y + v * box.height];
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 6 });
  await page.mouse.up();
}

test('three members edit one photo together, undo only their own, reload and save', T, e2e(async (t, rec) => {
  // No cameras: the photo is the room's backdrop, which keeps the machine free for the editing.
  const ann = await launchMember({ recorder: rec, camera: 'missing' });
  const id = await createRoom(ann.page, rec.url, { name: 'Ann', limit: 3 });
  const bob = await launchMember({ recorder: rec, camera: 'missing' });
  const cy = await launchMember({ recorder: rec, camera: 'missing' });
  await joinRoom(bob.page, `${rec.url}/room/${id}`, { name: 'Bob' });
  await joinRoom(cy.page, `${rec.url}/room/${id}`, { name: 'Cy' });
  const pages = [ann.page, bob.page, cy.page];
  for (const p of pages) await waitForMembers(p, ['Ann', 'Bob', 'Cy'], 30_000);

  await step('Ann shoots', () => ann.page.getByRole('button', { name: 'Shoot', exact: true }).click());
  for (const p of pages) {
    await waitUntil('the photo in every album', async () => (await photos(p).count()) === 1, { ms: 40_000 });
  }

  await step('everyone opens "Edit together"', () => Promise.all(pages.map(async (p) => {
    await p.getByRole('button', { name: 'Edit together', exact: true }).click();
    await canvas(p).waitFor({ state: 'visible', timeout: 20_000 });
  })));
  await waitUntil('the editor canvases painted', () => Promise.all(pages.map((p) =>
    canvas(p).evaluate((c) => c.width))), { ms: 20_000, ok: (w) => w.every((x) => x === 960) });

  // At the same time: Ann draws two strokes (one across where the stickers go), Bob places a star
  // and a heart, Cy writes a text.
  await step('overlapping edits from all three at once', () => Promise.all([
    (async () => {
      await button(ann.page, 'Draw').click();
      await drag(ann.page, [[0.1, 0.2], [0.35, 0.25], [0.6, 0.2]]);
      await drag(ann.page, [[0.3, 0.5], [0.5, 0.55], [0.7, 0.5]]);
    })(),
    (async () => {
      await button(bob.page, 'Sticker').click();
      await canvas(bob.page).click({ position: await pos(bob.page, 0.8, 0.75) });
      await button(bob.page, 'Add heart').click();
    })(),
    (async () => {
      await button(cy.page, 'Text').click();
      await editor(cy.page).getByLabel('Text content', { exact: true }).fill('HUDDLE');
      await button(cy.page, 'Add text').click();
    })(),
  ]));
  const syncMs = await waitSame(pages, 5, 'the same 5 elements on every page within 1 s');
  t.diagnostic(`documents identical ${syncMs} ms after the last edit`);

  for (const [i, p] of pages.entries()) {
    const pen = await countColour(p, PEN, [0.12, 0.15, 0.58, 0.3]);
    const star = await countColour(p, STAR, [0.7, 0.6, 0.9, 0.9]);
    t.diagnostic(`page ${i + 1}: ${pen} pen pixels on the first stroke, ${star} star pixels`);
    assert.ok(pen > 1500, `Ann's stroke shows on page ${i + 1} (${pen})`);
    assert.ok(star > 500, `Bob's star shows on page ${i + 1} (${star})`);
  }

  await step('Ann sees Bob\'s name tag at his pointer', async () => {
    await centre(bob.page);
    const box = await canvas(bob.page).boundingBox();
    await bob.page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.8, { steps: 3 });
    await waitUntil('"Bob" at his pointer on Ann\'s page', () =>
      editor(ann.page).locator('.edit-tag').allInnerTexts(), { ms: 3000, ok: (t) => t.includes('Bob') });
  });

  await step('Bob enlarges the star with the button: bigger on every page', async () => {
    await button(bob.page, 'Select').click();
    await canvas(bob.page).click({ position: await pos(bob.page, 0.8, 0.75) });
    await button(bob.page, 'Enlarge').click();
    await waitUntil('a bigger star everywhere', () => Promise.all(pages.map((p) =>
      countColour(p, STAR, [0.6, 0.5, 1, 1]))), { ms: 3000, ok: (n) => n.every((x) => x > 2812 * 1.3) });
    await button(bob.page, 'Undo').click();
    await waitUntil('the star back to its size', () => Promise.all(pages.map((p) =>
      countColour(p, STAR, [0.6, 0.5, 1, 1]))), { ms: 3000, ok: (n) => n.every((x) => x < 2812 * 1.1) });
  });

  await step('Bob undoes: only his heart goes', async () => {
    await button(bob.page, 'Undo').click();
    await waitSame(pages, 4, 'the heart gone on every page, everything else kept', 3000);
    for (const p of pages) assert.ok(await countColour(p, STAR, [0.7, 0.6, 0.9, 0.9]) > 500, 'the star stays');
    assert.ok(await countColour(cy.page, PEN, [0.12, 0.15, 0.58, 0.3]) > 1500, 'Ann\'s stroke stays');
    assert.equal(await button(ann.page, 'Undo').isEnabled(), true, 'Ann can still undo her own');
  });

  await step('Ann erases the middle of her first stroke; the text over it is untouched', async () => {
    await button(ann.page, 'Eraser').click();
    await editor(ann.page).getByLabel('Line width', { exact: true }).fill('60');
    await drag(ann.page, [[0.35, 0.1], [0.35, 0.35]]);
    await waitSame(pages, 5, 'the eraser stroke on every page', 3000);
    for (const p of pages) {
      const gap = await countColour(p, PEN, [0.34, 0.15, 0.36, 0.3]);
      const rest = await countColour(p, PEN, [0.12, 0.15, 0.28, 0.3]);
      assert.ok(gap < 20 && rest > 600, `a gap in the stroke, the rest kept (${gap}, ${rest})`);
    }
    await button(ann.page, 'Undo').click();
    await waitSame(pages, 4, 'the eraser undone', 3000);
  });

  await step('Ann rotates the photo, everyone sees it, and undoes it', async () => {
    await button(ann.page, 'Rotate photo').click();
    await waitUntil('portrait canvases', () => Promise.all(pages.map((p) =>
      canvas(p).evaluate((c) => c.height > c.width))), { ms: 3000, ok: (v) => v.every(Boolean) });
    await button(ann.page, 'Undo').click();
    await waitUntil('landscape again', () => Promise.all(pages.map((p) =>
      canvas(p).evaluate((c) => c.width > c.height))), { ms: 3000, ok: (v) => v.every(Boolean) });
  });

  const before = await docState(ann.page);
  await step('Cy reloads and gets the editor back with everything', async () => {
    await cy.page.reload();
    await waitInRoom(cy.page, id, 30_000);
    await canvas(cy.page).waitFor({ state: 'visible', timeout: 30_000 });
    await waitUntil('Cy\'s document back', () => docState(cy.page),
      { ms: 15_000, ok: (s) => s.doc === before.doc && s.n === 4 });
  });

  await step('Cy comes back with nothing kept (like a member who joined late) and gets it all from the others', async () => {
    await cy.page.evaluate(() => { localStorage.removeItem('huddle.edit.open'); sessionStorage.clear();
      for (const k of Object.keys(localStorage)) if (k.startsWith('huddle.edit.')) localStorage.removeItem(k); });
    await cy.page.reload();
    await waitInRoom(cy.page, id, 30_000);
    assert.equal(await photos(cy.page).count(), 0, 'no photo in his album');
    const open = cy.page.getByRole('button', { name: 'Open edited photo 1', exact: true });
    await open.click({ timeout: 30_000 });
    await canvas(cy.page).waitFor({ state: 'visible', timeout: 30_000 });
    await waitUntil('Cy\'s document and photo from the others', async () => ({
      ...(await docState(cy.page)),
      star: await countColour(cy.page, STAR, [0.7, 0.6, 0.9, 0.9]),
    }), { ms: 15_000, ok: (s) => s.doc === before.doc && s.n === 4 && s.star > 500 });
  });

  await step('Ann saves the edited photo: full size, strokes and stickers in place', async () => {
    const download = ann.page.waitForEvent('download', { timeout: 30_000 });
    await button(ann.page, 'Save edited photo').click();
    const file = await (await download).path();
    const png = readFileSync(file);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
    const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    assert.deepEqual([w, h], [1920, 1080], 'the photo\'s resolution');
    const counts = await ann.page.evaluate(async ({ b64, PEN, STAR }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth; c.height = img.naturalHeight;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const count = (rgb, [x0, y0, x1, y1]) => {
        const d = g.getImageData(x0 * c.width, y0 * c.height, (x1 - x0) * c.width, (y1 - y0) * c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]) < 60) n++;
        }
        return n;
      };
      return {
        stroke: count(PEN, [0.12, 0.15, 0.58, 0.3]),
        strokeElsewhere: count(PEN, [0.05, 0.65, 0.3, 0.95]),
        star: count(STAR, [0.7, 0.6, 0.9, 0.9]),
        starElsewhere: count(STAR, [0.05, 0.65, 0.3, 0.95]),
      };
    }, { b64: png.toString('base64'), PEN, STAR });
    t.diagnostic(`saved PNG ${w}x${h}: ${JSON.stringify(counts)}`);
    assert.ok(counts.stroke > 6000, 'the stroke where it was drawn');
    assert.ok(counts.star > 2000, 'the star where it was placed');
    assert.ok(counts.strokeElsewhere < 50 && counts.starElsewhere < 50, 'and not elsewhere');
  });
  mkdirSync(RESULTS_DIR, { recursive: true });
  await centre(bob.page);
  await bob.page.screenshot({ path: path.join(RESULTS_DIR, 'edit-together.png') });
}));

/** Scrolls the editor canvas to the middle of the window, clear of the sticky top bar. */
async function centre(page) {
  await canvas(page).evaluate((c) => c.scrollIntoView({ block: 'center' }));
}

/** A position inside the editor canvas (shares), for locator.click. */
async function pos(page, u, v) {
  const box = await canvas(page).boundingBox();
  return { x: box.width * u, y: box.height * v };
}
