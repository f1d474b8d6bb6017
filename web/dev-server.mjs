// Development server for the dashboard: serves dist/ and a fake API built from test/fixtures/snapshot.json
// (GET /api/v1/snapshot, /api/v1/history?seconds=N, SSE /api/v1/events), on 127.0.0.1 only.
// Usage: node dev-server.mjs [port] [--scenario normal|no-gpu|no-docker|empty|hostile|gpu-first]
//                                   [--pause-after S] [--frozen] [--dist DIR]
// gpu-first: test/fixtures/snapshot-gpu-first.json (owners, vendor, MIG slices, a free GPU, an idle holder)
// and GET /api/v1/accounting from test/fixtures/accounting.json; history then has the step, _max, owner,
// sm_percent and gpu_memory_bytes_by_gpu of CONTRACT.md (in every scenario: the shape the page expects).
// --api http://127.0.0.1:PORT/ passes every /api/ request to a running container-monitor instead (loopback
// only), to try a freshly built page against a real back end without rebuilding the binary.
// Port 0 (the default) picks a free port; the chosen URL is printed on the first line of stdout.
// Fixture times are shifted so the fixture's "time" is now; values wander a little each second
// (deterministically: a seeded generator) unless --frozen.
import { createServer, request as httpRequest } from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const port = Number(argv.find((a, i) => /^\d+$/.test(a) && !(argv[i - 1] || '').startsWith('--')) ?? 0);
const scenario = option('--scenario', 'normal');
const pauseAfter = Number(option('--pause-after', 0));
const frozen = argv.includes('--frozen');
const dist = resolve(option('--dist', join(here, 'dist')));
const INTERVAL_MS = 1000;
const api = option('--api', '');
if (api && !['127.0.0.1', 'localhost', '[::1]'].includes(new URL(api).hostname)) {
  console.error(`dev-server: --api must be a loopback URL, not ${api}`);
  process.exit(2);
}

// Streams one request to the --api server and its answer back (SSE included).
function proxy(req, res) {
  const target = new URL(req.url, api);
  const upstream = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', (e) => {
    res.writeHead(502, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: `dev-server proxy: ${e.message}` }));
  });
  req.on('close', () => upstream.destroy());
  upstream.end();
}

const fixtureFile = scenario === 'gpu-first' ? 'snapshot-gpu-first.json' : 'snapshot.json';
const fixture = JSON.parse(readFileSync(join(here, 'test/fixtures', fixtureFile), 'utf8'));
const accountingFixture = JSON.parse(readFileSync(join(here, 'test/fixtures/accounting.json'), 'utf8'));
const fixtureTime = Date.parse(fixture.time);
const startedAt = Date.now();

function applyScenario(s) {
  if (scenario === 'no-gpu') {
    s.gpus = [];
    s.gpu_processes = [];
    s.containers.forEach((c) => {
      c.gpu_memory_bytes = 0;
      c.gpu_indices = [];
    });
    s.sources = s.sources.map((x) => (x.name === 'gpu' ? { name: 'gpu', ok: false, error: 'gpu: no NVIDIA driver found' } : x));
  } else if (scenario === 'no-docker') {
    s.containers = [];
    s.sources = s.sources.map((x) => (x.name === 'docker' ? { name: 'docker', ok: false, error: 'docker: GET /containers/json: connection refused' } : x));
  } else if (scenario === 'hostile') {
    // Markup in every free-text field: the page must show it as text and never run it.
    const evil = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
    s.title = `Monitor ${evil}`;
    s.note = `Note ${evil}`;
    s.host.hostname = `host${evil}`;
    s.containers[0].name = `name${evil}`;
    s.containers[0].image = `image${evil}`;
    s.containers[0].labels = { 'com.example.owner': evil };
    s.containers[0].owner = `owner${evil}`;
    s.gpus[0].name = `gpu${evil}`;
    s.gpu_processes[3].command = `cmd${evil}`;
    s.sources.push({ name: 'evil', ok: false, error: evil });
  } else if (scenario === 'empty') {
    s.containers = [];
    s.gpus = [];
    s.gpu_processes = [];
    s.note = '';
    s.sources = s.sources.filter((x) => x.ok);
  }
  return s;
}

