// Unit tests of the containers table model: grouping, sorting, filtering, URL state (node --test).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as m from '../src/table-model.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/snapshot.json', import.meta.url), 'utf8'));
const now = Date.parse(fixture.time);

test('GPU processes are grouped under their container; host processes and orphans apart', () => {
  const { containers, host, orphans } = m.buildGroups(fixture, now);
  const byName = Object.fromEntries(containers.map((g) => [g.container.name, g]));
  assert.deepEqual(byName['alice-llm-finetune'].processes.map((p) => p.pid), [678400, 678455]);
  assert.deepEqual(byName['bob-jupyter'].processes.map((p) => p.pid), [701233]);
  assert.deepEqual(byName['carol-data-prep'].processes, []);
  assert.deepEqual(host.map((p) => p.pid), [3121]);
  assert.deepEqual(orphans.map((p) => p.pid), [655102]);
  assert.equal(byName['bob-jupyter'].idleHolder, true);
  assert.equal(byName['alice-llm-finetune'].idleHolder, false);
  assert.deepEqual(byName['bob-jupyter'].gpuIndices, [1]);
});

test('memory percent is against the limit, or host memory when unlimited', () => {
  const { containers } = m.buildGroups(fixture, now);
  const carol = containers.find((g) => g.container.name === 'carol-data-prep');
  const bob = containers.find((g) => g.container.name === 'bob-jupyter');
  assert.ok(Math.abs(carol.memPercent - (29 + 800 / 1024) / 32 * 100) < 1e-9);
  assert.equal(carol.memLimited, true);
  assert.equal(bob.memLimited, false);
  assert.ok(Math.abs(bob.memPercent - (11 + 200 / 1024) / 503 * 100) < 1e-9);
});

test('without gpu_memory_bytes/gpu_indices the group derives them from its processes', () => {
  const snapshot = structuredClone(fixture);
  for (const c of snapshot.containers) {
    delete c.gpu_memory_bytes;
    delete c.gpu_indices;
  }
  const { containers } = m.buildGroups(snapshot, now);
  const alice = containers.find((g) => g.container.name === 'alice-llm-finetune');
  const carol = containers.find((g) => g.container.name === 'carol-data-prep');
  assert.equal(alice.gpuMemory, (61 * 1024 + 512) * 1024 ** 2 + 2 * 1024 ** 3);
  assert.deepEqual(alice.gpuIndices, [0]);
  assert.equal(carol.gpuMemory, null);
});

test('an empty snapshot gives empty groups', () => {
  assert.deepEqual(m.buildGroups({}, now), { containers: [], host: [], unlisted: [], orphans: [] });
});

test('processes of containers missing from the list are kept apart from host processes', () => {
  const { containers, host, unlisted, orphans } = m.buildGroups({ ...fixture, containers: [] }, now);
  assert.deepEqual(containers, []);
  assert.deepEqual(host.map((p) => p.pid), [3121]);
  assert.deepEqual(unlisted.map((p) => p.pid), [678400, 678455, 701233]);
  assert.deepEqual(orphans.map((p) => p.pid), [655102]);
});

test('sorting: by column, both directions, missing values last', () => {
  const { containers } = m.buildGroups(fixture, now);
  const names = (state) => m.visibleGroups(containers, { ...m.DEFAULT_STATE, ...state }).map((g) => g.container.name);
  assert.deepEqual(names({ sort: 'name', dir: 'asc' }), ['alice-llm-finetune', 'bob-jupyter', 'carol-data-prep']);
  assert.deepEqual(names({ sort: 'cpu', dir: 'desc' }), ['alice-llm-finetune', 'carol-data-prep', 'bob-jupyter']);
  assert.deepEqual(names({ sort: 'cpu', dir: 'asc' }), ['bob-jupyter', 'carol-data-prep', 'alice-llm-finetune']);
  assert.deepEqual(names({ sort: 'uptime', dir: 'desc' }), ['alice-llm-finetune', 'bob-jupyter', 'carol-data-prep']);
  assert.deepEqual(names({ sort: 'gpus', dir: 'desc' }).at(-1), 'carol-data-prep');
  assert.deepEqual(names({ sort: 'gpus', dir: 'asc' }).at(-1), 'carol-data-prep', 'no GPUs sorts last both ways');
});

test('filter by name, image or id; GPU users only', () => {
  const { containers } = m.buildGroups(fixture, now);
  const names = (state) => m.visibleGroups(containers, { ...m.DEFAULT_STATE, ...state }).map((g) => g.container.name);
  assert.deepEqual(names({ q: 'JUPYTER' }), ['bob-jupyter']);
  assert.deepEqual(names({ q: 'nvcr.io' }), ['alice-llm-finetune']);
  assert.deepEqual(names({ q: 'a07c3e' }), ['carol-data-prep']);
  assert.deepEqual(names({ q: '  ' }).length, 3);
  assert.deepEqual(names({ q: 'nothing-matches' }), []);
  assert.deepEqual(names({ gpu: true }), ['alice-llm-finetune', 'bob-jupyter']);
});

test('toggleSort flips the same column and starts a new one at its natural order', () => {
  let s = m.DEFAULT_STATE;
  s = m.toggleSort(s, 'cpu');
  assert.deepEqual([s.sort, s.dir], ['cpu', 'desc']);
  s = m.toggleSort(s, 'cpu');
  assert.deepEqual([s.sort, s.dir], ['cpu', 'asc']);
  s = m.toggleSort(s, 'name');
  assert.deepEqual([s.sort, s.dir], ['name', 'asc']);
  assert.equal(m.toggleSort(s, 'bogus'), s);
});

test('URL hash state round-trips and rejects junk', () => {
  const state = { sort: 'gpu_mem', dir: 'desc', q: 'a&b=c #x', gpu: true };
  assert.deepEqual(m.parseState(m.formatState(state)), state);
  assert.equal(m.formatState(m.DEFAULT_STATE), '');
  assert.deepEqual(m.parseState(''), m.DEFAULT_STATE);
  assert.deepEqual(m.parseState('#sort=<script>&dir=sideways&gpu=yes'), m.DEFAULT_STATE);
});
