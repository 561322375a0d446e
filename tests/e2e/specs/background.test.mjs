// The room's own background photo: uploaded by one member, shown on everyone's preview (also
// for a member who joins afterwards), the newest upload winning, chosen again from the list
// after a preset, and in the full-resolution photo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { e2e, launchMember, waitUntil } from '../lib/harness.mjs';
import { createRoom, joinRoom, waitForMembers, step } from '../lib/app.mjs';
import { shareOfColour, photos, snapshotPhoto } from '../lib/picture.mjs';

const T = { timeout: 240_000 };
const TEAL = [20, 150, 140];
const ORANGE = [240, 120, 30];

/** A `w`×`h` BMP of one colour: a picture file any browser opens, written without a codec. */
function writeBmp(file, [r, g, b], w = 320, h = 180) {
  const row = Math.ceil((w * 3) / 4) * 4;
  const buf = Buffer.alloc(54 + row * h);
  buf.write('BM', 0, 'ascii');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(w, 18);
  buf.writeInt32LE(h, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  buf.writeUInt32LE(row * h, 34);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 54 + y * row + x * 3;
      buf[i] = b; buf[i + 1] = g; buf[i + 2] = r;
    }
  }
  writeFileSync(file, buf);
  return file;
}

async function waitForShare(page, rgb, what, ok) {
  let last;
  await waitUntil(`${what} on ${page.url()}`, async () => ok(last = await shareOfColour(page, rgb)),
    { ms: 30_000, every: 250 }).catch((e) => { throw new Error(`${e.message} (share ${last})`); });
  return last;
}

test('an uploaded background shows for everyone, late joiners too, and the newest wins', T, e2e(async (t, rec) => {
  const dir = os.tmpdir();
  const teal = writeBmp(path.join(dir, `huddle-teal-${process.pid}.bmp`), TEAL);
  const orange = writeBmp(path.join(dir, `huddle-orange-${process.pid}.bmp`), ORANGE);
  const notAPicture = path.join(dir, `huddle-not-a-picture-${process.pid}.png`);
  writeFileSync(notAPicture, 'this is text, not a PNG');

  const a = await launchMember({ recorder: rec });
  const id = await createRoom(a.page, rec.url, { name: 'Alice', limit: 2 });
  const upload = (page, file) => step(`uploading ${path.basename(file)} as the background`, () =>
    page.getByLabel('Upload background', { exact: true }).setInputFiles(file));

  await upload(a.page, notAPicture);
  await waitUntil('the error about the file', () => a.page.getByRole('alert').allTextContents(),
    { ok: (texts) => texts.some((x) => x.includes('That file is not a picture this browser can open')) });

  await upload(a.page, teal);
  const alone = await waitForShare(a.page, TEAL, 'the teal photo behind Alice', (s) => s > 0.3);
  t.diagnostic(`teal share on Alice's page: ${alone.toFixed(3)}`);
  assert.equal(await a.page.getByLabel('Background', { exact: true }).inputValue(), 'custom',
    'the list shows the room photo chosen');

  // Bob joins afterwards (no camera, so he is a placeholder) and gets the photo too.
  const b = await launchMember({ recorder: rec, camera: 'missing' });
  await joinRoom(b.page, `${rec.url}/room/${id}`, { name: 'Bob' });
  await waitForMembers(b.page, ['Alice', 'Bob']);
  await waitForShare(b.page, TEAL, 'the teal photo on the late joiner\'s page', (s) => s > 0.3);

  // Bob uploads another: the newest wins on both pages.
  await upload(b.page, orange);
  for (const p of [a.page, b.page]) {
    await waitForShare(p, ORANGE, 'Bob\'s orange photo', (s) => s > 0.3);
    assert.ok(await shareOfColour(p, TEAL) < 0.01, 'no teal left');
  }

  // A preset, then the room photo again from the list: still Bob's.
  await step('Alice picks "Studio"', () =>
    a.page.getByLabel('Background', { exact: true }).selectOption('studio'));
  await waitForShare(b.page, ORANGE, 'the photo gone', (s) => s < 0.01);
  await step('Alice picks "Room photo"', () =>
    a.page.getByLabel('Background', { exact: true }).selectOption({ label: 'Room photo' }));
  await waitForShare(b.page, ORANGE, 'the orange photo back', (s) => s > 0.3);

  // A shot is taken on the photo, at full resolution.
  await step('Alice clicks "Shoot"', () => a.page.getByRole('button', { name: 'Shoot', exact: true }).click());
  await waitUntil('the photo on Bob\'s page', () => photos(b.page).count(), { ms: 30_000, ok: (n) => n === 1 });
  const size = await snapshotPhoto(b.page, 0, 'shot');
  assert.deepEqual(size, [1920, 1080], 'a full-HD photo');
  const orangeInShot = await b.page.evaluate(([rgb]) => {
    const d = window.__snaps.shot;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]) <= 24) n++;
    }
    return n / (d.length / 4);
  }, [ORANGE]);
  t.diagnostic(`orange share of the photo: ${orangeInShot.toFixed(3)}`);
  assert.ok(orangeInShot > 0.3, 'the photo has the orange background');
}));
