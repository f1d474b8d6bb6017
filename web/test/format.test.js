// Unit tests of the formatting helpers (node --test).
import test from 'node:test';
import assert from 'node:assert/strict';
import * as f from '../src/format.js';

test('formatBytes: units, precision, missing values', () => {
  const cases = [
    [0, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [1536, '1.50 KiB'],
    [10 * 1024 * 1024, '10.0 MiB'],
    [123.4 * 1024 ** 3, '123 GiB'],
    [1023.9 * 1024 ** 2, '1.00 GiB'],
    [80 * 1024 ** 3, '80.0 GiB'],
    [2 ** 64, '16384 PiB'],
    [-2048, '-2.00 KiB'],
    [null, f.MISSING],
    [undefined, f.MISSING],
    [NaN, f.MISSING],
    ['12', f.MISSING],
  ];
  for (const [input, expected] of cases) assert.equal(f.formatBytes(input), expected, `formatBytes(${input})`);
});

test('formatBytesPair shares the total unit', () => {
  assert.equal(f.formatBytesPair(12.3 * 1024 ** 3, 80 * 1024 ** 3), '12.3 / 80.0 GiB');
  assert.equal(f.formatBytesPair(512 * 1024 ** 2, 2 * 1024 ** 3), '0.5 / 2.0 GiB');
  assert.equal(f.formatBytesPair(100, 1000), '100 / 1000 B');
  assert.equal(f.formatBytesPair(1024, undefined), '1.00 KiB');
  assert.equal(f.formatBytesPair(undefined, 1024), `${f.MISSING} / 1.00 KiB`);
});

test('formatRate', () => {
  assert.equal(f.formatRate(0), '0 B/s');
  assert.equal(f.formatRate(12.4 * 1024 * 1024), '12.4 MiB/s');
  assert.equal(f.formatRate(-5), '0 B/s');
  assert.equal(f.formatRate(null), f.MISSING);
});

test('formatPercent and percentOf', () => {
  assert.equal(f.formatPercent(12.345), '12.3%');
  assert.equal(f.formatPercent(1451.26), '1451.3%');
  assert.equal(f.formatPercent(87, 0), '87%');
  assert.equal(f.formatPercent(undefined), f.MISSING);
  assert.equal(f.percentOf(1, 4), 25);
  assert.equal(f.percentOf(1, 0), null);
  assert.equal(f.percentOf(null, 4), null);
});

test('formatDuration: two largest units', () => {
  const cases = [
    [0, '0 s'],
    [59.9, '59 s'],
    [60, '1 min'],
    [12 * 60 + 30, '12 min'],
    [3600, '1 h'],
    [3 * 3600 + 5 * 60, '3 h 5 min'],
    [86400, '1 d'],
    [2 * 86400 + 4 * 3600 + 59, '2 d 4 h'],
    [-5, '0 s'],
    [null, f.MISSING],
  ];
  for (const [input, expected] of cases) assert.equal(f.formatDuration(input), expected, `formatDuration(${input})`);
});

test('parseTime, secondsSince and formatIdleFor', () => {
  const now = Date.parse('2025-06-12T14:03:27Z');
  assert.equal(f.parseTime('2025-06-12T14:03:27Z'), now);
  assert.equal(f.parseTime('2025-06-12T16:03:27+02:00'), now);
  assert.equal(f.parseTime('not a time'), null);
  assert.equal(f.parseTime(undefined), null);
  assert.equal(f.secondsSince('2025-06-12T14:03:20Z', now), 7);
  assert.equal(f.secondsSince('2025-06-12T14:04:00Z', now), 0, 'a clock skewed into the future is not negative');
  assert.equal(f.formatIdleFor('2025-06-12T13:51:00Z', now), 'idle for 12 min');
  assert.equal(f.formatIdleFor(undefined, now), '');
});

test('formatPower, formatTemperature, formatLoad', () => {
  assert.equal(f.formatPower(338000, 400000), '338 / 400 W');
  assert.equal(f.formatPower(61499), '61 W');
  assert.equal(f.formatPower(undefined, 400000), `${f.MISSING} / 400 W`);
  assert.equal(f.formatPower(undefined), f.MISSING);
  assert.equal(f.formatTemperature(71), '71 °C');
  assert.equal(f.formatTemperature(null), f.MISSING);
  assert.equal(f.formatLoad({ one: 14.211, five: 12.8, fifteen: 11 }), '14.21  12.80  11.00');
  assert.equal(f.formatLoad(undefined), f.MISSING);
});

test('formatClock uses local time', () => {
  const d = new Date(2025, 5, 12, 9, 5, 7);
  assert.equal(f.formatClock(d.toISOString()), '09:05:07');
  assert.equal(f.formatClock('garbage'), f.MISSING);
});

test('sourceMessage strips the source name the error already carries', () => {
  assert.equal(f.sourceMessage('gpu', 'gpu: no NVIDIA driver found'), 'no NVIDIA driver found');
  assert.equal(f.sourceMessage('docker', 'connection refused'), 'connection refused');
  assert.equal(f.sourceMessage('docker', 'Docker: GET /containers/json: timeout'), 'GET /containers/json: timeout');
  assert.equal(f.sourceMessage('gpu', undefined), '');
});

test('level thresholds', () => {
  assert.equal(f.level(10), 'ok');
  assert.equal(f.level(80), 'warn');
  assert.equal(f.level(95), 'crit');
  assert.equal(f.level(null), 'none');
});
