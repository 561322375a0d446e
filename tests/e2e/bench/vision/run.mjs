#!/usr/bin/env node
// Vision benchmark in headless Chromium (see README.md here):
//  1. the same ONNX files through our tract build (the vision worker's wasm, `BenchModel`) and
//     through onnxruntime-web (wasm backend, 1 thread), interleaved on one page: ms per
//     inference, tract/ort ratio, output agreement, load times;
//  2. the /lab page with a 640x480 30 fps fake camera: frames per second and stage times;
//  3. download sizes (raw and gzip -9) of the worker's and the app's wasm.
// Prints markdown for docs/benchmarks.md and writes tests/e2e/results/bench-vision.json.
//
//   node tests/e2e/bench/vision/run.mjs [--calls 50] [--warmups 5] [--lab-seconds 10]
//                                       [--models a,b] [--no-lab] [--out FILE]
// Needs dist/ (trunk build --release), target/release/huddle-server and `npm ci` in this
// folder; `./scripts/bench.sh vision` does all of that first.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../../..');
const DIST = process.env.HUDDLE_DIST || path.join(ROOT, 'dist');
const ORT_DIST = path.join(HERE, 'node_modules/onnxruntime-web/dist');
const ORT_FILES = ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];
const ORT_PINNED = JSON.parse(readFileSync(path.join(HERE, 'package.json'), 'utf8')).dependencies['onnxruntime-web'];

const { values: opts } = parseArgs({
  options: {
    calls: { type: 'string', default: '50' },
    warmups: { type: 'string', default: '5' },
    'lab-seconds': { type: 'string', default: '10' },
    models: { type: 'string' },
    'no-lab': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(ROOT, 'tests/e2e/results/bench-vision.json') },
  },
});
const CALLS = Number(opts.calls);
const PER = 5; // calls per engine per interleaved block
const CYCLES = Math.max(2, Math.ceil(CALLS / PER));
const WARMUPS = Number(opts.warmups);
const LAB_SECONDS = Number(opts['lab-seconds']);

// The four models the app uses, then the attention landmark model as an extra.
// Input ranges as public/models/PROVENANCE.md says each model is normalised. `photo`: an exact
// model input from crates/vision/tests/data (the astronaut photo), for the agreement check.
const ZERO_ONE = [1 / 255, 0];
const MINUS_ONE_ONE = [1 / 127.5, -1];
const MODELS = [
  { name: 'selfie_segmentation', shape: [1, 256, 256, 3], norm: ZERO_ONE, photo: 'astronaut.selfie_segmentation.input.png' },
  { name: 'selfie_segmentation_landscape', shape: [1, 144, 256, 3], norm: ZERO_ONE, photo: 'astronaut.selfie_segmentation_landscape.input.png' },
  { name: 'face_detection_short_range', shape: [1, 128, 128, 3], norm: MINUS_ONE_ONE, photo: 'astronaut.face_detection_short_range.input.png' },
  { name: 'face_landmark', shape: [1, 192, 192, 3], norm: ZERO_ONE, photo: 'astronaut.face_crop_192.input.png' },
  { name: 'face_landmark_with_attention', shape: [1, 192, 192, 3], norm: ZERO_ONE, photo: 'astronaut.face_crop_192.input.png', extra: true },
].map((m, i) => ({
  ...m,
  url: `/models/${m.name}.onnx`,
  seed: 0x5eed + i,
  range: [m.norm[1], m.norm[1] + 255 * m.norm[0]],
}));
const PHOTO_DIR = path.join(ROOT, 'crates/vision/tests/data');
const wanted = opts.models ? opts.models.split(',') : null;
const models = wanted ? MODELS.filter((m) => wanted.includes(m.name)) : MODELS;
if (!models.length) throw new Error(`--models ${opts.models}: none of ${MODELS.map((m) => m.name).join(', ')}`);

