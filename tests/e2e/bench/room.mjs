#!/usr/bin/env node
// The group photo room under load: for 2, 3 and 4 members (one headless Chromium each, fake
// cameras playing the three committed photos), measures on every member
//   - the live preview's frame rate (its data-frames over a window),
//   - bytes sent per second to each peer (RTCPeerConnection stats: both data channels), and the
//     round trip to each peer (the ICE candidate pair's currentRoundTripTime),
//   - camera → remote preview: the app's own measure over the window (window.wasmBindings.
//     live_media_stats): from the sender taking the camera frame (wall clock; the browsers share
//     this machine's clock) through vision, encoding, the data channel, decoding and composing
//     to the picture drawn on the receiver's preview canvas (median over members of each
//     member's median, and the worst member's p95), with the path's stages (camera → the
//     sender's encoder, out of it, arriving at the receiver, decoded there) and its end as the
//     screen gets it: the receiving page's next rendering after the draw,
//   - shutter to photo: from "Shoot" on the first page until the photo is on every page (the
//     click event's time to the photo entering each page's DOM; also as polled from here), and
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

// Notes (wall clock) when the next photo's <img> enters the page.
const WATCH_PHOTOS = () => {
  window.__photoAt = undefined;
  const seen = new MutationObserver((records) => {
    const added = records.some((r) => [...r.addedNodes].some((n) =>
      n.nodeType === 1 && (n.matches('img[alt="Photo"]') || n.querySelector('img[alt="Photo"]'))));
    if (added && window.__photoAt === undefined) {
      window.__photoAt = performance.timeOrigin + performance.now();
      seen.disconnect();
    }
  });
  seen.observe(document.body, { childList: true, subtree: true });
};

async function stats(page) {
  return page.evaluate(async () => {
    let sent = 0;
    let peers = 0;
    const rtts = [];
    for (const pc of window.__pcs || []) {
      if (pc.connectionState !== 'connected') continue;
      peers++;
      const report = await pc.getStats();
      report.forEach((s) => {
        if (s.type === 'transport') sent += s.bytesSent || 0;
        // The network round trip between the two browsers' WebRTC threads (ICE checks).
        if (s.type === 'candidate-pair' && s.nominated && s.currentRoundTripTime !== undefined) {
          rtts.push(Math.round(s.currentRoundTripTime * 1000));
        }
      });
    }
    return { sent, peers, rtts, at: performance.now() };
  });
}

