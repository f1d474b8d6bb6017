// Unit tests of the Accounting view model on an /api/v1/accounting body that follows CONTRACT.md:
// GPU-hours and efficiency per owner/container, ranges → ?since=, sorting, CSV text (node --test).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as m from '../src/accounting-model.js';

const body = JSON.parse(readFileSync(new URL('./fixtures/accounting.json', import.meta.url), 'utf8'));
const now = Date.parse(body.now);

test('rows: window counters in hours with efficiency = busy ÷ held; "start" reads since_start', () => {
  const win = m.accountingRows(body, 'today');
  const alice = win.containers.find((r) => r.name === 'alice-llm-finetune');
  assert.equal(alice.held, 6);
  assert.equal(alice.busy, 5.1);
  assert.equal(alice.idleHeld, 0);
  assert.ok(Math.abs(alice.efficiency - 0.85) < 1e-9);
  assert.equal(alice.shortId, '19ea60696906');
  assert.deepEqual(alice.gpus.map((g) => [g.gpu, g.held, g.gpuInstanceId]), [['0', 6, null]]);
  const dave = win.containers.find((r) => r.owner === 'dave');
  assert.equal(dave.gpus[0].gpuInstanceId, 1, 'MIG slice of the GPU');
  const start = m.accountingRows(body, 'start');
  assert.equal(start.containers.find((r) => r.name === 'alice-llm-finetune').held, 10);
  assert.equal(start.since, body.started);
  assert.equal(win.since, body.since);
  const bob = win.owners.find((o) => o.owner === 'bob');
  assert.equal(bob.idleHeld, 3.2);
  assert.ok(Math.abs(bob.efficiency - 0.05) < 1e-9);
  assert.equal(win.containers.find((r) => r.removed).name, 'erin-old, "quoted"');
});

test('efficiency: none when nothing was held (not 0%), clamped to 0..1', () => {
  assert.equal(m.efficiency(0, 0), null);
  assert.equal(m.efficiency(5, undefined), null);
  assert.equal(m.efficiency(1, 4), 0.25);
  assert.equal(m.efficiency(5, 4), 1);
  const carol = m.accountingRows(body, 'today').owners.find((o) => o.owner === 'carol');
  assert.equal(carol.efficiency, null);
  assert.equal(m.formatEfficiency(carol.efficiency), '—');
  assert.equal(m.formatEfficiency(0.854), '85%');
});

test('ranges: today from local midnight, windows back from now, since start without ?since', () => {
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  assert.equal(m.sinceFor('today', now), midnight.getTime() / 1000);
  assert.equal(m.sinceFor('1h', now), now / 1000 - 3600);
  assert.equal(m.sinceFor('24h', now), now / 1000 - 86400);
  assert.equal(m.sinceFor('start', now), null);
  assert.equal(m.sinceFor('bogus', now), midnight.getTime() / 1000, 'unknown → today');
  assert.equal(m.accountingUrl('start', now), 'api/v1/accounting');
  assert.equal(m.accountingUrl('15m', now), `api/v1/accounting?since=${now / 1000 - 900}`);
});

test('a window the server clamped (history too short) is reported', () => {
  assert.equal(m.accountingRows(body, '24h', now / 1000 - 86400).clamped, true, 'asked 24 h, got since 00:00');
  assert.equal(m.accountingRows(body, 'today', Date.parse(body.since) / 1000).clamped, false);
});

test('sorting: by a number either way, missing values last, ties by the first column', () => {
  const { owners, containers } = m.accountingRows(body, 'today');
  const order = (rows, cols, key, dir, field) => m.sortRows(rows, cols, key, dir).map((r) => r[field]);
  assert.deepEqual(order(owners, m.OWNER_COLUMNS, 'held', 'desc', 'owner'), ['alice', 'bob', 'dave', '=erin', 'carol']);
  assert.deepEqual(order(owners, m.OWNER_COLUMNS, 'held', 'asc', 'owner'), ['carol', '=erin', 'dave', 'alice', 'bob']);
  assert.deepEqual(order(owners, m.OWNER_COLUMNS, 'eff', 'asc', 'owner'), ['bob', 'dave', 'alice', '=erin', 'carol'], 'no efficiency sorts last');
  assert.deepEqual(order(owners, m.OWNER_COLUMNS, 'eff', 'desc', 'owner'), ['=erin', 'alice', 'dave', 'bob', 'carol']);
  assert.deepEqual(order(owners, m.OWNER_COLUMNS, 'owner', 'asc', 'owner'), ['=erin', 'alice', 'bob', 'carol', 'dave']);
  assert.deepEqual(order(containers, m.CONTAINER_COLUMNS, 'idle', 'desc', 'owner'), ['bob', 'alice', 'carol', 'dave', '=erin']);
});

