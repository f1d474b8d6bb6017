// Builds the dashboard: esbuild bundles and minifies src/main.js (with its CSS) into content-hashed
// app-<hash>.js and app-<hash>.css, writes index.html referencing them, and puts a gzip (level 9) copy
// next to every file for the server to send as-is. Usage: node build.mjs [--outdir DIR] (default dist/).
// The output is deterministic for the same sources, so the embedded library rebuilds only on change.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outIndex = args.indexOf('--outdir');
const outdir = resolve(outIndex >= 0 && args[outIndex + 1] ? args[outIndex + 1] : join(here, 'dist'));

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await build({
  absWorkingDir: here,
  entryPoints: { app: 'src/main.js', fleet: 'src/fleet/fleet.js' },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  outdir,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const js = outputs.find((f) => /^app-[A-Z0-9]+\.js$/.test(f));
const css = outputs.find((f) => /^app-[A-Z0-9]+\.css$/.test(f));
if (!js || !css) throw new Error(`build.mjs: expected app-<hash>.js and app-<hash>.css, got ${outputs.join(', ')}`);

const html = readFileSync(join(here, 'src/index.html'), 'utf8').replace('{{JS}}', js).replace('{{CSS}}', css);
writeFileSync(join(outdir, 'index.html'), html);

// The lab page of `container-monitor fleet` (served at / by the fleet service): its own entry point.
const fleetJs = outputs.find((f) => /^fleet-[A-Z0-9]+\.js$/.test(f));
const fleetCss = outputs.find((f) => /^fleet-[A-Z0-9]+\.css$/.test(f));
if (!fleetJs || !fleetCss) throw new Error(`build.mjs: expected fleet-<hash>.js and .css, got ${outputs.join(', ')}`);
writeFileSync(join(outdir, 'fleet.html'),
  readFileSync(join(here, 'src/fleet/fleet.html'), 'utf8').replace('{{JS}}', fleetJs).replace('{{CSS}}', fleetCss));

let firstLoad = 0;
for (const name of readdirSync(outdir).sort()) {
  const data = readFileSync(join(outdir, name));
  const gz = gzipSync(data, { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(join(outdir, `${name}.gz`), gz);
  if (name === 'index.html' || name === js || name === css) firstLoad += gz.length;
  console.log(`  ${name.padEnd(24)} ${String(data.length).padStart(7)} B   gzip ${String(gz.length).padStart(6)} B`);
}
console.log(`  first load (index.html + js + css), gzip: ${(firstLoad / 1024).toFixed(1)} KiB → ${outdir}`);

// The budget: at most 150 KB (gzip) for the first load. Over it, the build fails.
const BUDGET_BYTES = 150 * 1000;
if (firstLoad > BUDGET_BYTES) {
  console.error(`build.mjs: first load is ${firstLoad} B gzip, over the ${BUDGET_BYTES} B budget`);
  process.exit(1);
}
