// The member's own settings and devices: remembered name, no camera.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2e, launchMember } from '../lib/harness.mjs';
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
}));
