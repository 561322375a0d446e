#!/usr/bin/env node
// Data channel round trip between two headless Chromium pages of the app in one room.
// Starts target/release/huddle-server on dist/ (or uses HUDDLE_URL if set), makes a room with two
// members, then calls the app's exported `window.wasmBindings.measure_round_trips(N)` on the
// creator's page and prints its JSON ({"samples":N,"median_ms":…,"p95_ms":…}).
//   node tests/e2e/bench/datachannel.mjs [N=100]     (scripts/bench.sh builds first and runs this)
import { benchMain, launchMember, within, waitUntil } from '../lib/harness.mjs';
import { createRoom, joinRoom, waitForMembers } from '../lib/app.mjs';

const samples = Number(process.argv[2] || 100);
await benchMain('bench-datachannel', async (rec, url) => {
  const a = await launchMember({ recorder: rec });
  const b = await launchMember({ recorder: rec });
  const id = await createRoom(a.page, url, { name: 'Bench A', limit: 2 });
  await joinRoom(b.page, `${url}/room/${id}`, { name: 'Bench B' });
  await waitForMembers(a.page, ['Bench A', 'Bench B']);
  await waitUntil('window.wasmBindings.measure_round_trips to exist on the page', () =>
    a.page.evaluate(() => typeof window.wasmBindings?.measure_round_trips === 'function'), { ms: 10_000 });
  const json = await within(60_000, `measure_round_trips(${samples}) to resolve`,
    a.page.evaluate((n) => window.wasmBindings.measure_round_trips(n), samples));
  const result = typeof json === 'string' ? JSON.parse(json) : json;
  if (!(result.samples > 0) || !Number.isFinite(result.median_ms)) {
    throw new Error(`unexpected result from measure_round_trips: ${JSON.stringify(json)}`);
  }
  console.log(JSON.stringify(result));
  console.log(`data channel round trip: median ${result.median_ms} ms, p95 ${result.p95_ms} ms over ${result.samples} samples`);
});
