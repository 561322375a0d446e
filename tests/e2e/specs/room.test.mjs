// Rooms: create, join with a password, live video both ways, refusals, invite links, leaving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2e, launchMember, cameraFile, waitUntil } from '../lib/harness.mjs';
import {
  createRoom, joinRoom, openAndSubmitJoin, waitForMembers, waitForAlert, waitForLiveVideo,
  waitInRoom, members, tile, step, ROOM_URL,
} from '../lib/app.mjs';

const T = { timeout: 120_000 };
const PASSWORD = 'correct horse 42';

test('two members create and join a password room and see each other\'s live video', T, e2e(async (t, rec) => {
  const a = await launchMember({ recorder: rec, y4m: cameraFile('portrait_man_upper_body_suit.jpg') });
  const b = await launchMember({ recorder: rec, y4m: cameraFile('grace_hopper.jpg') });
  const id = await createRoom(a.page, rec.url, { name: 'Alice', limit: 2, password: PASSWORD });
  assert.match(id, /^\d{8}$/);

  const { passwordAsked } = await joinRoom(b.page, `${rec.url}/room/${id}`, { name: 'Bob', password: PASSWORD });
  assert.ok(passwordAsked, 'the join form of a password room must ask for the password');

  for (const p of [a.page, b.page]) {
    const items = await waitForMembers(p, ['Alice', 'Bob']);
    assert.match(items[0], /Creator/, `the creator's item says "Creator": ${JSON.stringify(items)}`);
    assert.doesNotMatch(items[1], /Creator/, `only the creator's item says "Creator": ${JSON.stringify(items)}`);
  }
  // Each sees the other's live video (and has its own tile with a <video>).
  const bOnA = await waitForLiveVideo(a.page, 'Bob');
  const aOnB = await waitForLiveVideo(b.page, 'Alice');
  t.diagnostic(`Bob on Alice's page: ${JSON.stringify(bOnA)}; Alice on Bob's: ${JSON.stringify(aOnB)}`);
  for (const [p, own] of [[a.page, 'Alice'], [b.page, 'Bob']]) {
    assert.equal(await tile(p, own).locator('video').count(), 1, `${own} has a video in their own tile`);
  }
}));

test('a third browser is refused: "This room is full."', T, e2e(async (t, rec) => {
  const [a, b, c] = [await launchMember({ recorder: rec }), await launchMember({ recorder: rec }),
    await launchMember({ recorder: rec })];
  const id = await createRoom(a.page, rec.url, { name: 'Alice', limit: 2 });
  await joinRoom(b.page, `${rec.url}/room/${id}`, { name: 'Bob' });
  await waitForMembers(a.page, ['Alice', 'Bob']);

  await openAndSubmitJoin(c.page, `${rec.url}/room/${id}`, { name: 'Carol' });
  await waitForAlert(c.page, 'This room is full.');
  // Carol never got in: the others still see exactly two members.
  await new Promise((r) => setTimeout(r, 1000));
  for (const p of [a.page, b.page]) assert.deepEqual((await members(p)).length, 2, 'still two members');
  assert.ok(!(await members(c.page)).some((s) => s.includes('Carol')), 'Carol is not listed on her own page');
}));

test('a wrong password is refused, then the right one lets the member in', T, e2e(async (t, rec) => {
  const a = await launchMember({ recorder: rec });
  const b = await launchMember({ recorder: rec });
  const id = await createRoom(a.page, rec.url, { name: 'Alice', limit: 3, password: PASSWORD });

  const r = await openAndSubmitJoin(b.page, `${rec.url}/room/${id}`, { name: 'Bob', password: 'not the password' });
  assert.ok(r.passwordAsked, 'the join form asks for the password');
  await waitForAlert(b.page, 'That password is not right for this room.');
  await new Promise((res) => setTimeout(res, 1000));
  assert.deepEqual((await members(a.page)).length, 1, 'Bob must not be in the room after a wrong password');

  await joinRoom(b.page, `${rec.url}/room/${id}`, { name: 'Bob', password: PASSWORD });
  await waitForMembers(a.page, ['Alice', 'Bob']);
}));

test('an invite link joins a password room without the password', T, e2e(async (t, rec) => {
  const a = await launchMember({ recorder: rec });
  const b = await launchMember({ recorder: rec });
  const id = await createRoom(a.page, rec.url, { name: 'Alice', limit: 2, password: PASSWORD });

  const invite = await step('reading the "Invite link" input', () =>
    a.page.getByLabel('Invite link', { exact: true }).inputValue());
  assert.match(invite, new RegExp(`/room/${id}\\?invite=[^&\\s]+`), `invite link format: ${invite}`);
  assert.ok(invite.startsWith(rec.url), `the invite link is a full URL on this server: ${invite}`);
  assert.equal(await a.page.getByLabel('Invite link', { exact: true }).getAttribute('readonly'), '',
    'the "Invite link" input is readonly');
  await a.page.getByRole('button', { name: 'Copy invite link', exact: true }).waitFor({ timeout: 5000 });
  const qr = a.page.getByAltText('QR code for the invite link', { exact: true });
  await waitUntil('the invite QR code image to load', () =>
    qr.evaluate((img) => img.complete && img.naturalWidth > 0), { ms: 10_000 });

  const { passwordAsked } = await joinRoom(b.page, invite, { name: 'Bob' });
  assert.equal(passwordAsked, false, 'an invite link must not ask for the password');
  await waitForMembers(a.page, ['Alice', 'Bob']);
  await waitForMembers(b.page, ['Alice', 'Bob']);
}));

