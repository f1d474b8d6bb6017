// Behaviour checks of the dashboard in Debian chromium against dev-server.mjs (the fake API): live status,
// keyboard sorting with aria-sort, filter/toggle kept in the URL, expanding a row, focus surviving
// re-renders, markup in data shown as text, no request leaving the server, paused/hidden/disconnected;
// the GPU-first views on the CONTRACT fixtures (strip, MIG slices, GPU and container views, Accounting
// sorting and CSV, a slow click that spans live updates).
// Usage: node scripts/ui-check.mjs [--chromium PATH] [--dist DIR]   (build first: node build.mjs; --dist
// checks another built bundle, e.g. the one a CMake build embeds: <build dir>/web/dist)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const executablePath = argv.includes('--chromium') ? argv[argv.indexOf('--chromium') + 1] : '/usr/bin/chromium';
const distArgs = argv.includes('--dist') ? ['--dist', resolve(argv[argv.indexOf('--dist') + 1])] : [];
if (!existsSync(executablePath)) {
  console.error(`ui-check: chromium not found at ${executablePath} (scripts/install-deps.sh test installs it; --chromium PATH points elsewhere)`);
  process.exit(1);
}
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function devServer(...extra) {
  const child = spawn(process.execPath, [join(web, 'dev-server.mjs'), '0', ...distArgs, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    child.once('error', fail);
    child.stdout.once('data', (chunk) => ok({ child, url: String(chunk).trim() }));
  });
}

const profile = mkdtempSync(join(tmpdir(), 'cmon-ui-check-'));
const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: ARGS, viewport: { width: 1280, height: 900 } });
const servers = [];
let failures = 0;

async function check(name, fn) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => errors.push(`dialog: ${d.message()}`));
  try {
    await fn(page, errors);
    assert.deepEqual(errors, [], 'no page errors or dialogs');
    console.log(`ok - ${name}`);
  } catch (e) {
    failures += 1;
    console.log(`not ok - ${name}\n  ${String(e.stack || e).split('\n').slice(0, 6).join('\n  ')}`);
  } finally {
    await page.close();
  }
}

// Waits until the page has rendered `count` snapshots newer than the one it shows now (the sample time's
// title is the snapshot's RFC 3339 time, which every frame of the dev server moves on).
async function newSnapshots(page, count = 2) {
  for (let i = 0; i < count; i += 1) {
    const shown = await page.getAttribute('.facts .fact-value', 'title');
    await page.waitForFunction((t) => document.querySelector('.facts .fact-value').getAttribute('title') !== t, shown, { timeout: 10000 });
  }
}

const names = (page) => page.$$eval('tbody.group:not(.special) .cname', (els) => els.map((e) => e.textContent));
const status = (page) => page.getAttribute('.status', 'data-status');

