// Unit tests of the client-side history store (node --test).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SeriesStore } from '../src/series.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/snapshot.json', import.meta.url), 'utf8'));
const t0 = Date.parse(fixture.time);
const at = (ms) => ({ ...structuredClone(fixture), time: new Date(ms).toISOString() });

test('load pads short columns and keeps container names', () => {
  const s = new SeriesStore(900);
  s.load({
    times: [t0 - 2000, t0 - 1000],
    host: { cpu_busy_percent: [1, null] },
    gpus: { 0: { utilization_percent: [5, 6], memory_used_bytes: [7] } },
    containers: { abc: { name: 'x', cpu_percent: [1, 2] } },
  });
  assert.deepEqual(s.host.cpu_busy_percent, [1, null]);
  assert.deepEqual(s.host.disk_read_bytes_per_second, [null, null]);
  assert.deepEqual(s.gpus[0].memory_used_bytes, [null, 7]);
  assert.equal(s.containers.abc.name, 'x');
  assert.deepEqual(s.containers.abc.gpu_memory_bytes, [null, null]);
});

test('append adds a point to every series, new ones padded with nulls', () => {
  const s = new SeriesStore(900);
  s.load({ times: [t0 - 1000], host: { cpu_busy_percent: [5] }, gpus: {}, containers: { gone: { name: 'old', cpu_percent: [3] } } });
  assert.equal(s.append(fixture), true);
  assert.deepEqual(s.times, [t0 - 1000, t0]);
  assert.deepEqual(s.host.cpu_busy_percent, [5, 23.7]);
  assert.deepEqual(s.gpus[0].utilization_percent, [null, 87]);
  assert.deepEqual(s.containers['19ea60696906'].cpu_percent, [null, 1451.3]);
  assert.deepEqual(s.containers.gone.cpu_percent, [3, null]);
  assert.equal(s.host.network_rx_bytes_per_second[1], fixture.host.network_rx.bytes_per_second);
});

test('append ignores a snapshot that is not newer, or has no time', () => {
  const s = new SeriesStore(900);
  s.append(fixture);
  assert.equal(s.append(fixture), false);
  assert.equal(s.append({ ...fixture, time: undefined }), false);
  assert.equal(s.times.length, 1);
});

test('the window caps points and drops series that ran empty', () => {
  const s = new SeriesStore(10);
  s.load({ times: [t0 - 60000], host: {}, gpus: {}, containers: { gone: { name: 'old', cpu_percent: [3] } } });
  for (let i = 0; i < 20; i += 1) s.append(at(t0 + i * 1000));
  assert.equal(s.times.length, 11);
  assert.equal(s.times[0], t0 + 9000);
  assert.equal(s.host.cpu_busy_percent.length, 11);
  assert.equal(s.gpus[1].memory_used_bytes.length, 11);
  assert.equal(s.containers.gone, undefined);
});
