// End to end: Debian chromium (headless, driven by playwright-core from web/node_modules) against the real
// container-monitor binary, a real test dockerd (the ctest fixture `dockerd`) and the stand-in NVML
// (tests/fakes libnvidia-ml.so.1 driven by a scenario file that puts real container processes on GPUs).
//
// Checks: containers and GPUs on the page (GPU processes under their container, host processes and orphaned
// GPU memory in groups of their own, an idle holder "idle for …"); a container started during the test
// appears without a reload; sorting and filtering work and live in the URL; a hidden tab lets the server
// pause and the page resumes on return; the first load stays within 150 KB gzip; no console errors; every
// request goes to loopback; screenshots in light and dark mode saved as artifacts.
//
// Environment (set by tests/e2e/CMakeLists.txt; defaults fit a run by hand from the repository root):
//   CMON_BINARY         the container-monitor binary                 (build/container-monitor)
//   CMON_FAKE_NVML_PATH the stand-in libnvidia-ml.so.1               (build/tests/fakes/libnvidia-ml.so.1)
//   CMON_DOCKERD_ENV    env file with DOCKER_HOST from the fixture   (else $DOCKER_HOST)
//   CMON_ARTIFACTS_DIR  where screenshots go                         (build/artifacts)
//   CMON_CHROMIUM       the browser                                  (/usr/bin/chromium)
// Usage: node tests/e2e/dashboard.test.mjs
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

const execFileAsync = promisify(execFile);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = process.env;
const BINARY = resolve(repo, env.CMON_BINARY || 'build/container-monitor');
const FAKE_NVML = resolve(repo, env.CMON_FAKE_NVML_PATH || 'build/tests/fakes/libnvidia-ml.so.1');
const ARTIFACTS = resolve(repo, env.CMON_ARTIFACTS_DIR || 'build/artifacts');
const CHROMIUM = env.CMON_CHROMIUM || '/usr/bin/chromium';
const IMAGE = 'cmon-test/busybox:latest';
const GIB = 1024 ** 3;
// Linux pids never exceed 2^22 (PID_MAX_LIMIT), so this one is guaranteed to be gone: orphaned memory.
const GONE_PID = 4194999;
// A container id (64 hex digits) in our own cgroup path: this test runs inside some container.
const RUNS_IN_CONTAINER = /[0-9a-f]{64}/.test(readFileSync('/proc/self/cgroup', 'utf8'));
// Chromium as root needs --no-sandbox; the rest keeps it from phoning home (no update, sync, QUIC).
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function dockerHost() {
  const file = env.CMON_DOCKERD_ENV;
  if (file && existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [name, ...rest] = line.trim().split('=');
      if (name === 'DOCKER_HOST' && rest.join('=')) return rest.join('=');
    }
  }
  if (!file && env.DOCKER_HOST) return env.DOCKER_HOST;
  throw new Error(`no test dockerd: run under ctest with the dockerd fixture (env file ${file || '(unset)'} missing), or set DOCKER_HOST to a test daemon (scripts/start-test-dockerd.sh DIR prints it)`);
}

// Polls fn until it returns something truthy; fails after `seconds` with `what` and the last value/error.
async function waitFor(fn, seconds, what) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

class Docker {
  constructor(host) {
    this.host = host;
    this.started = [];
  }

  async run(...args) {
    try {
      const { stdout } = await execFileAsync('docker', ['-H', this.host, ...args], { timeout: 60000 });
      return stdout.trim();
    } catch (e) {
      throw new Error(`docker ${args.join(' ')} failed: ${(e.stderr || e.message).trim()}`);
    }
  }

  // A container that ends by itself (sleep) even if this test dies; no network.
  async start(name) {
    const id = await this.run('run', '-d', '--network', 'none', '--name', name, IMAGE, 'sleep', '900');
    this.started.push(id);
    const pid = Number(await this.run('inspect', '-f', '{{.State.Pid}}', id));
    assert.ok(pid > 0, `host pid of ${name}`);
    return { id, shortId: id.slice(0, 12), name, pid };
  }

  async removeStarted() {
    for (const id of this.started.splice(0)) await this.run('rm', '-f', id).catch((e) => console.error(e.message));
  }
}

