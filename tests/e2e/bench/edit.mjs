#!/usr/bin/env node
// Edit together: how long an edit on one member takes to show on another, on loopback.
// Two members (no cameras) shoot a photo and open it in the editor; the first adds N stickers
// one after another (a DOM click on "Add star", timed on the page just before it), and the second
// notes when its editor shows the new element count (data-elements), timed in the animation frame
// that paints it. Both pages read the same
// wall clock (Date.now) on this machine.
//   node tests/e2e/bench/edit.mjs [N=60]      (scripts/bench.sh edit builds first and runs this)
import { benchMain, launchMember, waitUntil } from '../lib/harness.mjs';
import { createRoom, joinRoom, waitForMembers } from '../lib/app.mjs';
import { photos } from '../lib/picture.mjs';

const samples = Number(process.argv[2] || 60);
const editor = (page) => page.getByRole('region', { name: 'Photo editor', exact: true });

await benchMain('bench-edit', async (rec, url) => {
  const a = await launchMember({ recorder: rec, camera: 'missing' });
  const b = await launchMember({ recorder: rec, camera: 'missing' });
  const id = await createRoom(a.page, url, { name: 'Bench A', limit: 2 });
  await joinRoom(b.page, `${url}/room/${id}`, { name: 'Bench B' });
  await waitForMembers(a.page, ['Bench A', 'Bench B'], 30_000);
  await a.page.getByRole('button', { name: 'Shoot', exact: true }).click();
  for (const p of [a.page, b.page]) {
    await waitUntil('the photo', async () => (await photos(p).count()) === 1, { ms: 40_000 });
    await p.getByRole('button', { name: 'Edit together', exact: true }).click();
    await editor(p).getByRole('img', { name: 'Editor canvas', exact: true }).waitFor({ timeout: 20_000 });
  }
  await editor(a.page).getByRole('button', { name: 'Sticker', exact: true }).click();
  await b.page.evaluate(() => {
    const el = document.querySelector('section[aria-label="Photo editor"]');
    window.__seen = [];
    // The editor paints changes on the next animation frame, in a callback queued before
    // this one: the time taken in this frame's callback is after the paint.
    new MutationObserver(() => {
      const n = Number(el.dataset.elements);
      requestAnimationFrame(() => window.__seen.push([Date.now(), n]));
    })
      .observe(el, { attributes: true, attributeFilter: ['data-elements'] });
  });
  const latencies = [];
  for (let i = 1; i <= samples; i++) {
    const sent = await a.page.evaluate(() => {
      const button = [...document.querySelectorAll('section[aria-label="Photo editor"] button')]
        .find((x) => x.getAttribute('aria-label') === 'Add star');
      const t = Date.now();
      button.click();
      return t;
    });
    const seen = await waitUntil(`sticker ${i} on the second page`, () =>
      b.page.evaluate((n) => window.__seen.find(([, count]) => count >= n)?.[0], i), { ms: 5000, every: 20 });
    latencies.push(seen - sent);
    await new Promise((r) => setTimeout(r, 100));
  }
  latencies.sort((x, y) => x - y);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const renderMs = Number(await b.page.getByRole('img', { name: 'Editor canvas', exact: true })
    .getAttribute('data-render-ms'));
  const result = { samples, median_ms: at(0.5), p95_ms: at(0.95), max_ms: latencies.at(-1),
    last_render_ms: renderMs };
  console.log(JSON.stringify(result));
  console.log(`edit -> visible on another member: median ${result.median_ms} ms, p95 ${result.p95_ms} ms over ${samples} edits; ` +
    `the receiving editor's last repaint (${samples} stickers) took ${renderMs} ms`);
});
