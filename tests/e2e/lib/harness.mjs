// Test harness: the server, one headless Chromium per member, fake-camera files, bounded waits,
// and screenshots of every open page when a test fails.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(E2E_DIR, '../..');
export const RESULTS_DIR = path.join(E2E_DIR, 'results');
const FIXTURES_DIR = path.join(E2E_DIR, 'fixtures');

export const CHROMIUM = process.env.HUDDLE_CHROMIUM || '/usr/bin/chromium';
// The test build's server (what scripts/test.sh runs), else a release build.
const SERVER_BIN =
  process.env.HUDDLE_SERVER_BIN ||
  ['target/debug/huddle-server', 'target/release/huddle-server']
    .map((p) => path.join(ROOT, p))
    .find((p) => existsSync(p)) ||
  path.join(ROOT, 'target/debug/huddle-server');
const DIST_DIR = process.env.HUDDLE_DIST || path.join(ROOT, 'dist');

// Flags that work headless, as root, offline (see shared TOOLCHAIN.md).
const BASE_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // WebRTC on loopback: without it no ICE candidate is gathered and no connection opens.
  '--allow-loopback-in-peer-connection',
  // Keep hidden/background pages running at full speed (several browsers share 2 cores).
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Await `promise`, failing after `ms` with "timed out after Ns waiting for <what>". */
export async function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000}s waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Poll `fn` (async, returns a value) until `ok(value)` holds, for at most `ms`. On timeout the
 * error says what was awaited and the last value seen (or the last error thrown).
 */
export async function waitUntil(what, fn, { ms = 10_000, every = 200, ok = Boolean } = {}) {
  const deadline = Date.now() + ms;
  let last, lastErr;
  for (;;) {
    try {
      last = await fn();
      lastErr = undefined;
      if (ok(last)) return last;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() >= deadline) {
      const seen = lastErr ? `last error: ${lastErr.message.split('\n')[0]}` : `last value: ${JSON.stringify(last)}`;
      throw new Error(`timed out after ${ms / 1000}s waiting for ${what} (${seen})`);
    }
    await sleep(every);
  }
}

/** A python3 that can import PIL (Debian's python3-pil lives in /usr/bin/python3). */
function pythonWithPil() {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import PIL'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  throw new Error('no python3 with Pillow found (install python3-pil): needed to make the fake camera .y4m');
}

/**
 * A fake-camera .y4m made from a committed photo in fixtures/ by tools/make_y4m.py: 640x480,
 * `fps` frames a second (15 unless asked), 2 s looped by Chromium, with "live" motion so
 * consecutive frames differ. Written next to the photo (git-ignored) and re-made only when the
 * photo or the tool is newer.
 */
export function cameraFile(photo = 'portrait_man_upper_body_suit.jpg', fps = 15) {
  const src = path.join(FIXTURES_DIR, photo);
  const out = path.join(FIXTURES_DIR, `${path.parse(photo).name}.live${fps === 15 ? '' : fps}.y4m`);
  const tool = path.join(ROOT, 'tools/make_y4m.py');
  const fresh = existsSync(out) &&
    statSync(out).mtimeMs >= Math.max(statSync(src).mtimeMs, statSync(tool).mtimeMs);
  if (!fresh) {
    const r = spawnSync(pythonWithPil(), [tool, src, out, '--size', '640x480', '--fps', String(fps),
      '--seconds', '2', '--motion', 'live'], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`make_y4m.py failed for ${photo}: ${r.stderr || r.error}`);
  }
  return out;
}

/**
 * Start huddle-server on a free port (PORT=0) serving dist/, and wait (bounded) for the line
 * "Huddle is running at http://127.0.0.1:PORT/". Returns { url, stop(), log() }.
 */