// Camera → decoded on this page over the last `ms` (see crates/app/src/rtc/bench.rs).
const liveMedia = (page, ms) => page.evaluate((ms) => JSON.parse(window.wasmBindings.live_media_stats(ms)), ms);

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

  const composeMs = { read: [], paint: [] };
  const before = await Promise.all(pages.map(async (p) => ({
    s: await stats(p), f: (await previewState(p)).frames, e: (await liveMedia(p, 1)).encoded,
  })));
  if (PROFILE) {
    const p = await profileMainThread(pages[0], SECONDS * 1000);
    console.log(`main thread of page 0, ${p.totalMs.toFixed(0)} ms sampled:\n${p.rows.join('\n')}`);
  } else {
    // The compose worker's read and paint times of the picture shown, every half second.
    for (const until = Date.now() + SECONDS * 1000; Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 500));
      for (const p of pages) {
        const t = await p.getByRole('img', { name: 'Live preview' }).evaluate((c) => [Number(c.dataset.readMs), Number(c.dataset.paintMs)]);
        composeMs.read.push(t[0]);
        composeMs.paint.push(t[1]);
      }
    }
  }
  const after = await Promise.all(pages.map(async (p) => ({
    s: await stats(p), f: (await previewState(p)).frames, e: (await liveMedia(p, 1)).encoded,
  })));
  const fps = after.map((a, i) => (a.f - before[i].f) / ((a.s.at - before[i].s.at) / 1000));
  // How often each member's cut-out changes: the frames its encoder sent.
  const cutoutFps = after.map((a, i) => (a.e - before[i].e) / ((a.s.at - before[i].s.at) / 1000));
  const kbitPerPeer = after.map((a, i) =>
    ((a.s.sent - before[i].s.sent) * 8) / 1000 / ((a.s.at - before[i].s.at) / 1000) / Math.max(1, a.s.peers));
  // Over the measuring window only (the call's start, with every browser loading its models,
  // would weigh on whole-call figures).
  const live = await Promise.all(pages.map((p) => liveMedia(p, SECONDS * 1000)));
  const toDecoded = median(live.map((l) => l.median_ms));
  const toDecodedP95 = Math.max(...live.map((l) => l.p95_ms));
  // The senders' share: camera → encoder (vision and packing), median over members.
  const toEncoder = median(live.map((l) => l.to_encoder_ms));
  const toEncoded = median(live.map((l) => l.to_encoded_ms));
  const toReceived = median(live.map((l) => l.to_received_ms));
  const compose = 1000 / median(fps);
  // The whole path, where it ends: other members' pictures on each page's preview.
  const toShown = median(live.map((l) => l.to_shown_ms));
  const toShownP95 = Math.max(...live.map((l) => l.to_shown_p95_ms));
  // And to the page's next rendering after the picture was drawn: when the canvas goes to
  // the screen (a busy page renders late).
  const toRendered = median(live.map((l) => l.to_rendered_ms));
  const toRenderedP95 = Math.max(...live.map((l) => l.to_rendered_p95_ms));

  // Shutter to photo on every page, two ways: as this script sees it (from just before
  // the click until its polling finds the photo), and as the browsers see it (from the
  // click event's own time to the photo's <img> entering each page's DOM, on the
  // machine's wall clock the browsers share), which leaves out Playwright's checks
  // before clicking and the delay of polling busy pages.
  const counts = await Promise.all(pages.map((p) => photos(p).count()));
  await Promise.all(pages.map((p) => p.evaluate(WATCH_PHOTOS)));
  const shoot = pages[0].getByRole('button', { name: 'Shoot', exact: true });
  await shoot.evaluate((b) => b.addEventListener('click', (e) => {
    window.__shutterAt = performance.timeOrigin + e.timeStamp;
  }, { capture: true, once: true }));
  const t0 = Date.now();
  await shoot.click();
  const arrivals = await Promise.all(pages.map((p, i) => waitUntil(`the photo on page ${i}`,
    async () => ((await photos(p).count()) > counts[i] ? Date.now() - t0 : null), { ms: 30_000, every: 25 })));
  const shutterAt = await pages[0].evaluate(() => window.__shutterAt);
  const inDom = await Promise.all(pages.map((p) => p.evaluate(() => window.__photoAt)));
  const inBrowsers = inDom.map((at) => Math.round(at - shutterAt));
  const stages = await Promise.all(pages.map((p) => photos(p).first().evaluate((img) => ({
    mine: Number(img.dataset.mineMs), mine_sent: Number(img.dataset.mineSentMs), parts: Number(img.dataset.partsMs), composed: Number(img.dataset.composedMs), shown: Number(img.dataset.shownMs),
    read: Number(img.dataset.readMs), paint: Number(img.dataset.paintMs), part_sizes: img.dataset.partSizes,
  }))));

  for (const m of members) await m.browser.close();
  rec.members = rec.members.filter((m) => !members.includes(m));
  return {
    members: size,
    preview_fps: fps.map((x) => Math.round(x * 10) / 10),
    cutout_fps: cutoutFps.map((x) => Math.round(x * 10) / 10),
    kbit_per_s_per_peer: kbitPerPeer.map(Math.round),
    media_path_ms: { camera_to_encoder: toEncoder, camera_to_encoded: toEncoded, camera_to_received: toReceived, camera_to_decoded: toDecoded, camera_to_decoded_p95_worst_page: toDecodedP95, preview_interval: compose, camera_to_shown: toShown, camera_to_shown_p95_worst_page: toShownP95, camera_to_rendered: toRendered, camera_to_rendered_p95_worst_page: toRenderedP95 },
    live_frames_decoded: live.map((l) => l.decoded),
    compose_worker_ms: { read: median(composeMs.read), paint: median(composeMs.paint) },
    shutter_to_photo_ms: arrivals,
    shutter_to_photo_in_browsers_ms: inBrowsers,
    shot_stages_ms: stages,
    // Each page's round trips to its peers at the window's end, ms.
    peer_round_trips_ms: after.map((a) => a.s.rtts),
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
  console.log('\n| members | preview fps (min–max over members) | cut-out fps sent (min–max) | sent per peer, kbit/s (max) | camera → remote preview ms (drawn, median; worst page p95; stages: to encoder / out of it / received / decoded; to the next rendering of the page, median, worst p95) | shutter → photo on all, ms (click event → <img> in the DOM; as polled) | slowest page: parts in / composed / shown, ms |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const p = r.media_path_ms;
    console.log(`| ${r.members} | ${Math.min(...r.preview_fps)}–${Math.max(...r.preview_fps)} | ${Math.min(...r.cutout_fps)}–${Math.max(...r.cutout_fps)} | ${Math.max(...r.kbit_per_s_per_peer)} | ${f(p.camera_to_shown)} (p95 ${f(p.camera_to_shown_p95_worst_page)}; ${f(p.camera_to_encoder)} / ${f(p.camera_to_encoded)} / ${f(p.camera_to_received)} / ${f(p.camera_to_decoded)}; rendered ${f(p.camera_to_rendered)}, p95 ${f(p.camera_to_rendered_p95_worst_page)}) | ${Math.max(...r.shutter_to_photo_in_browsers_ms)}; ${Math.max(...r.shutter_to_photo_ms)} | ${slowest(r.shot_stages_ms)} |`);
  }
});