try {
  const normal = await devServer();
  servers.push(normal.child);
  const base = normal.url;

  await check('loads live data; every request stays on the server', async (page) => {
    const outside = [];
    page.on('request', (r) => !r.url().startsWith(base) && !r.url().startsWith('data:') && outside.push(r.url()));
    await page.goto(base);
    await page.waitForSelector('.status[data-status="connected"]');
    assert.equal(await page.textContent('h1'), 'Container Monitor');
    assert.equal(await page.textContent('.host-name'), 'gpu-box-3');
    assert.deepEqual(await names(page), ['alice-llm-finetune', 'bob-jupyter', 'carol-data-prep']);
    assert.equal(await page.locator('.gpu-card').count(), 2);
    assert.match(await page.textContent('.sources'), /drm: cannot read/);
    assert.match(await page.textContent('tbody.special-orphan'), /process gone/);
    assert.match(await page.textContent('tbody.group.has-idle'), /idle for \d+ min/);
    assert.deepEqual(outside, []);
  });

  await check('sorting by keyboard sets aria-sort and the URL; focus stays through live updates', async (page) => {
    await page.goto(base);
    await page.waitForSelector('tbody.group');
    await page.focus('th[data-key="cpu"] button');
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('th[data-key="cpu"]', 'aria-sort'), 'descending');
    assert.equal(await page.getAttribute('th[data-key="name"]', 'aria-sort'), 'none');
    assert.match(page.url(), /#sort=cpu&dir=desc$/);
    assert.equal((await names(page))[0], 'alice-llm-finetune');
    await page.keyboard.press('Space');
    assert.equal(await page.getAttribute('th[data-key="cpu"]', 'aria-sort'), 'ascending');
    assert.equal((await names(page))[0], 'bob-jupyter');
    await newSnapshots(page);
    assert.equal(await page.evaluate(() => document.activeElement.dataset.focus), 'sort:cpu');
  });

  await check('filter and "GPU users only" live in the URL hash and survive a reload', async (page) => {
    await page.goto(base);
    await page.waitForSelector('tbody.group');
    await page.fill('input.filter', 'JUPYTER');
    await page.waitForFunction(() => location.hash.includes('q=JUPYTER'));
    assert.deepEqual(await names(page), ['bob-jupyter']);
    await page.fill('input.filter', '');
    await page.check('.toggle input');
    await page.waitForFunction(() => location.hash === '#gpu=1');
    assert.deepEqual(await names(page), ['alice-llm-finetune', 'bob-jupyter']);
    await page.goto(`${base}#sort=gpu_mem&dir=desc&q=a&gpu=1`);
    await page.reload();
    await page.waitForSelector('tbody.group');
    assert.equal(await page.inputValue('input.filter'), 'a');
    assert.equal(await page.isChecked('.toggle input'), true);
    assert.equal(await page.getAttribute('th[data-key="gpu_mem"]', 'aria-sort'), 'descending');
  });

  await check('a row expands by keyboard to three charts and keeps focus while data streams', async (page) => {
    await page.goto(base);
    await page.waitForSelector('tbody.group .expander');
    await page.focus('tbody.group .expander');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.detail-row .uplot');
    assert.equal(await page.locator('.detail-row .uplot').count(), 3);
    assert.equal(await page.getAttribute('tbody.group .expander', 'aria-expanded'), 'true');
    await newSnapshots(page);
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-expanded')), 'true');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('.detail-row').count(), 0);
  });

  await check('hiding the tab closes the stream; showing it reconnects', async (page) => {
    await page.goto(base);
    await page.waitForSelector('.status[data-status="connected"]');
    const flip = (state) => page.evaluate((s) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
    await flip('hidden');
    assert.equal(await status(page), 'hidden');
    await flip('visible');
    await page.waitForSelector('.status[data-status="connected"]');
  });

  await check('an older server without /api/v1/accounting: the view says so in place', async (page) => {
    await page.goto(`${base}?view=accounting`);
    await page.waitForFunction(() => /Accounting unavailable: HTTP 404: not found/.test(document.querySelector('.view-accounting .view-status').textContent));
    assert.equal(await page.locator('.view-accounting .view-status').isVisible(), true);
  });

  const gpuFirst = await devServer('--scenario', 'gpu-first');
  servers.push(gpuFirst.child);
  await check('GPU strip: holders with owners, free GPU and free MIG slice, idle for 3 h 12 min, vendor', async (page) => {
    await page.goto(gpuFirst.url);
    await page.waitForSelector('.strip .tile[data-gpu="3"] .slice');
    assert.equal(await page.locator('.strip .tile').count(), 4);
    assert.equal(await page.textContent('.strip-summary'), '2 of 5 free');
    assert.deepEqual(await page.$$eval('.strip .tile', (els) => els.map((e) => e.dataset.state)), ['busy', 'idle', 'free', 'busy']);
    assert.match(await page.textContent('.tile[data-gpu="0"] .holders'), /alice · alice-llm-finetune63\.5 GiB/);
    assert.equal(await page.textContent('.tile[data-gpu="1"] .holder.is-idle .badge.idle'), 'idle for 3 h 12 min');
    assert.equal(await page.getAttribute('.tile[data-gpu="0"] .tile-model', 'data-vendor'), 'nvidia');
    assert.deepEqual(await page.$$eval('.tile[data-gpu="3"] .slice', (els) => els.map((e) => e.dataset.state)), ['busy', 'free']);
    assert.equal(await page.textContent('.tile[data-gpu="3"] .slice[data-slice="0"] .meter .meter-text'), 'n/a');
    assert.match(await page.textContent('.tile[data-gpu="3"] .slice[data-slice="0"] .holders'), /dave · dave_sweep/);
    assert.match(await page.getAttribute('.tile[data-gpu="1"] a.tile-link', 'aria-label'), /held by bob, orphaned memory, 1 idle holder, idle for 3 h 12 min$/);
  });

  await check('a slow click on a holder survives live updates and opens the container with focus on its title', async (page) => {
    await page.goto(gpuFirst.url);
    const link = page.locator('.tile[data-gpu="0"] a.holder-link');
    await link.waitFor();
    const box = await link.boundingBox();
    await page.mouse.move(box.x + 5, box.y + box.height / 2);
    await page.mouse.down();
    await page.waitForTimeout(2200); // two snapshots arrive while the button is held
    await page.mouse.up();
    await page.waitForFunction(() => location.search === '?container=19ea60696906');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'container-view-title');
    await page.waitForSelector('.view-container .hours-table tfoot');
    assert.deepEqual(await page.$$eval('.view-container .hours-table tfoot td', (els) => els.map((e) => e.textContent)), ['6.00', '5.10', '85%', '10.00', '8.50']);
    await page.waitForSelector('.view-container .sm-chart-wrap .uplot');
    assert.equal(await page.locator('.view-container .detail-charts .uplot').count(), 4, 'CPU, memory, GPU memory, SM');
  });

  await check('a MIG slice opens its GPU view; the holders table lists who held the GPU with GPU-hours', async (page) => {
    await page.goto(gpuFirst.url);
    await page.click('.tile[data-gpu="3"] .slice[data-slice="0"] a.slice-link');
    assert.equal(new URL(page.url()).search, '?gpu=3&slice=0');
    assert.equal(await page.textContent('#gpu-view-title'), 'GPU 3 · MIG 0 (3g.40gb) · NVIDIA A100-SXM4-80GB');
    await page.waitForSelector('.view-gpu tr[data-container="d4e5f6071829"] .col-held');
    assert.equal(await page.textContent('.view-gpu tr[data-container="d4e5f6071829"] .col-held'), '1.00');
    assert.equal(await page.getAttribute('.tile[data-gpu="3"] .slice[data-slice="0"] a.slice-link', 'aria-current'), 'page');
    await page.goto(`${gpuFirst.url}?gpu=0`);
    await page.waitForSelector('.view-gpu tr[data-container="19ea60696906"]');
    assert.deepEqual(await page.$$eval('.view-gpu tbody tr', (els) => els.map((e) => e.dataset.container)), ['19ea60696906']);
    assert.equal(await page.locator('.view-gpu .holders-chart .uplot').count(), 1);
  });

  await check('Accounting: keyboard sorting with aria-sort, totals, CSV of the rows as shown', async (page) => {
    await page.goto(`${gpuFirst.url}?view=accounting`);
    await page.waitForSelector('.acct-owners tbody tr[data-key="alice"]');
    const owners = () => page.$$eval('.acct-owners tbody th', (els) => els.map((e) => e.textContent));
    assert.deepEqual(await owners(), ['alice', 'bob', 'dave', '=erin', 'carol'], 'GPU-hours held, most first (ties by name)');
    assert.equal(await page.getAttribute('.acct-owners th[data-col="held"]', 'aria-sort'), 'descending');
    await page.focus('.acct-owners th[data-col="eff"] button');
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('.acct-owners th[data-col="eff"]', 'aria-sort'), 'ascending');
    assert.equal(await page.getAttribute('.acct-owners th[data-col="held"]', 'aria-sort'), 'none');
    assert.deepEqual(await owners(), ['bob', 'dave', 'alice', '=erin', 'carol']);
    assert.deepEqual(await page.$$eval('.acct-owners tfoot td', (els) => els.map((e) => e.textContent)), ['', '13.50', '6.45', '3.20', '48%']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.acct-block:has(.acct-owners) a.csv')]);
    const csv = readFileSync(await download.path(), 'utf8').split('\r\n');
    assert.deepEqual(csv.map((l) => l.split(',')[0]), ['owner', 'bob', 'dave', 'alice', "'=erin", 'carol', '']);
    assert.match(csv[1], /^bob,bob-jupyter,6,0\.3,3\.2,0\.05,\d{4}-/);
    await page.click('.seg[data-range="start"]');
    await page.waitForFunction(() => document.querySelector('.acct-owners tbody tr[data-key="alice"] .col-held').textContent === '10.00');
    assert.equal(new URL(page.url()).searchParams.get('range'), 'start');
  });

  const hostile = await devServer('--scenario', 'hostile');
  servers.push(hostile.child);
  await check('markup in names, labels, notes and errors is shown as text', async (page) => {
    await page.goto(hostile.url);
    await page.waitForSelector('tbody.group');
    await page.locator('tbody.group', { hasText: 'name<img' }).locator('.expander').click();
    await page.waitForSelector('.detail-row .uplot');
    assert.equal(await page.locator('#app img, #app b').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.match(await page.textContent('h1'), /<img src=x/);
    assert.match(await page.textContent('.note'), /<b>bold<\/b>/);
    assert.match(await page.textContent('.detail-facts'), /onerror/);
    assert.match(await page.title(), /<img/);
    assert.match(await page.textContent('.strip .tile[data-gpu="0"] .holder-owner'), /^owner<img src=x/, 'the owner in the GPU strip');
  });

  const pausing = await devServer('--pause-after', '2');
  servers.push(pausing.child);
  await check('a paused server shows "paused — resumes on activity"; a key press resumes', async (page) => {
    await page.goto(pausing.url);
    await page.waitForSelector('.status[data-status="paused"]', { timeout: 8000 });
    assert.match(await page.textContent('.status'), /Paused.*resumes on activity/);
    // Activity retries are rate-limited to one per 5 s: key presses until one resumes, within a deadline.
    const deadline = Date.now() + 15000;
    for (;;) {
      await page.keyboard.press('Shift');
      if (await page.waitForSelector('.status[data-status="connected"]', { timeout: 1000 }).then(() => true, () => false)) break;
      if (Date.now() > deadline) throw new Error(`no key press resumed the paused page within 15 s (status: ${await status(page)})`);
    }
  });

  const dying = await devServer();
  servers.push(dying.child);
  await check('a server that goes away shows "disconnected — retrying"', async (page) => {
    await page.goto(dying.url);
    await page.waitForSelector('.status[data-status="connected"]');
    dying.child.kill();
    await page.waitForSelector('.status[data-status="disconnected"]', { timeout: 8000 });
    assert.match(await page.textContent('.status'), /Disconnected.*retrying/);
  });
} finally {
  await context.close();
  servers.forEach((child) => child.kill());
  rmSync(profile, { recursive: true, force: true });
}
console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
