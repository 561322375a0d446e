// The in-page half of the engine benchmark (run.mjs drives it). Served from
// /bench-vision/ next to a copy of dist/, so `/vision_worker.js` is our real worker build
// and `./ort/` holds onnxruntime-web's files. Everything runs on this page's main thread.
//
// window.bench.setup()          imports both engines (timed) and returns the environment
// window.bench.model(spec, opt) loads one model in both engines (timed), checks that they
//                               agree on the same input, then times them interleaved

const log = (...a) => {
  const s = a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ');
  console.log(s);
  document.getElementById('log').textContent += s + '\n';
};

let tract; // the vision worker's wasm-bindgen module (exports BenchModel)
let ort;

const now = () => performance.now();

async function fetchBytes(url) {
  const r = await fetch(url, { cache: 'no-store' });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** A model-size PNG (an exact model input, from crates/vision/tests/data) as NHWC RGB floats. */
async function photoInput(url, [scale, offset], shape) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  const bmp = await createImageBitmap(await r.blob(), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const [, h, w] = shape;
  if (bmp.width !== w || bmp.height !== h) throw new Error(`${url}: ${bmp.width}x${bmp.height}, model wants ${w}x${h}`);
  const ctx = new OffscreenCanvas(w, h).getContext('2d');
  ctx.drawImage(bmp, 0, 0);
  const px = ctx.getImageData(0, 0, w, h).data;
  const out = new Float32Array(w * h * 3);
  for (let i = 0, j = 0; i < px.length; i += 4, j += 3) {
    out[j] = px[i] * scale + offset;
    out[j + 1] = px[i + 1] * scale + offset;
    out[j + 2] = px[i + 2] * scale + offset;
  }
  return out;
}

/** Max abs difference per output between tract's last run and ort's `outs`, matched by name (else position). */
function compare(tm, oNames, outs) {
  const tNames = tm.output_names();
  const res = [];
  for (let i = 0; i < tNames.length; i++) {
    const name = oNames.includes(tNames[i]) ? tNames[i] : oNames[i];
    const a = tm.output(i);
    const b = outs[name]?.data;
    if (!b || a.length !== b.length) {
      res.push({ name: tNames[i], error: `tract ${a.length} values, ort ${b?.length ?? 'none'} (${name})` });
      continue;
    }
    let d = 0;
    let mag = 0;
    for (let k = 0; k < a.length; k++) {
      d = Math.max(d, Math.abs(a[k] - b[k]));
      mag = Math.max(mag, Math.abs(b[k]));
    }
    res.push({ name: tNames[i], values: a.length, max_abs_diff: d, max_abs_value: mag });
  }
  return res;
}

const maxDiff = (outputs) => outputs.reduce((m, o) => (o.error ? Infinity : Math.max(m, o.max_abs_diff)), 0);

/** Deterministic input: mulberry32 seeded by `seed`, uniform in [lo, hi). */
export function pseudoRandomInput(n, seed, lo, hi) {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = lo + (hi - lo) * u;
  }
  return out;
}

function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const r3 = (x) => Math.round(x * 1000) / 1000;

export function stats(samples) {
  const s = [...samples].sort((x, y) => x - y);
  return {
    n: s.length,
    median: r3(quantile(s, 0.5)),
    p10: r3(quantile(s, 0.1)),
    p90: r3(quantile(s, 0.9)),
    min: r3(s[0]),
    max: r3(s[s.length - 1]),
  };
}

async function setup({ workerJs = '/vision_worker.js', ortDir = './ort/' } = {}) {
  const env = {
    userAgent: navigator.userAgent,
    crossOriginIsolated: self.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
  };
  // Our engine: the worker module in this window (its main() returns early outside a worker).
  let t0 = now();
  tract = await import(workerJs);
  env.tract_import_ms = r3(now() - t0);
  t0 = now();
  await tract.default();
  env.tract_init_ms = r3(now() - t0); // fetch + compile + instantiate vision_worker_bg.wasm
  // onnxruntime-web, wasm backend, single thread, as in ANCHORS-browser.md.
  t0 = now();
  ort = await import(new URL(`${ortDir}ort.wasm.min.mjs`, import.meta.url).href);
  env.ort_import_ms = r3(now() - t0);
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = new URL(ortDir, import.meta.url).href;
  env.ort_version = ort.env.versions?.web ?? null;
  log('setup', env);
  return env;
}

