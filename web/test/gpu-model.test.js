// Unit tests of the GPU strip model on a snapshot that follows CONTRACT.md (owners, vendor, MIG slices):
// holders per GPU and slice, free-GPU detection, idle holders and "idle for 3 h 12 min" (node --test).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as m from '../src/gpu-model.js';
import { formatIdleFor } from '../src/format.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/snapshot-gpu-first.json', import.meta.url), 'utf8'));
const now = Date.parse(fixture.time);
const GiB = 1024 ** 3;

test('one tile per GPU in index order, with vendor, util and memory; missing util stays missing', () => {
  const tiles = m.gpuTiles(fixture, now);
  assert.deepEqual(tiles.map((t) => t.index), [0, 1, 2, 3]);
  assert.equal(tiles[0].vendor, 'nvidia');
  assert.equal(tiles[0].util, 87);
  assert.equal(tiles[3].util, null, 'a MIG GPU without utilization is not 0');
  assert.equal(tiles[1].memTotal, 85899345920);
});

test('holders: a container with its owner and summed memory; host processes and orphans apart', () => {
  const [gpu0, gpu1] = m.gpuTiles(fixture, now);
  const alice = gpu0.holders.find((h) => h.kind === 'container');
  assert.equal(alice.name, 'alice-llm-finetune');
  assert.equal(alice.owner, 'alice');
  assert.equal(alice.shortId, '19ea60696906');
  assert.equal(alice.memoryBytes, 66035122176 + 2147483648, 'both processes of the container on GPU 0');
  assert.equal(alice.smPercent, 87);
  assert.deepEqual(alice.pids, [678400, 678455]);
  assert.equal(gpu0.holders[0], alice, 'largest holder first');
  assert.deepEqual(gpu0.holders.map((h) => h.kind), ['container', 'host']);
  assert.match(gpu0.holders[1].name, /^Xorg \(host PID 3121\)$/);
  assert.deepEqual(gpu0.owners, ['alice', 'host']);
  assert.deepEqual(gpu1.holders.map((h) => h.kind), ['container', 'orphan']);
  assert.deepEqual(gpu1.owners, ['bob', 'orphaned memory']);
});

test('free: nothing holds memory; a GPU with only orphaned memory or a lost GPU is not free', () => {
  const tiles = m.gpuTiles(fixture, now);
  assert.deepEqual(tiles.map((t) => t.free), [false, false, true, false]);
  const onlyOrphan = structuredClone(fixture);
  onlyOrphan.gpu_processes = onlyOrphan.gpu_processes.filter((p) => p.process_exists === false);
  assert.deepEqual(m.gpuTiles(onlyOrphan, now).map((t) => t.free), [true, false, true, true]);
  const lost = structuredClone(fixture);
  lost.gpus[2].lost = true;
  assert.equal(m.gpuTiles(lost, now)[2].free, false);
  assert.deepEqual(m.freeSummary(m.gpuTiles(fixture, now)), { free: 2, total: 5 }, 'GPU 2 and MIG slice 1 of GPU 3');
});

test('idle holders: flagged with the time since idle_since, "idle for 3 h 12 min"', () => {
  const gpu1 = m.gpuTiles(fixture, now)[1];
  const bob = gpu1.holders[0];
  assert.equal(bob.idleSince, '2026-12-06T02:48:00Z');
  assert.equal(gpu1.idleHolders, 1);
  assert.equal(gpu1.longestIdleSeconds, 3 * 3600 + 12 * 60);
  assert.equal(formatIdleFor(bob.idleSince, now), 'idle for 3 h 12 min');
  assert.equal(m.gpuTiles(fixture, now)[0].idleHolders, 0);
  assert.equal(m.gpuTiles(fixture, now)[0].longestIdleSeconds, null);
});

test('a container is idle only when all its processes on the GPU are; then since the latest of them', () => {
  const two = [
    { pid: 1, gpu_index: 0, memory_used_bytes: GiB, container_id: 'c'.repeat(64), idle_since: '2026-12-06T01:00:00Z' },
    { pid: 2, gpu_index: 0, memory_used_bytes: GiB, container_id: 'c'.repeat(64), idle_since: '2026-12-06T05:00:00Z' },
  ];
  const byId = new Map([['c'.repeat(64), { id: 'c'.repeat(64), short_id: 'c'.repeat(12), name: 'x' }]]);
  assert.equal(m.holdersOf(two, byId)[0].idleSince, '2026-12-06T05:00:00Z');
  two[1].idle_since = undefined;
  assert.equal(m.holdersOf(two, byId)[0].idleSince, null);
  assert.equal(m.holdersOf(two, byId)[0].owner, null, 'no owner field: none shown, the name stands');
});

test('MIG: slices nested in their GPU, processes on the slice of their GPU instance, util "not reported"', () => {
  const gpu3 = m.gpuTiles(fixture, now)[3];
  assert.deepEqual(gpu3.slices.map((s) => s.key), ['3/0', '3/1']);
  const [s0, s1] = gpu3.slices;
  assert.equal(s0.profile, '3g.40gb');
  assert.deepEqual(s0.holders.map((h) => [h.name, h.owner, h.memoryBytes]), [['dave_sweep', 'dave', 8 * GiB]]);
  assert.equal(s0.util, null);
  assert.equal(s0.free, false);
  assert.deepEqual(s1.holders, []);
  assert.equal(s1.util, 0);
  assert.equal(s1.free, true);
  assert.equal(gpu3.free, false);
  assert.equal(m.processOnSlice({ gpu_instance_id: 1, compute_instance_id: 1 }, { gpu_instance_id: 1, compute_instance_id: 0 }), false);
  assert.equal(m.processOnSlice({ gpu_instance_id: 1 }, { gpu_instance_id: 1, compute_instance_id: 0 }), true);
  assert.equal(m.processOnSlice({}, { gpu_instance_id: 1 }), false);
  assert.deepEqual(gpu3.unsliced, []);
  const noInstance = structuredClone(fixture);
  delete noInstance.gpu_processes.at(-1).gpu_instance_id;
  const tile = m.gpuTiles(noInstance, now)[3];
  assert.deepEqual(tile.unsliced.map((h) => h.name), ['dave_sweep'], 'a process on no known slice is still shown');
  assert.equal(tile.slices[0].free, true);
  assert.equal(m.gpuTiles(fixture, now)[0].unsliced.length, 0, 'no MIG: nothing unsliced');
});

test('a process of a container that is not listed is held by "container <short id>"', () => {
  const s = structuredClone(fixture);
  s.containers = [];
  const holder = m.gpuTiles(s, now)[1].holders[0];
  assert.equal(holder.kind, 'unlisted');
  assert.equal(holder.name, 'container 52dfb3934c24');
});
