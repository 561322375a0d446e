// The member's own settings and devices: remembered name, no camera (a placeholder, or a
// photo standing in).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { e2e, launchMember, waitUntil, E2E_DIR } from '../lib/harness.mjs';
import { previewState, waitForEveryone, preview, shareOfColour } from '../lib/picture.mjs';
import {
  createRoom, joinRoom, waitForMembers, waitForCameraMessage, waitForLiveVideo, waitInRoom, members,
} from '../lib/app.mjs';

const T = { timeout: 120_000 };

test('the display name is remembered across a reload', T, e2e(async (t, rec) => {
  const a = await launchMember({ recorder: rec });
  await a.page.goto(`${rec.url}/`);
  const name = a.page.getByLabel('Your name', { exact: true });
  await name.fill('Ada Lovelace');
  await name.press('Tab');
  await a.page.reload();
  await name.waitFor({ timeout: 10_000 });
  assert.equal(await name.inputValue(), 'Ada Lovelace', '"Your name" after a reload');
}));

for (const camera of ['denied', 'missing']) {
  test(`camera ${camera}: the member stays in the room with a message about the camera`, T, e2e(async (t, rec) => {
    const a = await launchMember({ recorder: rec });
    const b = await launchMember({ recorder: rec, camera });
    const id = await createRoom(a.page, rec.url, { name: 'Alice', limit: 2 });
    await joinRoom(b.page, `${rec.url}/room/${id}`, { name: 'Bob' });

    const msg = await waitForCameraMessage(b.page, 'Bob');
    t.diagnostic(`camera message: ${msg}`);
    await waitInRoom(b.page, id);
    await waitForMembers(b.page, ['Alice', 'Bob']);
    await waitForMembers(a.page, ['Alice', 'Bob']);
    // Still there a few seconds later (the camera failure must not end the session).
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal((await members(a.page)).length, 2, 'Bob is still in the room');
  }));
}

test('a member without a camera still sees the others\' live video', T, e2e(async (t, rec) => {
  const a = await launchMember({ recorder: rec });
  const b = await launchMember({ recorder: rec, camera: 'missing' });
  const id = await createRoom(a.page, rec.url, { name: 'Alice', limit: 2 });
  await joinRoom(b.page, `${rec.url}/room/${id}`, { name: 'Bob' });
  await waitForMembers(b.page, ['Alice', 'Bob']);
  await waitForLiveVideo(b.page, 'Alice');

  // In Alice's picture, on charcoal, Bob's place holds a light head-and-shoulders placeholder
  // with his name.
  await a.page.getByLabel('Background', { exact: true }).selectOption('charcoal');
  // The light studio backdrop must be gone before light pixels can mean the placeholder.
  await waitUntil('the charcoal background on Alice\'s page', () => shareOfColour(a.page, [38, 40, 46]),
    { ms: 15_000, every: 250, ok: (share) => share > 0.25 });
  const light = (page, region) => preview(page).evaluate((c, [x, y, w, h]) => {
    const d = c.getContext('2d').getImageData(Math.round(x), Math.round(y), Math.round(w), Math.round(h)).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 110 && d[i + 1] > 110 && d[i + 2] > 110) n++;
    return n / (d.length / 4);
  }, region);
  const bobPlace = async () => (await previewState(a.page)).members[1];
  const placeholder = await waitUntil('a placeholder in Bob\'s place on Alice\'s page', async () => {
    const m = await bobPlace();
    if (!m || m.drawn) return null;
    const share = await light(a.page, m.region);
    return share > 0.1 ? share : null;
  }, { ms: 30_000, every: 250 });
  t.diagnostic(`placeholder covers ${(placeholder * 100).toFixed(1)} % of Bob's place`);
  assert.ok(placeholder < 0.6, 'a silhouette, not a filled box');
  await waitUntil('Bob\'s name over his place', () => a.page.locator('.stage-names').textContent(),
    { ok: (text) => /Bob \(no picture yet\)/.test(text ?? '') });

  // Bob uses a photo instead: Alice's picture shows him cut out of it.
  await b.page.getByLabel('Use a photo instead').setInputFiles(path.join(E2E_DIR, 'fixtures/grace_hopper.jpg'));
  await waitUntil('Bob\'s page to say the photo stands in', () => b.page.getByText('Your photo stands in for your camera.').count(),
    { ms: 10_000, ok: (n) => n === 1 });
  const s = await waitForEveryone(a.page, 2, 60_000);
  const bob = s.members[1];
  assert.ok(bob.drawn, 'Bob is drawn from his photo');
  // Grace Hopper's face and white cap badge are light on the charcoal backdrop.
  const person = await waitUntil('Bob\'s photo cut out in his place', async () => {
    const share = await light(a.page, bob.region);
    return share > 0.03 ? share : null;
  }, { ms: 60_000, every: 250 });
  t.diagnostic(`Bob's place after the photo: ${JSON.stringify(bob)}, light share ${person.toFixed(3)}`);
  await a.page.screenshot({ path: path.join(E2E_DIR, 'results', 'photo-instead.png') });
  await waitUntil('Bob\'s name without the note', () => a.page.locator('.stage-names').textContent(),
    { ok: (text) => /Bob/.test(text ?? '') && !/no picture yet/.test(text ?? '') });
}));
