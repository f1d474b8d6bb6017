// End to end: Debian chromium (headless, driven by playwright-core from web/node_modules) against the real
// container-monitor binary, a real test dockerd (the ctest fixture `dockerd`) and the stand-in NVML
// (tests/fakes libnvidia-ml.so.1 driven by a scenario file that puts real container processes on GPUs).
//
// Checks: containers and GPUs on the page (GPU processes under their container, host processes and orphaned
// GPU memory in groups of their own, an idle holder "idle for …"); a container started during the test
// appears without a reload; sorting and filtering work and live in the URL; a hidden tab lets the server
// pause and the page resumes on return; the first load stays within 150 KB gzip; no console errors; every
// request goes to loopback; screenshots in light and dark mode saved as artifacts.
// GPU first (issue 15): the GPU strip (who is on each GPU with owner and memory, a free GPU, an idle holder
// "idle for …"); clicking a GPU opens its 24 h charts and holders over time, clicking a holder opens the
// container's charts for a chosen window and its GPU-hours; the Accounting view per owner and container
// with keyboard sorting, the range in the URL and a CSV download that matches the table; every view in light
// and dark mode and at a phone width (no sideways scrolling of the page), screenshots of each.
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
const OWNER_A = 'ana';
const OWNER_B = 'ben';
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
  async start(name, labels = {}) {
    const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
    const id = await this.run('run', '-d', '--network', 'none', '--name', name, ...labelArgs, IMAGE, 'sleep', '900');
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
    // Owners from the default --owner-label (owner); a container without one is owned by its name.
    alpha = await docker.start(`${tag}-alpha`, { owner: OWNER_A });
    bravo = await docker.start(`${tag}-bravo`, { owner: OWNER_B });
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
        gpu(2, []), // nobody on it: free
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
    assert.equal(await page.locator('.gpu-card').count(), 3);
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

  test('a container started now appears without a reload, through the stream of deltas', async () => {
    const snapshotGets = () => requests.filter((u) => /api\/v1\/snapshot$/.test(u)).length;
    const before = snapshotGets();
    const charlie = await docker.start(`${tag}-charlie`);
    await page.waitForSelector(`tbody.group[data-key="${charlie.shortId}"] .cname`, { timeout: 30000 });
    assert.equal(await groupOf(charlie).locator('.cname').textContent(), charlie.name);
    assert.equal(await page.evaluate(() => window.__e2eLoaded), true, 'the page was not reloaded');
    assert.ok(requests.some((u) => u.endsWith('api/v1/events?delta=1')), 'the page streams deltas');
    assert.equal(snapshotGets(), before, 'the new container came as a delta, not with a new GET of the snapshot');
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

  // ---- GPU first (issue 15) ----
  const tile = (index) => page.locator(`.strip .tile[data-gpu="${index}"]`);
  const focusedId = () => page.evaluate(() => document.activeElement && document.activeElement.id);
  const cellTexts = (selector) => page.$$eval(selector, (els) => els.map((e) => e.textContent.trim()));

  test('the GPU strip: who is on each GPU with owner and memory, a free GPU, an idle holder', async () => {
    await page.goto(monitor.base);
    await page.waitForSelector('.strip .tile[data-gpu="1"][data-state="idle"]', { timeout: 20000 });
    assert.equal(await page.locator('.strip .tile').count(), 3);
    assert.equal(await page.textContent('.strip-summary'), '1 of 3 free');

    // GPU 0: alpha's owner and name with its 2 GiB, and the host process.
    const alphaHolder = tile(0).locator('.holder', { hasText: alpha.name });
    assert.match(await alphaHolder.textContent(), new RegExp(`${OWNER_A} · ${alpha.name}\\s*2\\.00 GiB`));
    assert.equal(await alphaHolder.locator('a.holder-link').getAttribute('href'), `?container=${alpha.shortId}`);
    // This test's own node holds memory on GPU 0: a host process, or one of a container not listed (see above).
    assert.match(await tile(0).locator('.holders').textContent(), RUNS_IN_CONTAINER ? /container [0-9a-f]{12}/ : new RegExp(`host PID ${process.pid}`));
    assert.equal(await tile(0).getAttribute('data-state'), 'busy');
    assert.match(await tile(0).locator('.tile-util').textContent(), /^40%$/);

    // GPU 1: bravo flagged idle, with the time it has been idle; the orphaned memory as such.
    const bravoHolder = tile(1).locator('.holder', { hasText: bravo.name });
    assert.match(await bravoHolder.textContent(), new RegExp(`${OWNER_B} · ${bravo.name}\\s*3\\.00 GiB`));
    assert.match(await bravoHolder.locator('.badge.idle').textContent(), /^idle for \d+ (s|min)$/);
    assert.match(await tile(1).textContent(), new RegExp(`PID ${GONE_PID} \\(process gone\\)`));

    // GPU 2: free, visibly and for a screen reader.
    assert.equal(await tile(2).getAttribute('data-state'), 'free');
    assert.match(await tile(2).locator('.tile-free').textContent(), /Free/);
    assert.match(await tile(2).locator('a.tile-link').getAttribute('aria-label'), /^GPU 2, .*utilization 42%.*, free$/);
    assert.match(await tile(1).locator('a.tile-link').getAttribute('aria-label'), /held by ben, orphaned memory, 1 idle holder, idle for \d+ (s|min)$/);
  });

  test('clicking a GPU opens its 24 h charts and holders over time; Back returns focus to the tile', async () => {
    await page.goto(monitor.base);
    await page.waitForSelector('.strip .tile[data-gpu="0"] a.tile-link');
    await page.click('.strip .tile[data-gpu="0"] a.tile-link');
    assert.equal(new URL(page.url()).search, '?gpu=0');
    assert.equal(await focusedId(), 'gpu-view-title', 'focus moves to the view heading');
    assert.equal(await page.locator('#containers-title').isVisible(), false, 'the overview is put away');
    assert.match(await page.textContent('#gpu-view-title'), /^GPU 0 · /);
    await page.waitForSelector('.view-gpu .detail-charts .uplot', { timeout: 20000 });
    assert.equal(await page.locator('.view-gpu .detail-charts .uplot').count(), 2, 'utilization and memory');
    assert.ok(requests.some((u) => u.includes('api/v1/history?seconds=86400&step=180')), 'asked for 24 h of history');
    // Holders over time: alpha held memory on GPU 0, with its GPU-hours from the accounting.
    const row = page.locator(`.view-gpu tr[data-container="${alpha.shortId}"]`);
    await row.waitFor({ timeout: 30000 });
    assert.equal(await row.locator('th').textContent(), alpha.name);
    assert.equal(await row.locator('td').first().textContent(), OWNER_A);
    await waitFor(async () => /^(<0\.01|\d+\.\d\d)$/.test(await row.locator('.col-held').textContent()), 30, 'GPU-hours held by alpha on GPU 0');
    assert.equal(await page.locator('.view-gpu .holders-chart .uplot').count(), 1);
    assert.match(await page.textContent('.view-gpu .holders-legend'), new RegExp(`${OWNER_A} · ${alpha.name}`));
    assert.equal(await page.locator(`.view-gpu tr[data-container="${bravo.shortId}"]`).count(), 0, 'bravo was never on GPU 0');
    assert.equal(await tile(0).getAttribute('aria-current'), 'true');

    await page.click('.view-gpu a.back');
    assert.equal(new URL(page.url()).search, '');
    await page.waitForSelector('#containers-title', { state: 'visible' });
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('data-focus')), 'gpu:0', 'focus back on the tile');
    await page.goBack();
    await page.waitForSelector('.view-gpu', { state: 'visible' });
    assert.equal(new URL(page.url()).search, '?gpu=0', 'Back in the browser returns to the GPU');
  });

  test('clicking a holder opens the container: CPU, memory and GPU charts per window, and its GPU-hours', async () => {
    await page.goto(monitor.base);
    await page.click(`.strip .tile[data-gpu="0"] a.holder-link[href="?container=${alpha.shortId}"]`);
    assert.equal(new URL(page.url()).search, `?container=${alpha.shortId}`);
    assert.equal(await focusedId(), 'container-view-title');
    assert.equal(await page.textContent('#container-view-title'), alpha.name);
    assert.match(await page.textContent('.view-container .view-facts'), new RegExp(`Owner${OWNER_A}`));
    await page.waitForSelector('.view-container .gpu-chart-wrap .uplot', { timeout: 20000 });
    assert.ok((await page.locator('.view-container .detail-charts .uplot').count()) >= 3, 'CPU, memory and GPU memory');
    assert.equal(await page.getAttribute('.view-container .seg[data-window="1h"]', 'aria-pressed'), 'true');
    assert.ok(requests.some((u) => u.includes('api/v1/history?seconds=3600&step=10')));

    for (const [key, query] of [['15m', 'seconds=900'], ['6h', 'seconds=21600&step=60'], ['24h', 'seconds=86400&step=180']]) {
      const before = requests.length;
      await page.focus(`.view-container .seg[data-window="${key}"]`);
      await page.keyboard.press('Enter'); // a real button: the keyboard works
      assert.equal(await page.getAttribute(`.view-container .seg[data-window="${key}"]`, 'aria-pressed'), 'true');
      assert.equal(new URL(page.url()).searchParams.get('window'), key === '1h' ? null : key);
      await waitFor(() => requests.slice(before).some((u) => u.includes(`api/v1/history?${query}`)), 10, `history for ${key}`);
    }
    // GPU-hours: GPU 0 held (and kept 40% busy) since the monitor started.
    const gpuRow = page.locator('.view-container .hours-table tbody tr', { hasText: 'GPU 0' });
    await gpuRow.waitFor({ timeout: 30000 });
    const cells = await gpuRow.locator('td').allTextContents();
    assert.match(cells[0], /^(<0\.01|\d+\.\d\d)$/, `held in the window: ${cells}`);
    assert.match(cells[3], /^(<0\.01|\d+\.\d\d)$/, `held since start: ${cells}`);
    assert.match(cells[2], /^(3\d|4\d)%$/, `efficiency of a process at SM 40%: ${cells}`);
  });

  test('Accounting: per owner and per container, sortable by keyboard, range in the URL, CSV as shown', async () => {
    await page.goto(monitor.base);
    await page.click('nav.page-nav a:has-text("Accounting")');
    assert.equal(new URL(page.url()).search, '?view=accounting');
    assert.equal(await focusedId(), 'accounting-title');
    assert.equal(await page.getAttribute('nav.page-nav a:has-text("Accounting")', 'aria-current'), 'page');
    const ownerRows = '.acct-owners tbody tr';
    await page.waitForSelector(`${ownerRows}[data-key="${OWNER_B}"]`, { timeout: 30000 });
    assert.ok(requests.some((u) => /api\/v1\/accounting\?since=\d+$/.test(u)), 'today: asked with ?since=');
    assert.equal(await page.getAttribute('.seg[data-range="today"]', 'aria-pressed'), 'true');
    const effOf = (owner) => page.textContent(`${ownerRows}[data-key="${owner}"] .col-eff`);
    await waitFor(async () => /^(3\d|4\d)%$/.test((await effOf(OWNER_A)).trim()), 30, `${OWNER_A} about 40% efficient`);
    assert.equal((await effOf(OWNER_B)).trim(), '0%', 'an idle holder: held, never busy');
    assert.match(await page.textContent(`${ownerRows}[data-key="${OWNER_B}"] .col-idle`), /^(<0\.01|\d+\.\d\d)$/);
    assert.match(await page.textContent(`.acct-containers tbody tr[data-key="${alpha.shortId}"]`), new RegExp(`${alpha.name}${OWNER_A}0`));

    // Sorting by keyboard: Owner ascending, then descending; Efficiency ascending puts ben before ana.
    const owners = async () => (await cellTexts(`${ownerRows} th`)).filter((o) => o === OWNER_A || o === OWNER_B);
    await page.focus('.acct-owners th[data-col="owner"] button');
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('.acct-owners th[data-col="owner"]', 'aria-sort'), 'ascending');
    assert.equal(await page.getAttribute('.acct-owners th[data-col="held"]', 'aria-sort'), 'none');
    assert.deepEqual(await owners(), [OWNER_A, OWNER_B]);
    await page.keyboard.press('Space');
    assert.equal(await page.getAttribute('.acct-owners th[data-col="owner"]', 'aria-sort'), 'descending');
    assert.deepEqual(await owners(), [OWNER_B, OWNER_A]);
    await page.click('.acct-owners th[data-col="eff"] button');
    assert.equal(await page.getAttribute('.acct-owners th[data-col="eff"]', 'aria-sort'), 'ascending');
    assert.deepEqual(await owners(), [OWNER_B, OWNER_A]);

    // The CSV holds the rows as shown, in the order shown.
    const shown = await cellTexts(`${ownerRows} th`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.acct-block:has(.acct-owners) a.csv')]);
    assert.match(download.suggestedFilename(), /^gpu-accounting-owners-\d{8}T\d{4}Z-\d{8}T\d{4}Z\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.split('\r\n');
    assert.equal(lines.pop(), '', 'CRLF at the end');
    assert.equal(lines[0], 'owner,containers,gpu_hours_held,gpu_hours_busy,gpu_hours_idle_held,efficiency,from,to');
    const rows = lines.slice(1).map((l) => l.split(','));
    assert.deepEqual(rows.map((r) => r[0]), shown);
    const ana = rows.find((r) => r[0] === OWNER_A);
    const ben = rows.find((r) => r[0] === OWNER_B);
    assert.equal(ana[1], alpha.name);
    assert.ok(Number(ana[2]) > 0 && Number(ana[3]) > 0 && Number(ana[3]) <= Number(ana[2]), `ana held and busy: ${ana}`);
    assert.ok(Number(ana[5]) >= 0.3 && Number(ana[5]) <= 0.5, `ana's efficiency about 0.4: ${ana}`);
    assert.equal(Number(ben[3]), 0);
    assert.equal(Number(ben[5]), 0);
    assert.ok(Number(ben[4]) > 0, `ben held while idle: ${ben}`);

    // Since start: no ?since=, and the range stays in the URL for a reload.
    const before = requests.length;
    await page.click('.seg[data-range="start"]');
    assert.equal(new URL(page.url()).searchParams.get('range'), 'start');
    await waitFor(() => requests.slice(before).some((u) => u.endsWith('api/v1/accounting')), 10, 'accounting since start');
    await page.reload();
    await page.waitForSelector(`${ownerRows}[data-key="${OWNER_A}"]`, { timeout: 20000 });
    assert.equal(await page.getAttribute('.seg[data-range="start"]', 'aria-pressed'), 'true');
  });

  test('every view in light and dark mode and at a phone width, without sideways scrolling', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const views = [
      ['overview', '', '.strip .tile'],
      ['gpu', '?gpu=0', '.view-gpu .detail-charts .uplot'],
      ['container', `?container=${alpha.shortId}`, '.view-container .detail-charts .uplot'],
      ['accounting', '?view=accounting', `.acct-owners tbody tr[data-key="${OWNER_A}"]`],
    ];
    try {
      for (const [width, height] of [[1360, 900], [390, 844]]) {
        await page.setViewportSize({ width, height });
        for (const [name, search, ready] of views) {
          await page.goto(new URL(search, monitor.base).href);
          await page.waitForSelector(ready, { timeout: 20000 });
          const colours = {};
          for (const scheme of ['light', 'dark']) {
            await page.emulateMedia({ colorScheme: scheme });
            await page.waitForTimeout(300); // let transitions settle before the picture
            colours[scheme] = await page.evaluate(() => getComputedStyle(document.querySelector('.strip .tile')).backgroundColor);
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
            assert.ok(overflow <= 0, `${name} at ${width} px (${scheme}) scrolls sideways by ${overflow} px`);
            const path = join(ARTIFACTS, `e2e-${name}-${scheme}-${width}.png`);
            await page.screenshot({ path, fullPage: true });
            assert.ok(existsSync(path));
          }
          assert.notEqual(colours.light, colours.dark, `${name}: dark mode changes the tiles`);
          if (width < 500) assert.ok((await page.locator('.strip .tile').first().boundingBox()).width < width, 'tiles fit the phone');
        }
      }
    } finally {
      await page.setViewportSize({ width: 1360, height: 900 });
      await page.emulateMedia({ colorScheme: null });
    }
  });

  test('screenshots in light and dark mode', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.goto(monitor.base);
    await page.waitForSelector(`tbody.group[data-key="${alpha.shortId}"]`, { timeout: 20000 });
    const backgrounds = {};
    const shots = {};
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      // The scheme has taken effect once the body shows the theme's --bg (read through a probe that has no
      // transition): a condition, not a fixed wait.
      await page.waitForFunction((wanted) => {
        if (!matchMedia(`(prefers-color-scheme: ${wanted})`).matches) return false;
        const probe = document.createElement('div');
        probe.style.cssText = 'transition:none;background-color:var(--bg)';
        document.body.append(probe);
        const bg = getComputedStyle(probe).backgroundColor;
        probe.remove();
        return getComputedStyle(document.body).backgroundColor === bg;
      }, scheme, { timeout: 10000 });
      backgrounds[scheme] = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const path = join(ARTIFACTS, `e2e-${scheme}.png`);
      const size = await page.evaluate(() => ({
        width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight,
        scale: window.devicePixelRatio,
      }));
      await page.screenshot({ path, fullPage: true });
      // What was written is a PNG of the whole page (its IHDR: width and height at offsets 16 and 20).
      const png = readFileSync(path);
      assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', `${path} is not a PNG`);
      assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
      assert.equal(png.readUInt32BE(16), Math.round(size.width * size.scale), 'screenshot width is the page width');
      assert.equal(png.readUInt32BE(20), Math.round(size.height * size.scale), 'screenshot height is the whole page');
      shots[scheme] = png;
      console.log(`screenshot (${scheme}): ${path}`);
    }
    assert.notEqual(backgrounds.light, backgrounds.dark, 'dark mode changes the page colours');
    assert.ok(!shots.light.equals(shots.dark), 'the light and dark screenshots differ');
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