test('closing a member\'s browser removes it from the other\'s member list', T, e2e(async (t, rec) => {
  const a = await launchMember({ recorder: rec });
  const b = await launchMember({ recorder: rec });
  const id = await createRoom(a.page, rec.url, { name: 'Alice', limit: 2 });
  await joinRoom(b.page, `${rec.url}/room/${id}`, { name: 'Bob' });
  await waitForMembers(a.page, ['Alice', 'Bob']);
  await tile(a.page, 'Bob').waitFor({ timeout: 10_000 });

  await b.context.close();
  await waitForMembers(a.page, ['Alice'], 8_000);
  await waitUntil('Bob\'s video tile to disappear from Alice\'s page', () => tile(a.page, 'Bob').count(),
    { ms: 8_000, ok: (n) => n === 0 });
}));

test('"Leave room" returns to the home page and the others see the member leave', T, e2e(async (t, rec) => {
  const a = await launchMember({ recorder: rec });
  const b = await launchMember({ recorder: rec });
  const id = await createRoom(a.page, rec.url, { name: 'Alice', limit: 2 });
  await joinRoom(b.page, `${rec.url}/room/${id}`, { name: 'Bob' });
  await waitForMembers(a.page, ['Alice', 'Bob']);

  await step('clicking "Leave room"', () => b.page.getByRole('button', { name: 'Leave room', exact: true }).click());
  await step('the URL to become / after "Leave room"', () =>
    b.page.waitForURL((u) => u.pathname === '/', { timeout: 10_000 }));
  await waitForMembers(a.page, ['Alice'], 8_000);
}));

test('an unknown room number is refused: "There is no room with that number."', T, e2e(async (t, rec) => {
  const a = await launchMember({ recorder: rec });
  await openAndSubmitJoin(a.page, `${rec.url}/room/12345678`, { name: 'Alice' });
  await waitForAlert(a.page, 'There is no room with that number.');
}));

test('home: "Join room" with a room number opens that room', T, e2e(async (t, rec) => {
  const a = await launchMember({ recorder: rec });
  const b = await launchMember({ recorder: rec });
  const id = await createRoom(a.page, rec.url, { name: 'Alice', limit: 2 });

  await b.page.goto(`${rec.url}/`);
  await b.page.getByLabel('Your name', { exact: true }).fill('Bob');
  await b.page.getByLabel('Room number', { exact: true }).fill(id);
  await b.page.getByRole('button', { name: 'Join room', exact: true }).click();
  await step(`the URL to become /room/${id}`, () =>
    b.page.waitForURL((u) => u.pathname === `/room/${id}`, { timeout: 10_000 }));
  // The name is known from the home page, so the app joins a room without password by itself.
  await waitInRoom(b.page, id);
  await waitForMembers(a.page, ['Alice', 'Bob']);
}));

test('home: a publicly listed room appears under "Featured rooms" and joins from there', T, e2e(async (t, rec) => {
  const a = await launchMember({ recorder: rec });
  const b = await launchMember({ recorder: rec });
  const id = await createRoom(a.page, rec.url, { name: 'Alice', limit: 4, listed: true });

  await b.page.goto(`${rec.url}/`);
  await b.page.getByLabel('Your name', { exact: true }).fill('Bob');
  const featured = b.page.getByRole('list', { name: 'Featured rooms', exact: true });
  const item = featured.getByRole('listitem').first();
  await waitUntil('a room under "Featured rooms"', () => featured.getByRole('listitem').count(),
    { ms: 10_000, ok: (n) => n === 1 });
  await item.getByRole('link').or(item.getByRole('button')).first().click();
  await step(`the URL to become /room/${id}`, () => b.page.waitForURL(ROOM_URL, { timeout: 10_000 }));
  assert.equal(b.page.url().match(ROOM_URL)[1], id, 'the featured item leads to the listed room');
  await waitInRoom(b.page, id); // the name is known: no join form, no click
  await waitForMembers(a.page, ['Alice', 'Bob']);
}));

test('an expired invite link is refused: "This invite link has expired."', T, e2e(async (t, rec) => {
  const a = await launchMember({ recorder: rec });
  const b = await launchMember({ recorder: rec });
  await createRoom(a.page, rec.url, { name: 'Alice', limit: 2, password: PASSWORD });
  const invite = await a.page.getByLabel('Invite link', { exact: true }).inputValue();
  await new Promise((r) => setTimeout(r, 3500)); // the server was started with 2 s invites
  await openAndSubmitJoin(b.page, invite, { name: 'Bob' });
  await waitForAlert(b.page, 'This invite link has expired.');
  assert.equal((await members(a.page)).length, 1, 'Bob must not be in the room');
}, { serverEnv: { HUDDLE_INVITE_TTL: '2s' } }));

test('repeated wrong passwords are slowed down: "Too many attempts. Try again in N s."', T, e2e(async (t, rec) => {
  const a = await launchMember({ recorder: rec });
  const b = await launchMember({ recorder: rec });
  const id = await createRoom(a.page, rec.url, { name: 'Alice', limit: 2, password: PASSWORD });
  // The server allows 2 failed joins per address per minute here: the third attempt is refused
  // as too many instead of being checked.
  for (let i = 1; i <= 2; i++) {
    await openAndSubmitJoin(b.page, `${rec.url}/room/${id}`, { name: 'Bob', password: `wrong ${i}` });
    await waitForAlert(b.page, 'That password is not right for this room.');
  }
  await openAndSubmitJoin(b.page, `${rec.url}/room/${id}`, { name: 'Bob', password: `wrong 3` });
  await waitForAlert(b.page, /Too many attempts\. Try again in \d+ s\./);
  assert.equal((await members(a.page)).length, 1, 'Bob must not be in the room');
}, { serverEnv: { HUDDLE_IP_FAILURES_PER_MINUTE: '2' } }));
