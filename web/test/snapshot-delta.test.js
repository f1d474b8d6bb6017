// Unit tests of applying the event stream's deltas (node --test).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { applyDelta } from '../src/snapshot-delta.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/snapshot.json', import.meta.url), 'utf8'));

function deltaOf(next, base, changed, withIds) {
  const { containers, ...rest } = next;
  const delta = { ...rest, base: base.sequence, containers_changed: changed };
  if (withIds) delta.container_ids = containers.map((c) => c.id);
  return delta;
}

test('a delta with no container changes keeps the containers and their objects', () => {
  const base = structuredClone(fixture);
  const next = { ...structuredClone(fixture), sequence: base.sequence + 1, host: { ...fixture.host, cpu_busy_percent: 99 } };
  const got = applyDelta(base, deltaOf(next, base, []));
  assert.deepEqual(got, next);
  assert.equal(got.containers[0], base.containers[0], 'unchanged containers are the same objects');
  assert.equal(got.host.cpu_busy_percent, 99);
  assert.ok(!('base' in got) && !('containers_changed' in got));
});

test('members a delta leaves out are the base\'s', () => {
  const base = structuredClone(fixture);
  const next = { ...structuredClone(fixture), sequence: base.sequence + 1, time: 'later' };
  const { gpus, gpu_processes: processes, sources, host, ...moved } = deltaOf(next, base, []);
  assert.ok(gpus && processes && sources && host, 'the fixture has every member');
  const got = applyDelta(base, moved);
  assert.deepEqual(got, next);
  assert.equal(got.gpus, base.gpus, 'the same objects, not copies');
  assert.equal(got.time, 'later');
});

test('changed containers replace theirs; container_ids adds, removes and orders', () => {
  const base = structuredClone(fixture);
  assert.ok(base.containers.length >= 2, 'the fixture has at least two containers');
  const changed = { ...base.containers[0], cpu_percent: 77 };
  const added = { ...base.containers[1], id: 'f'.repeat(64), name: 'new-one' };
  const next = structuredClone(base);
  next.sequence += 1;
  // The second container went, a new one came first, the first changed, the rest in reverse order.
  next.containers = [added, changed, ...base.containers.slice(2).reverse()];
  const got = applyDelta(base, deltaOf(next, base, [changed, added], true));
  assert.deepEqual(got, next);
});

test('a delta for another base, or with an id it does not explain, does not apply', () => {
  const base = structuredClone(fixture);
  const next = { ...structuredClone(fixture), sequence: base.sequence + 1 };
  assert.equal(applyDelta(base, { ...deltaOf(next, base, []), base: base.sequence - 1 }), null);
  assert.equal(applyDelta(base, { ...deltaOf(next, base, []), container_ids: ['nope'] }), null);
  assert.equal(applyDelta(base, { ...deltaOf(next, base, []), containers_changed: [{ name: 'no id' }] }), null);
  assert.equal(applyDelta(null, deltaOf(next, base, [])), null);
});