test('toggling a header: same column flips, a new one starts at its natural direction', () => {
  const cols = m.OWNER_COLUMNS;
  assert.deepEqual(m.toggleSort({ key: 'held', dir: 'desc' }, cols, 'held'), { key: 'held', dir: 'asc' });
  assert.deepEqual(m.toggleSort({ key: 'held', dir: 'desc' }, cols, 'owner'), { key: 'owner', dir: 'asc' });
  assert.deepEqual(m.toggleSort({ key: 'owner', dir: 'asc' }, cols, 'busy'), { key: 'busy', dir: 'desc' });
  assert.deepEqual(m.toggleSort({ key: 'owner', dir: 'asc' }, cols, 'nope'), { key: 'owner', dir: 'asc' });
});

test('CSV: header, rows in the order given, RFC 4180 quoting, formula guard, CRLF', () => {
  const { owners, containers, since, now: to } = m.accountingRows(body, 'today');
  const sorted = m.sortRows(owners, m.OWNER_COLUMNS, 'held', 'desc');
  const csv = m.toCsv('owners', sorted, { since, now: to });
  const lines = csv.split('\r\n');
  assert.equal(lines.at(-1), '', 'ends with CRLF');
  assert.deepEqual(lines.slice(0, -1), [
    'owner,containers,gpu_hours_held,gpu_hours_busy,gpu_hours_idle_held,efficiency,from,to',
    'alice,alice-llm-finetune,6,5.1,0,0.85,2026-12-06T00:00:00.000Z,2026-12-06T06:00:00.000Z',
    'bob,bob-jupyter,6,0.3,3.2,0.05,2026-12-06T00:00:00.000Z,2026-12-06T06:00:00.000Z',
    'dave,dave_sweep,1,0.6,0,0.6,2026-12-06T00:00:00.000Z,2026-12-06T06:00:00.000Z',
    `'=erin,"erin-old, ""quoted""",0.5,0.45,0,0.9,2026-12-06T00:00:00.000Z,2026-12-06T06:00:00.000Z`,
    'carol,carol-data-prep,0,0,0,,2026-12-06T00:00:00.000Z,2026-12-06T06:00:00.000Z',
  ]);
  const ctext = m.toCsv('containers', m.sortRows(containers, m.CONTAINER_COLUMNS, 'name', 'asc'), { since, now: to });
  const rows = ctext.trimEnd().split('\r\n');
  assert.equal(rows[0], 'container,short_id,owner,removed,gpus,gpu_hours_held,gpu_hours_busy,gpu_hours_idle_held,efficiency,from,to');
  assert.equal(rows[1], 'alice-llm-finetune,19ea60696906,alice,no,0,6,5.1,0,0.85,2026-12-06T00:00:00.000Z,2026-12-06T06:00:00.000Z');
  assert.equal(rows.length, 6);
  assert.match(rows.find((r) => r.includes('erin')), /^"erin-old, ""quoted""",e0e1e2e3e4e5,'=erin,yes,2,/);
  assert.equal(m.csvField('a\nb'), '"a\nb"');
  assert.equal(m.csvField('+1'), "'+1");
  assert.equal(m.csvField(-1.5), '-1.5', 'numbers are not guarded');
  assert.equal(m.csvField(null), '');
  assert.equal(m.csvFileName('owners', { since, now: to }), 'gpu-accounting-owners-20261206T0000Z-20261206T0600Z.csv');
});

test('hours: two decimals, tiny use is not shown as zero, totals sum hours and divide sums', () => {
  assert.equal(m.formatHours(1.2345), '1.23');
  assert.equal(m.formatHours(0.001), '<0.01');
  assert.equal(m.formatHours(0), '0.00');
  assert.equal(m.formatHours(null), '—');
  assert.equal(m.formatHours(123.4), '123');
  const t = m.totals(m.accountingRows(body, 'today').owners);
  assert.ok(Math.abs(t.held - 13.5) < 1e-9);
  assert.ok(Math.abs(t.busy - 6.45) < 1e-9);
  assert.ok(Math.abs(t.efficiency - 6.45 / 13.5) < 1e-9);
});
