// The fleet page end to end: Debian chromium (headless, playwright-core from web/node_modules) against
// `container-monitor fleet`, a real `prometheus` (Debian package) scraping two real monitors every second,
// each with its own stand-in NVML scenario (srv-a: GPU 0 held by this test's own process, a host process,
// GPU 1 free; srv-b: one free 80 GB GPU). No Docker here: the monitors point at a socket that does not
// exist, so their docker source is down and the page must say so.
//
// Checks: free GPUs at the top, most free memory first; both servers up with their GPUs and the holder;
// the failing source named; srv-b's monitor stopped -> its card says down with the time of its last data;
// Prometheus stopped -> a banner (role=alert) while the last servers stay on the page; no console errors;
// every request to loopback; a screenshot as an artifact.
// Environment: CMON_BINARY, CMON_FAKE_NVML_PATH, CMON_ARTIFACTS_DIR, CMON_CHROMIUM, CMON_PROMETHEUS.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = process.env;
const BINARY = resolve(repo, env.CMON_BINARY || 'build/container-monitor');
const FAKE_NVML = resolve(repo, env.CMON_FAKE_NVML_PATH || 'build/tests/fakes/libnvidia-ml.so.1');
const ARTIFACTS = resolve(repo, env.CMON_ARTIFACTS_DIR || 'build/artifacts');
const CHROMIUM = env.CMON_CHROMIUM || '/usr/bin/chromium';
const PROMETHEUS = env.CMON_PROMETHEUS || '/usr/bin/prometheus';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const GIB = 1024 ** 3;

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

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

function writeScenario(path, scenario) {
  writeFileSync(path + '.tmp', JSON.stringify(scenario));
  renameSync(path + '.tmp', path);
}

function gpu(uuid, totalGiB, usedBytes, processes) {
  return { name: 'Stand-in A100', uuid, memory_total: totalGiB * GIB, memory_used: usedBytes, util: processes.length ? 60 : 0,
    memory_util: 1, temperature: 40, power_mw: 60000, power_limit_mw: 250000, fan: 30, mig: false, processes };
}