export async function startServer({ timeoutMs = 20_000, env = {} } = {}) {
  // HUDDLE_SERVER_BIN is a path, or a command with arguments (for harness debugging).
  const [cmd, ...pre] = existsSync(SERVER_BIN) ? [SERVER_BIN] : SERVER_BIN.split(' ');
  if (!existsSync(cmd) && !process.env.HUDDLE_SERVER_BIN?.includes(' ')) {
    throw new Error(`${SERVER_BIN} is missing: run cargo build -p huddle-server`);
  }
  if (!existsSync(path.join(DIST_DIR, 'index.html'))) {
    throw new Error(`${DIST_DIR}/index.html is missing: run trunk build --release`);
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'huddle-e2e-data-'));
  const proc = spawn(cmd, [...pre, '--dist', DIST_DIR], {
    cwd: ROOT,
    env: {
      ...process.env, PORT: '0', HUDDLE_BIND: '127.0.0.1', HUDDLE_DATA_DIR: dataDir,
      HUDDLE_LOG: process.env.HUDDLE_LOG || 'info', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const log = () => output;
  const url = await within(timeoutMs, `huddle-server to print "Huddle is running at http://…/"`,
    new Promise((resolve, reject) => {
      const onData = (chunk) => {
        output += chunk;
        const m = output.match(/Huddle is running at (http:\/\/\S+?)\/?(\s|$)/);
        if (m) resolve(m[1].replace(/\/$/, ''));
      };
      proc.stdout.setEncoding('utf8').on('data', onData);
      proc.stderr.setEncoding('utf8').on('data', onData);
      proc.on('error', reject);
      proc.on('exit', (code, sig) =>
        reject(new Error(`huddle-server exited (${code ?? sig}) before printing its URL:\n${output}`)));
    })).catch((e) => {
    proc.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${e.message}\n--- server output ---\n${output}`);
  });
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await Promise.race([exited, sleep(3000)]);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { url, stop, log, proc };
}

/**
 * One Chromium (its own process, so its own fake camera) with one context and page.
 *   camera: 'fake'    fake camera playing `y4m` (default: the suit portrait), permission granted
 *           'denied'  a (fake) camera exists but permission is denied: getUserMedia -> NotAllowedError
 *           'missing' permission granted, but no camera exists: getUserMedia -> NotFoundError
 */
export async function launchMember({ camera = 'fake', y4m, extraArgs = [], recorder } = {}) {
  const args = [...BASE_ARGS, ...extraArgs];
  if (camera === 'fake') {
    args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${y4m || cameraFile()}`);
  } else if (camera === 'denied') {
    args.push('--use-fake-device-for-media-stream', '--deny-permission-prompts');
  } else if (camera === 'missing') {
    args.push('--use-fake-ui-for-media-stream');
  } else {
    throw new Error(`unknown camera mode ${camera}`);
  }
  const browser = await within(30_000, 'Chromium to launch',
    chromium.launch({ executablePath: CHROMIUM, headless: true, args }));
  const context = await browser.newContext({
    viewport: { width: 1000, height: 750 },
    permissions: camera === 'denied' ? [] : ['camera', 'microphone'],
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  const member = { browser, context, page, consoleLines };
  recorder?.add(member);
  return member;
}

/**
 * Per-test bookkeeping: tracks members and servers, screenshots every open page into
 * tests/e2e/results/ when the test fails (with the browser consoles and server output),
 * and closes everything at the end.
 */
export class Recorder {
  constructor(testName) {
    this.name = testName.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 80);
    this.members = [];
    this.servers = [];
  }
  add(member) { this.members.push(member); }
  addServer(server) { this.servers.push(server); }
  async saveFailure(err) {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const notes = [`${err?.stack || err}`];
    for (const [i, m] of this.members.entries()) {
      const file = path.join(RESULTS_DIR, `${this.name}-member${i + 1}.png`);
      try {
        if (!m.page.isClosed()) {
          await within(5000, 'a failure screenshot', m.page.screenshot({ path: file, fullPage: true }));
          notes.push(`member${i + 1}: ${m.page.url()} -> ${path.relative(ROOT, file)}`);
        }
      } catch (e) {
        notes.push(`member${i + 1}: no screenshot (${e.message})`);
      }
      if (m.consoleLines.length) notes.push(`member${i + 1} console:\n  ${m.consoleLines.slice(-40).join('\n  ')}`);
    }
    for (const s of this.servers) notes.push(`server output:\n${s.log().split('\n').slice(-60).join('\n')}`);
    writeFileSync(path.join(RESULTS_DIR, `${this.name}.txt`), notes.join('\n\n') + '\n');
  }
  async close() {
    for (const m of this.members) await within(10_000, 'a browser to close', m.browser.close()).catch(() => {});
    for (const s of this.servers) await s.stop();
  }
}

/**
 * Wrap a test body: `e2e(async (t, rec) => …)` for node:test. A fresh server per test
 * (rec.server / rec.url) so room numbers, rate limits and members never leak between tests.
 * `serverEnv` adds environment for the server (its flags all have env forms, e.g. HUDDLE_INVITE_TTL).
 */
export function e2e(body, { serverEnv = {} } = {}) {
  return async (t) => {
    const rec = new Recorder(t.name);
    try {
      const server = await startServer({ env: serverEnv });
      rec.addServer(server);
      rec.url = server.url;
      rec.server = server;
      await body(t, rec);
    } catch (err) {
      await rec.saveFailure(err).catch(() => {});
      throw err;
    } finally {
      await rec.close();
    }
  };
}

/**
 * Runs a benchmark script's `body(rec, url)` against HUDDLE_URL or a fresh server, saves
 * screenshots and logs on failure, closes everything and exits (1 on failure).
 */
export async function benchMain(name, body) {
  const rec = new Recorder(name);
  let code = 0;
  try {
    let url = process.env.HUDDLE_URL?.replace(/\/$/, '');
    if (!url) {
      const server = await startServer();
      rec.addServer(server);
      url = server.url;
    }
    await body(rec, url);
  } catch (e) {
    await rec.saveFailure(e).catch(() => {});
    console.error(`bench failed: ${e.message}\n(screenshots and logs in tests/e2e/results/)`);
    code = 1;
  } finally {
    await rec.close();
  }
  process.exit(code);
}
