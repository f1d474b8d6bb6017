// Screenshots of the dashboard served by dev-server.mjs, in light and dark mode, desktop and phone width,
// using Debian's chromium through playwright-core (which never downloads a browser of its own here).
// Usage: node scripts/screenshot.mjs [--out DIR] [--scenario NAME] [--expand] [--path '?view=accounting']
//                                   [--chromium PATH]
// Writes <out>/<scenario>[-<path>]-<scheme>-<device>.png (default out: $TMPDIR/cmon-screenshots).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
const here = dirname(fileURLToPath(import.meta.url));
const web = resolve(here, '..');
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const out = resolve(option('--out', join(tmpdir(), 'cmon-screenshots')));
const scenario = option('--scenario', 'normal');
const executablePath = option('--chromium', '/usr/bin/chromium');
const expand = argv.includes('--expand');
const path = option('--path', '');
const slug = path ? `-${path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}` : '';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function startDevServer() {
  const child = spawn(process.execPath, [join(web, 'dev-server.mjs'), '0', '--scenario', scenario], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolveUrl, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`dev-server exited with ${code}`)));
    child.stdout.once('data', (chunk) => resolveUrl({ child, url: String(chunk).trim().split('\n')[0] }));
  });
}

const VIEWS = [
  { device: 'desktop', viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 },
  { device: 'phone', viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
];

mkdirSync(out, { recursive: true });
const { child, url } = await startDevServer();
const profile = mkdtempSync(join(tmpdir(), 'cmon-chromium-'));
const outsideRequests = [];
try {
  for (const scheme of ['light', 'dark']) {
    for (const view of VIEWS) {
      const { device, ...contextOptions } = view;
      const context = await chromium.launchPersistentContext(join(profile, `${scheme}-${device}`), {
        executablePath,
        headless: true,
        args: CHROMIUM_ARGS,
        colorScheme: scheme,
        ...contextOptions,
      });
      const page = context.pages()[0] || (await context.newPage());
      page.on('request', (r) => {
        if (!r.url().startsWith(url) && !r.url().startsWith('data:')) outsideRequests.push(r.url());
      });
      page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
      page.on('console', (m) => m.type() === 'error' && console.error(`console: ${m.text()}`));
      await page.goto(url + path);
      await page.waitForSelector('.status[data-status="connected"]', { timeout: 10000 });
      if (expand) {
        await page.click('tbody.group .expander');
        await page.waitForSelector('.detail-row .uplot', { timeout: 5000 });
      }
      if (path) await page.waitForFunction(() => !document.querySelector('.view:not([hidden]) .view-status') || document.querySelector('.view:not([hidden]) .view-status').textContent !== 'Loading…');
      await page.waitForTimeout(600); // let bars and gauges finish their transitions
      const file = join(out, `${scenario}${slug}-${scheme}-${device}${expand ? '-expanded' : ''}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(file);
      await context.close();
    }
  }
} finally {
  child.kill();
  rmSync(profile, { recursive: true, force: true });
}
if (outsideRequests.length) {
  console.error(`requests left the server: ${[...new Set(outsideRequests)].join(', ')}`);
  process.exit(1);
}