// ---------- checks and the temporary site: dist/ + ort + this page ----------
function findOne(dir, re, what) {
  const hits = readdirSync(dir).filter((f) => re.test(f));
  if (hits.length !== 1) throw new Error(`${dir}: expected one ${what} (${re}), found ${hits.length ? hits.join(', ') : 'none'}: run trunk build --release (or ./scripts/bench.sh vision)`);
  return hits[0];
}
const workerWasm = findOne(DIST, /^vision_worker(-[0-9a-f]+)?_bg\.wasm$/, 'vision worker wasm');
const workerJs = findOne(DIST, /^vision_worker(-[0-9a-f]+)?\.js$/, 'vision worker module');
const appWasm = findOne(DIST, /^huddle-app(-[0-9a-f]+)?_bg\.wasm$/, 'app wasm');
const appJs = findOne(DIST, /^huddle-app(-[0-9a-f]+)?\.js$/, 'app module');
for (const f of ORT_FILES) {
  if (!existsSync(path.join(ORT_DIST, f))) throw new Error(`${ORT_DIST}/${f} is missing: run npm ci in ${path.relative(ROOT, HERE)}`);
}
const ortVersion = JSON.parse(readFileSync(path.join(HERE, 'node_modules/onnxruntime-web/package.json'), 'utf8')).version;
if (ortVersion !== ORT_PINNED) throw new Error(`onnxruntime-web ${ortVersion} installed, ${ORT_PINNED} pinned: run npm ci in ${path.relative(ROOT, HERE)}`);

const site = mkdtempSync(path.join(os.tmpdir(), 'huddle-bench-vision-'));
cpSync(DIST, site, { recursive: true, filter: (src) => path.basename(src) !== '.stage' });
mkdirSync(path.join(site, 'bench-vision/ort'), { recursive: true });
cpSync(path.join(HERE, 'page.html'), path.join(site, 'bench-vision/index.html'));
cpSync(path.join(HERE, 'page.js'), path.join(site, 'bench-vision/page.js'));
for (const f of ORT_FILES) cpSync(path.join(ORT_DIST, f), path.join(site, 'bench-vision/ort', f));
for (const m of models) {
  if (existsSync(path.join(PHOTO_DIR, m.photo))) {
    cpSync(path.join(PHOTO_DIR, m.photo), path.join(site, 'bench-vision/inputs', m.photo));
    m.photo = `/bench-vision/inputs/${m.photo}`;
  } else {
    process.stderr.write(`warning: ${path.relative(ROOT, PHOTO_DIR)}/${m.photo} is missing: no photo check for ${m.name}\n`);
    delete m.photo;
  }
}
process.env.HUDDLE_DIST = site; // read by the harness when it is imported (below)

const { startServer, launchMember, Recorder, within, waitUntil, cameraFile, RESULTS_DIR } =
  await import('../../lib/harness.mjs');

/** 640x480, 30 fps, 2 s looped, "live" motion. */
const camera30 = () => cameraFile('portrait_man_upper_body_suit.jpg', 30);