// A process started by this test, stopped by its pid; `ready` resolves with the port it says it serves on.
class Child {
  constructor(command, args, extraEnv = {}) {
    this.output = '';
    this.proc = spawn(command, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (d) => { this.output += d.toString(); };
    this.proc.stdout.on('data', onData);
    this.proc.stderr.on('data', onData);
  }

  ready() {
    return waitFor(() => {
      if (this.proc.exitCode !== null) throw new Error(`exited: ${this.output}`);
      const m = /serving on https?:\/\/[^:]+:(\d+)\//.exec(this.output);
      return m ? Number(m[1]) : null;
    }, 30, 'the process to listen');
  }

  async stop() {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

describe('fleet page end to end (real monitors, prometheus, fleet, chromium)', { concurrency: false }, () => {
  const work = mkdtempSync(join(tmpdir(), 'cmon-fleet-e2e-'));
  const children = {};
  const requests = [];
  const problems = [];
  let context;
  let page;
  let fleetUrl;

  before(async () => {
    for (const [what, path] of [['chromium (CMON_CHROMIUM; scripts/install-deps.sh test installs it)', CHROMIUM],
      ['prometheus (Debian package prometheus)', PROMETHEUS], ['container-monitor (CMON_BINARY)', BINARY],
      ['stand-in NVML (CMON_FAKE_NVML_PATH)', FAKE_NVML]]) {
      if (!existsSync(path)) throw new Error(`${what} not found at ${path}`);
    }
    const { chromium } = createRequire(join(repo, 'web', 'package.json'))('playwright-core');
    const scenarios = { 'srv-a': join(work, 'a.json'), 'srv-b': join(work, 'b.json') };
    writeScenario(scenarios['srv-a'], { gpus: [gpu('GPU-a0', 40, 5 * GIB, [{ pid: process.pid, used_memory: 5 * GIB, sm_util: 30 }]), gpu('GPU-a1', 40, 0, [])] });
    writeScenario(scenarios['srv-b'], { gpus: [gpu('GPU-b0', 80, 0, [])] });
    const targets = [];
    for (const host of ['srv-a', 'srv-b']) {
      children[host] = new Child(BINARY, ['--bind', '127.0.0.1', '--port', '0', '--hostname', host, '--interval', '1',
        '--nvml-library', FAKE_NVML, '--docker-host', `unix://${join(work, 'no-docker.sock')}`], { CMON_FAKE_NVML_SCENARIO: scenarios[host] });
      targets.push(`127.0.0.1:${await children[host].ready()}`);
    }
    const promPort = await freePort();
    writeFileSync(join(work, 'prometheus.yml'), 'global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n' +
      `scrape_configs:\n  - job_name: container-monitor\n    static_configs:\n      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]\n`);
    children.prometheus = new Child(PROMETHEUS, [`--config.file=${join(work, 'prometheus.yml')}`, `--storage.tsdb.path=${join(work, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn']);
    children.fleet = new Child(BINARY, ['--bind', '127.0.0.1', '--port', '0', 'fleet', '--prometheus', `http://127.0.0.1:${promPort}`,
      '--fleet-refresh', '1', '--prometheus-timeout', '2']);
    fleetUrl = `http://127.0.0.1:${await children.fleet.ready()}/`;

    process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
    context = await chromium.launchPersistentContext(join(work, 'profile'), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    context.on('request', (r) => requests.push(r.url()));
    page = context.pages()[0] || (await context.newPage());
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  });

  after(async () => {
    if (context) await context.close();
    for (const child of Object.values(children)) await child.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('free GPUs first, servers with GPUs and holders, failing sources named', async () => {
    await page.goto(fleetUrl);
    await waitFor(async () => (await page.locator('[data-testid=free-gpus] h2').textContent()) === 'Free GPUs now (2)', 60, 'two free GPUs on the page');
    const rows = await page.locator('[data-testid=free-table] tbody tr').allTextContents();
    assert.match(rows[0], /^srv-b0/, rows.join(' | '));  // 80 GB free before 40 GB
    assert.match(rows[1], /^srv-a1/, rows.join(' | '));
    const a = page.locator('article[data-server=srv-a]');
    await waitFor(async () => (await a.locator('tr[data-gpu="0"]').textContent()).includes('a process outside containers 5.00 GiB'), 30, 'the holder of srv-a GPU 0');
    assert.equal(await a.locator('.tag.up').count(), 1);
    assert.match(await a.locator('.warn').textContent(), /failing: docker/);
    assert.equal(await page.locator('article[data-server=srv-b] tr[data-gpu="0"] .tag.free').count(), 1);
    assert.equal(await page.locator('[data-testid=banner]').count(), 0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-fleet.png'), fullPage: true });
  });

  test('a stopped monitor is shown down with the time of its last data', async () => {
    await children['srv-b'].stop();
    const b = page.locator('article[data-server=srv-b]');
    await waitFor(async () => (await b.locator('.tag.down').count()) === 1, 60, 'srv-b down on the page');
    assert.match(await b.locator('.summary').textContent(), /^down — last data .+ ago\)$/);
    await waitFor(async () => (await page.locator('[data-testid=free-gpus] h2').textContent()) === 'Free GPUs now (1)', 30, 'srv-b GPU no longer free');
  });

  test('Prometheus stopped: a banner, and the last servers stay', async () => {
    await children.prometheus.stop();
    const banner = page.locator('[data-testid=banner]');
    await waitFor(async () => (await banner.count()) === 1, 60, 'the banner');
    assert.equal(await banner.getAttribute('role'), 'alert');
    assert.match(await banner.textContent(), /^Prometheus is not answering: prometheus: .+Showing the last answer, from /);
    assert.equal(await page.locator('article.server').count(), 2);
  });

  test('no console errors, every request to loopback', () => {
    assert.deepEqual(problems, []);
    for (const url of requests) assert.match(url, /^(http:\/\/127\.0\.0\.1:\d+\/|data:)/, url);
  });
});
