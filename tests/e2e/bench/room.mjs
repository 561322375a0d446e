#!/usr/bin/env node
// The group photo room under load: for 2, 3 and 4 members (one headless Chromium each, fake
// cameras playing the three committed photos), measures on every member
//   - the live preview's frame rate (its data-frames over a window),
//   - bytes sent per second to each peer (RTCPeerConnection stats, video + data),
//   - the media path's delay from the WebRTC stats over the window: encode + network (RTT/2) + jitter buffer +
//     decode per frame, plus the receiver's preview interval (1/fps) — everything from a packed
//     frame leaving the sender to it being composed, except the sender's own vision time (in
//     docs/benchmarks.md from the vision bench),
//   - shutter to photo: from "Shoot" on the first page until the photo is on every page, and
//     where each page's time went (the photo's data-parts-ms / -composed-ms / -shown-ms: from
//     the page hearing of the shot until all parts were in, composed, encoded and shown).
// With --profile, also prints the first page's main-thread CPU profile over the window.
// Prints one JSON line per room size and a markdown table.
//   node tests/e2e/bench/room.mjs [--sizes 2,3,4] [--seconds 10] [--profile]   (scripts/bench.sh room runs it)
import { benchMain, launchMember, cameraFile, waitUntil } from '../lib/harness.mjs';
import { createRoom, joinRoom, waitForMembers } from '../lib/app.mjs';
import { previewState, waitForEveryone, photos } from '../lib/picture.mjs';
import { profileMainThread } from '../lib/profile.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const SIZES = arg('sizes', '2,3,4').split(',').map(Number);
const SECONDS = Number(arg('seconds', '10'));
const PROFILE = process.argv.includes('--profile');
const PHOTOS = ['astronaut.png', 'grace_hopper.jpg', 'portrait_man_upper_body_suit.jpg'];
const NAMES = ['Ann', 'Grace', 'Sam', 'Kim'];

// Every RTCPeerConnection the page makes, so the bench can read their stats.
const KEEP_PEER_CONNECTIONS = () => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = function (...args) {
    const pc = new Native(...args);
    pc.__n = window.__pcs.length;
    window.__pcs.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Native.prototype;
  Object.setPrototypeOf(window.RTCPeerConnection, Native);
};

async function stats(page) {
  return page.evaluate(async () => {
    let sent = 0;
    const delays = [];
    let peers = 0;
    for (const pc of window.__pcs || []) {
      if (pc.connectionState !== 'connected') continue;
      peers++;
      const report = await pc.getStats();
      let rtt = 0;
      report.forEach((s) => {
        if (s.type === 'transport') sent += s.bytesSent || 0;
        if (s.type === 'candidate-pair' && s.nominated && s.currentRoundTripTime) rtt = s.currentRoundTripTime;
      });
      report.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video' && s.framesDecoded > 0) {
          delays.push({
            id: `${pc.__n}/${s.id}`,
            jitterDelay: s.jitterBufferDelay || 0,
            emitted: s.jitterBufferEmittedCount || 0,
            decodeTime: s.totalDecodeTime,
            decoded: s.framesDecoded,
            rtt,
          });
        }
        if (s.type === 'outbound-rtp' && s.kind === 'video' && s.framesEncoded > 0) {
          delays.push({ id: `${pc.__n}/${s.id}`, encodeTime: s.totalEncodeTime, encoded: s.framesEncoded });
        }
      });
    }
    return { sent, peers, delays, at: performance.now() };
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