const gzipSize = (buf) => zlib.gzipSync(buf, { level: 9 }).length;
function sizeOf(dir, file) {
  const buf = readFileSync(path.join(dir, file));
  return { file, bytes: buf.length, gzip9: gzipSize(buf) };
}
const loadavg = () => os.loadavg().map((x) => Math.round(x * 100) / 100);
function gitCommit() {
  try {
    return execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

// ---------- the run ----------
const result = {
  started: new Date().toISOString(),
  commit: gitCommit(),
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, loadavg_before: loadavg() },
  settings: { calls: CYCLES * PER, warmups: WARMUPS, blocks: `${CYCLES} x ${PER} calls per engine, alternating, first engine swapped every block`, lab_seconds: LAB_SECONDS },
  files: { worker_wasm: workerWasm, worker_js: workerJs, app_wasm: appWasm, app_js: appJs, onnxruntime_web: ortVersion },
};
const rec = new Recorder('bench-vision');
let code = 0;
try {
  const server = await startServer();
  rec.addServer(server);
  const url = server.url;

  // 1. Engines, one page, no camera.
  const a = await launchMember({ camera: 'missing', recorder: rec });
  result.chromium = a.browser.version();
  await a.page.goto(`${url}/bench-vision/`);
  await waitUntil('the bench page to load', () => a.page.textContent('#status'), { ms: 20_000, ok: (s) => s === 'ready' });
  result.env = await within(60_000, 'both engines to initialise',
    a.page.evaluate((js) => window.bench.setup({ workerJs: js }), `/${workerJs}`));
  result.env.ort_init_ms = await within(60_000, 'onnxruntime-web to initialise',
    a.page.evaluate((u) => window.bench.ortInit(u), models.find((m) => m.name === 'face_detection_short_range')?.url ?? models[0].url));
  result.models = [];
  for (const m of models) {
    process.stderr.write(`==> ${m.name}: load, ${WARMUPS} warm-ups, ${CYCLES * PER} timed calls per engine\n`);
    const r = await within(300_000, `the ${m.name} benchmark`,
      a.page.evaluate(([spec, o]) => window.bench.model(spec, o), [m, { warmups: WARMUPS, cycles: CYCLES, per: PER }]));
    result.models.push({ ...r, extra: !!m.extra });
  }
  result.env.resources = await a.page.evaluate(() => performance.getEntriesByType('resource')
    .map((e) => e.name.replace(location.origin, '')).filter((n) => /\.(wasm|m?js)$/.test(n)));
  await a.browser.close();

  // 2. The /lab page with a 640x480 30 fps camera.
  if (!opts['no-lab']) {
    process.stderr.write(`==> /lab: ${LAB_SECONDS} s with a 640x480 30 fps fake camera\n`);
    const b = await launchMember({ camera: 'fake', y4m: camera30(), recorder: rec });
    result.lab = await measureLab(b.page, url);
    await b.browser.close();
  }

  // 3. Sizes.
  result.sizes = [
    sizeOf(DIST, workerWasm), sizeOf(DIST, workerJs), sizeOf(DIST, appWasm), sizeOf(DIST, appJs),
    ...ORT_FILES.map((f) => ({ ...sizeOf(ORT_DIST, f), onnxruntime_web: true })),
  ];
  result.machine.loadavg_after = loadavg();
  result.finished = new Date().toISOString();

  mkdirSync(path.dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(result, null, 1) + '\n');
  console.log(markdown(result));
  console.log(`\nraw JSON: ${path.relative(process.cwd(), opts.out) || opts.out}`);
  // Sanity check, not a precision test: a broken op gives differences of the order of the values.
  const bad = result.models.filter((m) => [...m.outputs, ...(m.photo_outputs ?? [])]
    .some((o) => !(o.max_abs_diff <= 1e-2 * Math.max(1, o.max_abs_value))));
  if (bad.length) {
    console.error(`engines disagree (max abs diff > 1% of max(1, |output|), or an output is missing): ${bad.map((m) => m.name).join(', ')}`);
    code = 1;
  }
} catch (e) {
  await rec.saveFailure(e).catch(() => {});
  console.error(`bench failed: ${e.message}\n(screenshots and logs in ${path.relative(ROOT, RESULTS_DIR)}/)`);
  code = 1;
} finally {
  await rec.close();
  rmSync(site, { recursive: true, force: true });
}
process.exit(code);

// ---------- /lab ----------
async function measureLab(page, url) {
  const lab = {};
  const t0 = Date.now();
  await page.goto(`${url}/lab`);
  const state = await waitUntil('the lab to load its models (data-state ready or failed)',
    () => page.getAttribute('.lab-stage', 'data-state'), { ms: 180_000, ok: (s) => s === 'ready' || s === 'failed' });
  lab.ready_after_ms = Date.now() - t0; // navigation to data-state=ready, polled every 200 ms
  if (state === 'failed') {
    lab.error = await page.textContent('.model-progress .alert').catch(() => 'failed');
    throw new Error(`/lab failed to load its models: ${lab.error}`);
  }
  // Let the pipeline warm up (first frames include first-run costs).
  await waitUntil('/lab to process 10 frames', () => page.getAttribute('.lab-stage', 'data-frames'),
    { ms: 60_000, ok: (f) => Number(f) >= 10 });
  await page.waitForTimeout(1000);
  lab.camera = await page.evaluate(() => {
    const v = document.querySelector('.lab-stage video');
    const s = v?.srcObject?.getVideoTracks?.()[0]?.getSettings?.() ?? {};
    return { video_width: v?.videoWidth, video_height: v?.videoHeight, track_frame_rate: s.frameRate ?? null };
  });
  const sample = () => page.evaluate(() => {
    const stage = document.querySelector('.lab-stage');
    const stats = {};
    for (const row of document.querySelectorAll('dl.lab-stats div.stat')) {
      stats[row.querySelector('dt')?.textContent.trim()] = row.querySelector('dd')?.textContent.trim();
    }
    return { t: performance.now(), frames: Number(stage.dataset.frames), stats };
  });
  const samples = [await sample()];
  const end = Date.now() + LAB_SECONDS * 1000;
  while (Date.now() < end) {
    await page.waitForTimeout(Math.min(1000, Math.max(0, end - Date.now())));
    samples.push(await sample());
  }
  const first = samples[0];
  const last = samples[samples.length - 1];
  lab.seconds = Math.round((last.t - first.t) / 100) / 10;
  lab.frames = last.frames - first.frames;
  lab.fps = Math.round((lab.frames / lab.seconds) * 100) / 100;
  // The panel's times are smoothed already; take the median of the once-a-second readings.
  const med = (xs) => { const s = xs.filter(Number.isFinite).sort((p, q) => p - q); return s.length ? s[(s.length - 1) >> 1] : null; };
  lab.stats = {};
  for (const label of Object.keys(last.stats)) {
    const nums = samples.slice(1).map((s) => parseFloat(s.stats[label]));
    lab.stats[label] = { median: med(nums), unit: /ms$/.test(last.stats[label] ?? '') ? 'ms' : '' };
  }
  lab.loads = await page.$$eval('details.load-times li', (lis) => lis.map((li) => li.textContent.trim()));
  lab.model_loads = lab.loads.map((t) => {
    const m = t.match(/^(.+?): ([\d.]+) MB, downloaded in (\d+) ms, prepared in (\d+) ms/);
    return m ? { file: m[1], mb: Number(m[2]), download_ms: Number(m[3]), prepare_ms: Number(m[4]) } : { text: t };
  });
  lab.readings = samples.map((s) => ({ t: Math.round(s.t), frames: s.frames, stats: s.stats }));
  return lab;
}

// ---------- markdown ----------
function markdown(r) {
  const f1 = (x) => (x == null || !Number.isFinite(x) ? '—' : x.toFixed(1));
  const f2 = (x) => (x == null || !Number.isFinite(x) ? '—' : x.toFixed(2));
  const ms0 = (x) => (x == null ? '—' : `${Math.round(x)}`);
  const sci = (x) => (x == null ? 'n/a' : x === 0 ? '0' : x.toExponential(1));
  const mb = (b) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} kB`);
  const dims = (s) => `${s[2]}×${s[1]}`;
  const out = [];
  const when = r.started.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  out.push(`### Vision engines in the browser (${when}${r.commit ? `, HEAD ${r.commit}` : ''})`);
  out.push('');
  out.push(`Headless Chromium ${r.chromium}, ${r.machine.cpus} vCPU (${r.machine.cpu}), load average ` +
    `${r.machine.loadavg_before[0]} → ${r.machine.loadavg_after[0]}. Same ONNX files and the same pseudo-random ` +
    `input for both engines, on one page's main thread: tract = our vision worker wasm (\`BenchModel.run\`), ` +
    `onnxruntime-web ${r.files.onnxruntime_web} = wasm backend, 1 thread, SIMD (\`session.run\`). ` +
    `ms per inference: median of ${r.settings.calls} calls after ${r.settings.warmups} warm-ups, interleaved ` +
    `(${r.settings.blocks}), p10–p90 in brackets. Max abs diff between the engines' outputs on that input / on a real ` +
    `photo (the astronaut model inputs in crates/vision/tests/data). Load = \`new BenchModel\` / ` +
    `\`InferenceSession.create\` from bytes in memory.`);
  out.push('');
  out.push('| model | input W×H | tract ms | onnxruntime-web ms | tract / ort | max abs diff | tract load ms | ort load ms |');
  out.push('|---|---|---|---|---|---|---|---|');
  for (const m of r.models) {
    out.push(`| ${m.extra ? '(extra) ' : ''}${m.name} | ${dims(m.shape)} | **${f2(m.tract.median)}** (${f2(m.tract.p10)}–${f2(m.tract.p90)}) | ` +
      `**${f2(m.ort.median)}** (${f2(m.ort.p10)}–${f2(m.ort.p90)}) | **${f2(m.ratio)}** | ${sci(m.max_abs_diff)} / ${sci(m.photo_max_abs_diff)} | ` +
      `${ms0(m.tract_load_ms)} | ${ms0(m.ort_load_ms)} |`);
  }
  out.push('');
  out.push(`Engine start-up: tract \`init()\` (fetch + compile + instantiate ${r.files.worker_wasm}) ${ms0(r.env.tract_init_ms)} ms; ` +
    `onnxruntime-web first \`InferenceSession.create\` (includes fetching and compiling its wasm) ${ms0(r.env.ort_init_ms)} ms. ` +
    `Per-block ratio tract/ort (median of ${r.settings.blocks.split(' ')[0]} blocks): ` +
    r.models.map((m) => `${m.name} ${f2(m.cycle_ratio.median)}`).join(', ') + '.');
  if (r.lab) {
    const L = r.lab;
    const s = (label) => L.stats[label]?.median;
    out.push('');
    out.push(`#### /lab, 640×480 camera at 30 fps (fake device), default models, ${L.seconds} s`);
    out.push('');
    out.push('| frames per second | person mask | face points | worker total | round trip | navigation → ready |');
    out.push('|---|---|---|---|---|---|');
    out.push(`| **${f1(L.fps)}** | ${f1(s('Person mask'))} ms | ${f1(s('Face points'))} ms | ${f1(s('Worker total'))} ms | ` +
      `${f1(s('Round trip'))} ms | ${ms0(L.ready_after_ms)} ms |`);
    out.push('');
    out.push(`Frames per second = frames processed (\`data-frames\`) / time over the window; stage times = median of the ` +
      `stats panel read once a second. Camera as seen by the page: ${L.camera.video_width}×${L.camera.video_height}` +
      `${L.camera.track_frame_rate ? ` at ${L.camera.track_frame_rate} fps` : ''}. Model load in the worker:`);
    for (const m of L.model_loads) {
      out.push(m.file ? `- \`${m.file}\`: ${m.mb} MB, downloaded in ${m.download_ms} ms, prepared in ${m.prepare_ms} ms` : `- ${m.text}`);
    }
  }
  out.push('');
  out.push('#### Download sizes');
  out.push('');
  out.push('| file | raw | gzip -9 |');
  out.push('|---|---|---|');
  for (const f of r.sizes) {
    out.push(`| ${f.onnxruntime_web ? `(for scale) onnxruntime-web \`${f.file}\`` : `\`${f.file}\``} | ${mb(f.bytes)} | ${mb(f.gzip9)} |`);
  }
  return out.join('\n');
}