// The real binary on 127.0.0.1:0; its output is kept for failure messages and log checks. Stopped by PID.
class Monitor {
  constructor(args, extraEnv) {
    this.output = '';
    this.child = spawn(BINARY, ['--bind', '127.0.0.1', '--port', '0', ...args], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk) => {
      this.output += chunk;
    };
    this.child.stdout.on('data', collect);
    this.child.stderr.on('data', collect);
    this.exited = new Promise((ok) => this.child.once('exit', ok));
  }

  async ready() {
    this.base = await waitFor(() => {
      if (this.child.exitCode !== null) throw new Error(`monitor exited ${this.child.exitCode}:\n${this.output}`);
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(this.output);
      return m && m[1];
    }, 30, 'the monitor to print "serving on http://127.0.0.1:PORT/"');
    return this.base;
  }

  async stop() {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

// GET with gzip accepted; the body as it came over the wire (not decompressed).
function rawGet(url) {
  return new Promise((ok, fail) => {
    const req = httpGet(url, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', fail);
    });
    req.setTimeout(10000, () => req.destroy(new Error(`GET ${url}: no answer in 10 s`)));
    req.on('error', fail);
  });
}

function writeScenario(path, scenario) {
  writeFileSync(`${path}.tmp`, JSON.stringify(scenario));
  renameSync(`${path}.tmp`, path); // atomic: the monitor may be reading it
}

function gpu(index, processes) {
  return {
    name: `Fake GPU ${index} <b>`,
    uuid: `GPU-e2e00000-0000-0000-0000-00000000000${index}`,
    memory_total: 80 * GIB,
    memory_used: processes.reduce((s, p) => s + p.used_memory, 0) + GIB,
    util: 40 + index,
    memory_util: 10,
    temperature: 50 + index,
    power_mw: 200000 + index * 1000,
    power_limit_mw: 400000,
    fan: 30 + index,
    mig: false,
    processes,
  };
}

describe('dashboard end to end (real binary, dockerd, stand-in NVML, chromium)', { concurrency: false }, () => {
  const tag = `e2e${process.pid}`;
  const work = mkdtempSync(join(tmpdir(), 'cmon-e2e-'));
  const scenarioPath = join(work, 'nvml.json');
  const requests = [];
  const problems = []; // console errors, page errors, dialogs
  let docker;
  let monitor;
  let context;
  let page;
  let alpha; // on GPU 0, busy
  let bravo; // on GPU 1, idle holder

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`chromium not found at ${CHROMIUM}: the end-to-end test needs Debian's chromium (scripts/install-deps.sh test installs it; CMON_CHROMIUM=PATH points elsewhere)`);
    }
    for (const [what, path] of [['container-monitor binary (CMON_BINARY)', BINARY], ['stand-in NVML (CMON_FAKE_NVML_PATH)', FAKE_NVML]]) {
      if (!existsSync(path)) throw new Error(`${what} not found at ${path}: build it first`);
    }
    const requireFromWeb = createRequire(join(repo, 'web', 'package.json'));
    let chromium;
    try {
      ({ chromium } = requireFromWeb('playwright-core'));
    } catch (e) {
      throw new Error(`playwright-core is missing from web/node_modules (run npm ci in web/, or build the project): ${e.message}`);
    }
    docker = new Docker(dockerHost());
    alpha = await docker.start(`${tag}-alpha`);
    bravo = await docker.start(`${tag}-bravo`);
    writeScenario(scenarioPath, {
      gpus: [
        gpu(0, [
          { pid: alpha.pid, used_memory: 2 * GIB, sm_util: 40 },
          { pid: process.pid, used_memory: GIB / 2, sm_util: 5, type: 'graphics' }, // a host process
        ]),
        gpu(1, [
          { pid: bravo.pid, used_memory: 3 * GIB, sm_util: 0 }, // idle holder after --idle-gpu-after
          { pid: GONE_PID, used_memory: GIB }, // orphaned memory
        ]),
      ],
    });
    monitor = new Monitor(
      [
        '--docker-host', docker.host,
        '--nvml-library', FAKE_NVML,
        '--interval', '0.5',
        '--idle-pause', '2',
        '--idle-gpu-after', '1',
        '--idle-gpu-memory', '1',
        '--title', 'E2E <i>monitor</i>',
        '--note', 'maintenance <script>window.__pwned = 1</script> friday',
      ],
      { CMON_FAKE_NVML_SCENARIO: scenarioPath },
    );
    await monitor.ready();

