// The fleet page's view model on literal /api/v1/fleet values.
import test from 'node:test';
import assert from 'node:assert/strict';
import { bannerText, freeGpuRows, gpuHours, gpuName, holderText, ownerRows, serverSummary } from '../src/fleet/fleet-model.js';

const NOW_MS = 1700000000 * 1000;

test('banner only when Prometheus failed, saying how old the data is', () => {
  assert.equal(bannerText({ error: null }, NOW_MS), null);
  const text = bannerText({ error: 'prometheus: GET /api/v1/query: connection refused', data_unix: 1700000000 - 120 }, NOW_MS);
  assert.match(text, /^Prometheus is not answering: prometheus: GET \/api\/v1\/query: connection refused\./);
  assert.match(text, /2 min/);
  assert.match(bannerText({ error: 'x' }, NOW_MS), /Nothing to show/);
});

test('GPU names, MIG slices and GPU-hours', () => {
  assert.equal(gpuName({ gpu: '3' }), '3');
  assert.equal(gpuName({ gpu: '3', mig_instance: '1' }), '3/1');
  assert.equal(gpuHours(5400), '1.5');
  assert.equal(gpuHours(undefined), '—');
});

test('free GPU rows keep the server order given and show missing memory as missing', () => {
  const rows = freeGpuRows({ free_gpus: [{ server: 'a', gpu: '1', memory_free_bytes: 2 ** 30, memory_total_bytes: 2 ** 31 }, { server: 'b', gpu: '0' }] });
  assert.deepEqual(rows.map((r) => r.server), ['a', 'b']);
  assert.equal(rows[0].free, '1.00 GiB');
  assert.equal(rows[1].free, '—');
});

test('holders, idle holders and down servers', () => {
  assert.equal(holderText({ container: 'ana-train', owner: 'ana', memory_bytes: 2 ** 30, idle: false }, NOW_MS), 'ana (ana-train) 1.00 GiB');
  assert.match(holderText({ container: 'bob-nb', owner: 'bob', memory_bytes: 0, idle: true, idle_since_unix: 1700000000 - 3 * 3600 }, NOW_MS), /idle for 3 h/);
  assert.match(serverSummary({ up: false, last_data_unix: 1700000000 - 60 }, NOW_MS), /^down — last data .*1 min/);
  assert.match(serverSummary({ up: true, cpu_busy_percent: 12.4 }, NOW_MS), /^CPU 12% · memory —$/);
});

test('owner rows: held / busy per window, efficiency over 7 days', () => {
  const [row] = ownerRows({ owners: [{ owner: 'ana', today: { held_seconds: 3600, busy_seconds: 1800 }, week: { held_seconds: 7200, busy_seconds: 1800, efficiency: 0.25 }, month: {}, holding: ['a/0'], idle_holding: [] }] });
  assert.equal(row.today, '1.0 / 0.5');
  assert.equal(row.month, '— / —');
  assert.equal(row.efficiency, '25%');
  assert.equal(row.holding, 'a/0');
});