async function measure(url, size, rec) {
  const members = [];
  for (let i = 0; i < size; i++) {
    const m = await launchMember({ recorder: rec, y4m: cameraFile(PHOTOS[i % PHOTOS.length]) });
    await m.context.addInitScript(KEEP_PEER_CONNECTIONS);
    members.push(m);
  }
  const pages = members.map((m) => m.page);
  const id = await createRoom(pages[0], url, { name: NAMES[0], limit: size });
  for (let i = 1; i < size; i++) await joinRoom(pages[i], `${url}/room/${id}`, { name: NAMES[i] });
  for (const p of pages) await waitForMembers(p, NAMES.slice(0, size));
  for (const p of pages) await waitForEveryone(p, size, 180_000);

  const before = await Promise.all(pages.map(async (p) => ({ s: await stats(p), f: (await previewState(p)).frames })));
  if (PROFILE) {
    const p = await profileMainThread(pages[0], SECONDS * 1000);
    console.log(`main thread of page 0, ${p.totalMs.toFixed(0)} ms sampled:\n${p.rows.join('\n')}`);
  } else {
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
  }
  const after = await Promise.all(pages.map(async (p) => ({ s: await stats(p), f: (await previewState(p)).frames })));
  const fps = after.map((a, i) => (a.f - before[i].f) / ((a.s.at - before[i].s.at) / 1000));
  const kbitPerPeer = after.map((a, i) =>
    ((a.s.sent - before[i].s.sent) * 8) / 1000 / ((a.s.at - before[i].s.at) / 1000) / Math.max(1, a.s.peers));
  // Per stream, over the measuring window only (the call's start, with every browser loading its
  // models, would weigh on whole-call averages).
  const d = after.flatMap((a, i) => a.s.delays.map((x) => {
    const was = before[i].s.delays.find((y) => y.id === x.id) || {};
    const delta = (k) => x[k] - (was[k] || 0);
    return x.decoded !== undefined
      ? { jitter: delta('jitterDelay') / Math.max(1, delta('emitted')), decode: delta('decodeTime') / Math.max(1, delta('decoded')), rtt: x.rtt }
      : { encode: delta('encodeTime') / Math.max(1, delta('encoded')) };
  }));
  const encode = median(d.filter((x) => x.encode !== undefined).map((x) => x.encode * 1000));
  const inbound = d.filter((x) => x.decode !== undefined);
  const network = median(inbound.map((x) => (x.rtt / 2) * 1000));
  const jitter = median(inbound.map((x) => x.jitter * 1000));
  const decode = median(inbound.map((x) => x.decode * 1000));
  const compose = 1000 / median(fps);
  const pathMs = encode + network + jitter + decode + compose;

  // Shutter to photo on every page.
  const counts = await Promise.all(pages.map((p) => photos(p).count()));
  const t0 = Date.now();
  await pages[0].getByRole('button', { name: 'Shoot', exact: true }).click();
  const arrivals = await Promise.all(pages.map((p, i) => waitUntil(`the photo on page ${i}`,
    async () => ((await photos(p).count()) > counts[i] ? Date.now() - t0 : null), { ms: 30_000, every: 25 })));
  const stages = await Promise.all(pages.map((p) => photos(p).first().evaluate((img) => ({
    parts: Number(img.dataset.partsMs), composed: Number(img.dataset.composedMs), shown: Number(img.dataset.shownMs),
  }))));

  for (const m of members) await m.browser.close();
  rec.members = rec.members.filter((m) => !members.includes(m));
  return {
    members: size,
    preview_fps: fps.map((x) => Math.round(x * 10) / 10),
    kbit_per_s_per_peer: kbitPerPeer.map(Math.round),
    media_path_ms: { encode, network, jitter_buffer: jitter, decode, compose_interval: compose, total: pathMs },
    shutter_to_photo_ms: arrivals,
    shot_stages_ms: stages,
  };
}

const slowest = (stages) => {
  const s = stages.reduce((a, b) => (b.shown > a.shown ? b : a));
  return `${f0(s.parts)} / ${f0(s.composed)} / ${f0(s.shown)}`;
};
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '–');

await benchMain('bench-room', async (rec, url) => {
  const rows = [];
  for (const size of SIZES) {
    const r = await measure(url, size, rec);
    console.log(JSON.stringify(r));
    rows.push(r);
  }
  const f = (x) => (Number.isFinite(x) ? x.toFixed(0) : '–');
  console.log('\n| members | preview fps (min–max over members) | sent per peer, kbit/s (max) | media path ms (enc + net + jitter + dec + compose) | shutter → photo on all, ms | slowest page: parts in / composed / shown, ms |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    const p = r.media_path_ms;
    console.log(`| ${r.members} | ${Math.min(...r.preview_fps)}–${Math.max(...r.preview_fps)} | ${Math.max(...r.kbit_per_s_per_peer)} | ${f(p.total)} (${f(p.encode)} + ${f(p.network)} + ${f(p.jitter_buffer)} + ${f(p.decode)} + ${f(p.compose_interval)}) | ${Math.max(...r.shutter_to_photo_ms)} | ${slowest(r.shot_stages_ms)} |`);
  }
});
