// Unit tests of the detail views' model on an /api/v1/history body that follows CONTRACT.md (step_ms, _max
// series, owner, sm_percent, gpu_memory_bytes_by_gpu): GPU series, holders over time, container series,
// window → URL, and the view route kept in the query (node --test).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as m from '../src/history-model.js';

const history = JSON.parse(readFileSync(new URL('./fixtures/history-24h.json', import.meta.url), 'utf8'));
const t0 = history.times[0];

test('windows ask for their seconds and a step that keeps a few hundred points', () => {
  assert.equal(m.historyUrl('15m'), 'api/v1/history?seconds=900');
  assert.equal(m.historyUrl('1h'), 'api/v1/history?seconds=3600&step=10');
  assert.equal(m.historyUrl('24h'), 'api/v1/history?seconds=86400&step=180');
  assert.equal(m.historyUrl('bogus'), m.historyUrl(m.DEFAULT_WINDOW));
  for (const w of m.WINDOWS) assert.ok(w.seconds / Math.max(1, w.step) <= 900, `${w.key}: at most 900 points`);
});

test('GPU series: mean and max utilization, memory, step; gaps stay gaps', () => {
  const s = m.gpuSeries(history, 0);
  assert.deepEqual(s.x, history.times.map((t) => t / 1000));
  assert.deepEqual(s.util, [80, 85, null, 90, 88]);
  assert.deepEqual(s.utilMax, [95, 99, null, 100, 97]);
  assert.equal(s.stepMs, 60000);
  assert.equal(s.present, true);
  assert.equal(m.gpuSeries(history, 1).utilMax, null, 'no _max series: none drawn');
  assert.equal(m.gpuSeries(history, 7).present, false);
  assert.deepEqual(m.gpuSeries(history, 7).util, [null, null, null, null, null]);
});

test('holders over time: who had memory on the GPU, first/last seen and peak, earliest first', () => {
  const g0 = m.gpuHolders(history, 0);
  assert.equal(g0.perGpu, true);
  assert.deepEqual(g0.holders.map((x) => [x.name, x.owner, x.firstMs - t0, x.lastMs - t0, x.peakBytes]), [
    ['alice-llm-finetune', 'alice', 0, 240000, 3221225472],
    ['frank-two-gpus', 'frank', 60000, 180000, 2000],
  ]);
  const g1 = m.gpuHolders(history, 1);
  assert.deepEqual(g1.holders.map((x) => [x.shortId, x.firstMs - t0, x.heldPoints]), [
    ['f0f1f2f3f4f5', 60000, 3],
    ['52dfb3934c24', 120000, 3],
  ]);
  assert.deepEqual(g1.holders[1].series, [0, 0, 24000000000, 24000000000, 24000000000]);
  const old = structuredClone(history);
  for (const c of Object.values(old.containers)) delete c.gpu_memory_bytes_by_gpu;
  assert.deepEqual(m.gpuHolders(old, 0), { perGpu: false, holders: [] }, 'an older server: no per-GPU split');
});

test('container series: CPU with its max, memory, GPU memory per GPU in index order, SM %; short series padded', () => {
  const a = m.containerSeries(history, '19ea60696906');
  assert.equal(a.owner, 'alice');
  assert.deepEqual(a.cpu, [100, 120, 140, 160, 180]);
  assert.deepEqual(a.cpuMax, [150, 170, 190, 210, 230]);
  assert.deepEqual(a.sm, [70, 75, 80, 85, 90]);
  assert.deepEqual(Object.keys(m.containerSeries(history, 'f0f1f2f3f4f5').gpuMemByGpu), ['0', '1']);
  const carol = m.containerSeries(history, 'a07c3e91b2d4');
  assert.deepEqual(carol.cpu, [null, null, 5, 5, 5], 'a container that started late: padded at the front');
  assert.equal(carol.cpuMax, null);
  assert.equal(carol.sm, null);
  assert.equal(m.containerSeries(history, '000000000000').present, false);
});

test('route in the query: parse and format round-trip, bad input falls back to the overview', () => {
  const cases = [
    ['', { view: 'overview' }],
    ['?gpu=3', { view: 'gpu', gpu: '3', slice: null }],
    ['?gpu=3&slice=1', { view: 'gpu', gpu: '3', slice: '1' }],
    ['?container=19ea60696906&window=6h', { view: 'container', container: '19ea60696906', window: '6h' }],
    ['?view=accounting&range=start', { view: 'accounting', range: 'start' }],
  ];
  for (const [search, expected] of cases) {
    const route = m.parseRoute(search);
    for (const [k, v] of Object.entries(expected)) assert.equal(route[k], v, `${search}: ${k}`);
    assert.equal(m.formatRoute(route), search, 'round trip');
  }
  assert.equal(m.parseRoute('?container=19EA60696906ABCDEF').container, '19ea60696906', 'a long id is cut to the short one');
  assert.equal(m.parseRoute('?gpu=x').view, 'overview');
  assert.equal(m.parseRoute('?container=<script>').view, 'overview');
  assert.equal(m.parseRoute('?view=nope').view, 'overview');
  assert.equal(m.parseRoute('?container=19ea60696906&window=9y').window, m.DEFAULT_WINDOW);
  assert.equal(m.formatRoute({ view: 'container', container: '19ea60696906', window: m.DEFAULT_WINDOW }), '?container=19ea60696906');
});