const ORT_OPTIONS = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };

/** The first InferenceSession.create fetches and compiles ORT's wasm: time it on its own. */
async function ortInit(url) {
  const bytes = await fetchBytes(url);
  const t0 = now();
  const s = await ort.InferenceSession.create(bytes, ORT_OPTIONS);
  const ms = now() - t0;
  await s.release();
  log('ort init', ms);
  return r3(ms);
}

/**
 * One model in both engines.
 *   spec: { name, url, shape: [1,H,W,3], range: [lo, hi], seed }
 *   opt:  { warmups = 5, cycles = 10, per = 5 }  -> cycles*per timed calls per engine
 * Blocks of `per` calls alternate between the engines; the engine that goes first swaps
 * every cycle, so background load on this shared machine falls on both alike.
 */
async function model(spec, { warmups = 5, cycles = 10, per = 5 } = {}) {
  const res = { name: spec.name, shape: spec.shape, range: spec.range };
  const bytes = await fetchBytes(spec.url);
  res.bytes = bytes.length;
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const x = pseudoRandomInput(n, spec.seed, spec.range[0], spec.range[1]);

  // Load: parse, optimise and plan (tract); InferenceSession.create (ort). Bytes already fetched.
  let t0 = now();
  const tm = new tract.BenchModel(spec.name, bytes);
  res.tract_load_ms = r3(now() - t0);
  if (tm.input_len() !== n) throw new Error(`${spec.name}: tract input_len ${tm.input_len()} != ${n}`);
  t0 = now();
  const sess = await ort.InferenceSession.create(bytes, ORT_OPTIONS);
  res.ort_load_ms = r3(now() - t0);
  const feeds = { [sess.inputNames[0]]: new ort.Tensor('float32', x, spec.shape) };

  const runTract = async () => { tm.run(x); };
  let last;
  const runOrt = async () => { last = await sess.run(feeds); };

  t0 = now();
  await runTract();
  res.tract_first_run_ms = r3(now() - t0);
  t0 = now();
  await runOrt();
  res.ort_first_run_ms = r3(now() - t0);
  for (let i = 1; i < warmups; i++) {
    await runTract();
    await runOrt();
  }

  // Agreement: on the timed (pseudo-random) input, and on a real photo where the outputs
  // are not trivial (on noise the segmentation masks are all ~0).
  res.outputs = compare(tm, sess.outputNames, last);
  res.max_abs_diff = maxDiff(res.outputs);
  if (spec.photo) {
    const p = await photoInput(spec.photo, spec.norm, spec.shape);
    tm.run(p);
    const po = await sess.run({ [sess.inputNames[0]]: new ort.Tensor('float32', p, spec.shape) });
    res.photo = spec.photo.split('/').pop();
    res.photo_outputs = compare(tm, sess.outputNames, po);
    res.photo_max_abs_diff = maxDiff(res.photo_outputs);
  }

  // Timed, interleaved.
  const times = { tract: [], ort: [] };
  const cycleRatios = [];
  for (let c = 0; c < cycles; c++) {
    const order = c % 2 === 0 ? ['tract', 'ort'] : ['ort', 'tract'];
    const block = { tract: [], ort: [] };
    for (const eng of order) {
      const fn = eng === 'tract' ? runTract : runOrt;
      for (let i = 0; i < per; i++) {
        const s = now();
        await fn();
        block[eng].push(now() - s);
      }
    }
    times.tract.push(...block.tract);
    times.ort.push(...block.ort);
    cycleRatios.push(stats(block.tract).median / stats(block.ort).median);
  }
  res.tract = stats(times.tract);
  res.ort = stats(times.ort);
  res.ratio = r3(res.tract.median / res.ort.median);
  res.cycle_ratio = stats(cycleRatios);
  res.samples = { tract: times.tract.map(r3), ort: times.ort.map(r3) };
  tm.free();
  await sess.release();
  log(spec.name, { tract: res.tract, ort: res.ort, ratio: res.ratio, max_abs_diff: res.max_abs_diff });
  return res;
}

window.bench = { setup, ortInit, model };
document.getElementById('status').textContent = 'ready';