// Moves every RFC 3339 time in the fixture by the same offset.
function shiftTimes(value, offsetMs) {
  if (Array.isArray(value)) return value.map((v) => shiftTimes(v, offsetMs));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? new Date(Date.parse(v) + offsetMs).toISOString() : shiftTimes(v, offsetMs);
    }
    return out;
  }
  return value;
}

// Smooth, deterministic wander around a base value for tick t.
function wander(base, t, seed, spread) {
  if (frozen) return base;
  const w = Math.sin(t / 23 + seed) * 0.6 + Math.sin(t / 7.3 + seed * 3) * 0.3 + Math.sin(t / 2.1 + seed * 7) * 0.1;
  return Math.max(0, base * (1 + spread * w));
}

function snapshotAt(timeMs) {
  const t = Math.round(timeMs / INTERVAL_MS);
  const s = applyScenario(shiftTimes(structuredClone(fixture), (frozen ? startedAt : timeMs) - fixtureTime));
  s.time = new Date(timeMs).toISOString();
  s.sequence = fixture.sequence + Math.round((timeMs - startedAt) / INTERVAL_MS);
  const h = s.host;
  h.cpu_busy_percent = Math.min(100, wander(h.cpu_busy_percent, t, 1, 0.5));
  h.memory_used_bytes = Math.round(wander(h.memory_used_bytes, t, 2, 0.03));
  for (const [i, key] of ['network_rx', 'network_tx', 'disk_read', 'disk_write'].entries()) {
    h[key].bytes_per_second = wander(h[key].bytes_per_second, t, 3 + i, 0.8);
  }
  s.gpus.forEach((g, i) => {
    if (g.utilization_percent > 0) g.utilization_percent = Math.min(100, Math.round(wander(g.utilization_percent, t, 10 + i, 0.15)));
    if (g.power_draw_milliwatts) g.power_draw_milliwatts = Math.round(wander(g.power_draw_milliwatts, t, 12 + i, 0.08));
  });
  s.containers.forEach((c, i) => {
    if (c.cpu_percent !== undefined) c.cpu_percent = Math.round(wander(c.cpu_percent, t, 20 + i, 0.3) * 10) / 10;
    if (c.memory_working_set_bytes !== undefined) c.memory_working_set_bytes = Math.round(wander(c.memory_working_set_bytes, t, 30 + i, 0.02));
  });
  return s;
}