    process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1360, height: 900 },
    });
    context.on('request', (r) => requests.push(r.url()));
    page = context.pages()[0] || (await context.newPage());
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      d.dismiss().catch(() => {});
    });
  });

  after(async () => {
    if (context) await context.close().catch((e) => console.error(e.message));
    if (monitor) {
      await monitor.stop();
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, 'e2e-monitor.log'), monitor.output);
      console.log(`monitor output: ${join(ARTIFACTS, 'e2e-monitor.log')}`);
    }
    if (docker) await docker.removeStarted();
    rmSync(work, { recursive: true, force: true });
  });

  const names = () => page.$$eval('tbody.group:not(.special) .cname', (els) => els.map((e) => e.textContent));
  const mine = async () => (await names()).filter((n) => n.startsWith(tag));
  const groupOf = (c) => page.locator(`tbody.group[data-key="${c.shortId}"]`);

  test('the page shows the containers, GPUs and GPU processes of the real snapshot', async () => {
    await page.goto(monitor.base);
    await page.waitForSelector('.status[data-status="connected"]', { timeout: 20000 });
    await page.waitForSelector(`tbody.group[data-key="${bravo.shortId}"].has-idle`, { timeout: 20000 });
    await page.evaluate(() => {
      window.__e2eLoaded = true; // survives only while the page is not reloaded
    });

    const snapshot = await (await fetch(new URL('api/v1/snapshot', monitor.base))).json();
    assert.equal(await page.textContent('h1'), 'E2E <i>monitor</i>');
    assert.equal(await page.textContent('.host-name'), snapshot.host.hostname);
    assert.match(await page.textContent('.note-text'), /maintenance <script>window.__pwned = 1<\/script> friday/);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(await page.locator('#app i, #app b, #app script').count(), 0, 'markup in data is shown as text');

    // GPUs: one card each with the model, utilization, temperature, power/limit and fan.
    assert.equal(await page.locator('.gpu-card').count(), 2);
    for (const g of snapshot.gpus) {
      const card = page.locator('.gpu-card', { hasText: `GPU ${g.index}` });
      assert.equal(await card.locator('.gpu-name').textContent(), g.name);
      assert.equal(await card.locator('.gpu-util').textContent(), `${g.utilization_percent}%`);
      const stats = await card.locator('.gpu-stats').textContent();
      assert.match(stats, new RegExp(`${g.temperature_celsius} °C`));
      assert.match(stats, new RegExp(`${Math.round(g.power_draw_milliwatts / 1000)} / 400 W`));
      assert.match(stats, new RegExp(`${g.fan_percent}%`));
    }

    // Containers with name, short id and image; the GPU process of alpha under alpha's row.
    assert.deepEqual((await mine()).sort(), [alpha.name, bravo.name]);
    for (const c of [alpha, bravo]) {
      assert.equal(await groupOf(c).locator('.col-id').textContent(), c.shortId);
      assert.equal(await groupOf(c).locator('.col-image').textContent(), IMAGE);
    }
    const alphaProc = await groupOf(alpha).locator('tr.proc').textContent();
    assert.match(alphaProc, new RegExp(`PID ${alpha.pid}`));
    assert.match(alphaProc, /GPU 0/);
    assert.match(alphaProc, /2\.00 GiB/);
    assert.match(alphaProc, /SM 40%/);
    assert.match(await groupOf(alpha).locator('.col-gpu_mem').textContent(), /2\.00 GiB/);

    // bravo holds 3 GiB with SM 0 for longer than --idle-gpu-after: highlighted "idle for …".
    assert.match(await groupOf(bravo).locator('tr.proc').textContent(), /idle for \d+ (s|min)/);

    // The host process (this test's own node) and the orphaned memory each in a group of its own. When the
    // test itself runs inside a container (a CI job in Docker), its node belongs to a container the test
    // dockerd doesn't list: then it is in the "containers not listed" group instead.
    const hostGroup = RUNS_IN_CONTAINER ? 'tbody.special-unlisted' : 'tbody.special-host';
    assert.match(await page.textContent(hostGroup), new RegExp(`PID ${process.pid}`));
    const orphan = await page.textContent('tbody.special-orphan');
    assert.match(orphan, new RegExp(`PID ${GONE_PID}`));
    assert.match(orphan, /process gone, memory still held/);
  });

  test('a container started now appears without a reload', async () => {
    const charlie = await docker.start(`${tag}-charlie`);
    await page.waitForSelector(`tbody.group[data-key="${charlie.shortId}"] .cname`, { timeout: 30000 });
    assert.equal(await groupOf(charlie).locator('.cname').textContent(), charlie.name);
    assert.equal(await page.evaluate(() => window.__e2eLoaded), true, 'the page was not reloaded');
  });

  test('sorting by a column and filtering work and are kept in the URL', async () => {
    await page.fill('input.filter', tag);
    await page.waitForFunction((t) => location.hash === `#q=${t}`, tag);
    assert.deepEqual(await names(), [`${tag}-alpha`, `${tag}-bravo`, `${tag}-charlie`]);

    await page.click('th[data-key="name"] button'); // name is the default (ascending): flips
    assert.equal(await page.getAttribute('th[data-key="name"]', 'aria-sort'), 'descending');
    assert.equal(new URL(page.url()).hash, `#sort=name&dir=desc&q=${tag}`);
    assert.deepEqual(await names(), [`${tag}-charlie`, `${tag}-bravo`, `${tag}-alpha`]);

    await page.click('th[data-key="gpu_mem"] button'); // most GPU memory first; none last
    assert.equal(await page.getAttribute('th[data-key="gpu_mem"]', 'aria-sort'), 'descending');
    assert.equal(new URL(page.url()).hash, `#sort=gpu_mem&dir=desc&q=${tag}`);
    assert.deepEqual(await names(), [`${tag}-bravo`, `${tag}-alpha`, `${tag}-charlie`]);

    await page.check('.toggle input');
    await page.waitForFunction(() => location.hash.endsWith('&gpu=1'));
    assert.deepEqual(await names(), [`${tag}-bravo`, `${tag}-alpha`]);

    await page.fill('input.filter', alpha.shortId.toUpperCase()); // by id, case-insensitive
    await page.waitForFunction((q) => location.hash.includes(`q=${q}`), alpha.shortId.toUpperCase());
    assert.deepEqual(await names(), [alpha.name]);

    // The state lives in the URL: a fresh load of it shows the same view.
    const url = page.url();
    await page.goto('about:blank');
    await page.goto(url);
    await page.waitForSelector('tbody.group .cname');
    assert.equal(await page.inputValue('input.filter'), alpha.shortId.toUpperCase());
    assert.equal(await page.isChecked('.toggle input'), true);
    assert.equal(await page.getAttribute('th[data-key="gpu_mem"]', 'aria-sort'), 'descending');
    assert.deepEqual(await names(), [alpha.name]);
  });

  test('a hidden tab closes its stream so the server pauses; showing it resumes without reload', async () => {
    await page.goto(monitor.base);
    await page.waitForSelector('.status[data-status="connected"]', { timeout: 20000 });
    await page.evaluate(() => {
      window.__e2eLoaded = true;
    });
    const flip = (state) => page.evaluate((s) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
    const pausedBefore = (monitor.output.match(/collection paused/g) || []).length;
    await flip('hidden');
    assert.equal(await page.getAttribute('.status', 'data-status'), 'hidden');
    await waitFor(() => (monitor.output.match(/collection paused/g) || []).length > pausedBefore, 20, 'the server to pause collection (no client)');
    const shownTime = await page.textContent('.facts .fact-value');
    await flip('visible');
    await page.waitForSelector('.status[data-status="connected"]', { timeout: 20000 });
    await page.waitForFunction((t) => document.querySelector('.facts .fact-value').textContent !== t, shownTime, { timeout: 20000 });
    assert.equal(await page.evaluate(() => window.__e2eLoaded), true, 'the page was not reloaded');
  });

  test('screenshots in light and dark mode', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.goto(monitor.base);
    await page.waitForSelector(`tbody.group[data-key="${alpha.shortId}"]`, { timeout: 20000 });
    const backgrounds = {};
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(300); // let transitions settle
      backgrounds[scheme] = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const path = join(ARTIFACTS, `e2e-${scheme}.png`);
      await page.screenshot({ path, fullPage: true });
      assert.ok(existsSync(path));
      console.log(`screenshot (${scheme}): ${path}`);
    }
    assert.notEqual(backgrounds.light, backgrounds.dark, 'dark mode changes the page colours');
  });

  test('the first load is at most 150 KB gzip, served gzip, assets cached by their hash', async () => {
    const page0 = await rawGet(monitor.base);
    assert.equal(page0.status, 200);
    assert.equal(page0.headers['content-encoding'], 'gzip');
    const html = gunzipSync(page0.body).toString();
    const assets = [...html.matchAll(/(?:src|href)="(app-[A-Za-z0-9]+\.(?:js|css))"/g)].map((m) => m[1]);
    assert.equal(assets.length, 2, `index.html names app-<hash>.js and .css: ${html}`);
    let total = page0.body.length;
    for (const name of assets) {
      const r = await rawGet(new URL(name, monitor.base));
      assert.equal(r.status, 200, name);
      assert.equal(r.headers['content-encoding'], 'gzip', name);
      assert.match(r.headers['cache-control'], /immutable/, name);
      total += r.body.length;
    }
    console.log(`first load over the wire: ${total} B gzip (index.html + ${assets.join(' + ')})`);
    assert.ok(total <= 150 * 1000, `first load ${total} B gzip is over the 150 KB budget`);
  });

  test('MIG slices with their users and n/a utilization, hidden processes and refused fields on the GPU cards', async () => {
    const mig = { ...gpu(0, []), mig: true, errors: { nvmlDeviceGetComputeRunningProcesses: 4 } };
    delete mig.util;
    mig.mig_devices = [
      { uuid: 'MIG-e2e-a', name: 'Fake GPU MIG 1g.10gb', gpu_instance_id: 9, compute_instance_id: 0,
        memory_total: 10 * GIB, memory_used: 2 * GIB, processes: [{ pid: alpha.pid, used_memory: 2 * GIB }] },
    ];
    const hidden = { ...gpu(1, []), memory_used: 30 * GIB, errors: { nvmlDeviceGetPowerUsage: 4 } };
    writeScenario(scenarioPath, { gpus: [mig, hidden] });
    await page.goto(monitor.base);
    const slice = page.locator('.gpu-card', { hasText: 'GPU 0' }).locator('.gpu-mig-slice');
    await slice.first().waitFor({ timeout: 20000 });
    const text = await slice.first().textContent();
    assert.match(text, /1g\.10gb · GI 9 CI 0/);
    assert.match(text, /util n\/a/);
    assert.match(text, new RegExp(`${alpha.name} \\(pid ${alpha.pid}\\)`));
    assert.equal(await page.locator('.gpu-card', { hasText: 'GPU 0' }).locator('.gpu-util').textContent(), 'n/a');
    const notes0 = await page.locator('.gpu-card', { hasText: 'GPU 0' }).locator('.gpu-notes').textContent();
    assert.match(notes0, /not reported: processes: NO_PERMISSION/);
    const notes1 = page.locator('.gpu-card', { hasText: 'GPU 1' }).locator('.gpu-notes');
    await notes1.waitFor({ timeout: 20000 });
    assert.match(await notes1.textContent(), /in use but no process visible: run with --pid=host to see GPU processes/);
    assert.match(await notes1.textContent(), /not reported: power: NO_PERMISSION/);
  });

  test('no console errors, and every request went to loopback', () => {
    assert.deepEqual(problems, []);
    assert.ok(requests.length > 0, 'requests were recorded');
    const outside = requests.filter((u) => {
      const url = new URL(u);
      if (url.protocol === 'data:' || url.protocol === 'blob:' || u === 'about:blank') return false;
      return !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    });
    assert.deepEqual(outside, [], 'requests to a non-loopback host');
  });
});