// Points `step` seconds apart (default: about 480 points over the window), aggregated the way the server
// does past full resolution: the value at the point, and a _max sibling for CPU and GPU utilization.
function history(seconds, stepSeconds) {
  const stepMs = Math.max(1000, (stepSeconds || Math.max(5, Math.ceil(seconds / 480))) * 1000);
  const end = Date.now();
  const times = [];
  for (let at = end - seconds * 1000; at <= end; at += stepMs) times.push(Math.round(at));
  const snaps = times.map((at) => snapshotAt(at));
  const col = (fn) => snaps.map((s) => {
    const v = fn(s);
    return v === undefined ? null : v;
  });
  const out = {
    step_ms: stepMs,
    times,
    host: {
      cpu_busy_percent: col((s) => s.host.cpu_busy_percent),
      cpu_busy_percent_max: col((s) => Math.min(100, s.host.cpu_busy_percent * 1.2)),
      memory_used_bytes: col((s) => s.host.memory_used_bytes),
      network_rx_bytes_per_second: col((s) => s.host.network_rx.bytes_per_second),
      network_tx_bytes_per_second: col((s) => s.host.network_tx.bytes_per_second),
      disk_read_bytes_per_second: col((s) => s.host.disk_read.bytes_per_second),
      disk_write_bytes_per_second: col((s) => s.host.disk_write.bytes_per_second),
    },
    gpus: {},
    containers: {},
  };
  for (const g of snaps[0].gpus) {
    const pick = (s) => s.gpus.find((x) => x.index === g.index);
    out.gpus[g.index] = {
      utilization_percent: col((s) => pick(s).utilization_percent),
      utilization_percent_max: col((s) => (pick(s).utilization_percent === undefined ? null : Math.min(100, pick(s).utilization_percent + 8))),
      memory_used_bytes: col((s) => pick(s).memory_used_bytes),
      memory_total_bytes: col((s) => pick(s).memory_total_bytes),
    };
  }
  for (const c of snaps[0].containers) {
    const pick = (s) => s.containers.find((x) => x.short_id === c.short_id);
    const own = (s) => s.gpu_processes.filter((p) => p.container_id === c.id && p.process_exists !== false);
    const byGpu = {};
    for (const p of own(snaps[0])) {
      byGpu[p.gpu_index] = col((s) => own(s).filter((q) => q.gpu_index === p.gpu_index).reduce((sum, q) => sum + q.memory_used_bytes, 0));
    }
    out.containers[c.short_id] = {
      name: c.name,
      owner: c.owner,
      cpu_percent: col((s) => pick(s).cpu_percent),
      cpu_percent_max: col((s) => pick(s).cpu_percent * 1.3),
      memory_working_set_bytes: col((s) => pick(s).memory_working_set_bytes),
      gpu_memory_bytes: col((s) => pick(s).gpu_memory_bytes),
      sm_percent: col((s) => own(s).reduce((sum, q) => sum + (q.sm_percent || 0), 0)),
      gpu_memory_bytes_by_gpu: byGpu,
    };
  }
  return out;
}

// The accounting fixture moved to now; ?since= sets the window start (never before the monitor started).
function accounting(since) {
  const body = shiftTimes(structuredClone(accountingFixture), Date.now() - Date.parse(accountingFixture.now));
  if (since !== null) body.since = new Date(Math.max(since * 1000, Date.parse(body.started))).toISOString();
  else body.since = body.started;
  return body;
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

function sendJson(res, body) {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function events(req, res) {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  const opened = Date.now();
  const send = () => {
    if (pauseAfter > 0 && Date.now() - opened >= pauseAfter * 1000) {
      res.write('event: paused\ndata: {"paused":true}\n\n');
      clearInterval(timer);
      return;
    }
    res.write(`event: snapshot\ndata: ${JSON.stringify(snapshotAt(Date.now()))}\n\n`);
  };
  const timer = setInterval(send, INTERVAL_MS);
  send();
  req.on('close', () => clearInterval(timer));
}

function serveFile(req, res, pathname) {
  const relative = normalize(pathname === '/' ? '/index.html' : pathname).replace(/^(\.\.[/\\])+/, '');
  const file = join(dist, relative);
  if (!file.startsWith(dist) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found\n');
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-cache' });
  res.end(readFileSync(file));
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (api && url.pathname.startsWith('/api/')) proxy(req, res);
  else if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405);
    res.end();
  } else if (url.pathname === '/api/v1/snapshot') sendJson(res, snapshotAt(Date.now()));
  else if (url.pathname === '/api/v1/history') sendJson(res, history(Math.min(86400, Number(url.searchParams.get('seconds')) || 900), Number(url.searchParams.get('step')) || 0));
  else if (url.pathname === '/api/v1/accounting') {
    const since = url.searchParams.get('since');
    if (scenario !== 'gpu-first') {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"error":"not found"}');
    } else sendJson(res, accounting(since === null ? null : Number(since)));
  }
  else if (url.pathname === '/api/v1/events') events(req, res);
  else serveFile(req, res, url.pathname);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${server.address().port}/`);
});
