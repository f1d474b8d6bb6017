// The GPU strip as data: one tile per GPU, with its MIG slices nested, and who holds each one (containers
// grouped with their owner, host processes, orphaned memory). Pure: no DOM, no clock (callers pass "now").
// A GPU or slice is free when nothing holds memory on it; a lost GPU is never shown as free (we don't know).
import { isNum, parseTime } from './format.js';

function containerIndex(snapshot) {
  const byId = new Map();
  for (const c of snapshot.containers || []) {
    if (typeof c.id === 'string') byId.set(c.id, c);
    if (typeof c.short_id === 'string') byId.set(c.short_id, c);
  }
  return byId;
}

function findContainer(byId, id) {
  if (typeof id !== 'string' || id === '') return null;
  return byId.get(id) || byId.get(id.slice(0, 12)) || null;
}

// A process on a MIG GPU belongs to the slice with its GPU instance (and compute instance, when both say).
export function processOnSlice(process, slice) {
  if (!isNum(process.gpu_instance_id) || process.gpu_instance_id !== slice.gpu_instance_id) return false;
  return !isNum(process.compute_instance_id) || !isNum(slice.compute_instance_id) || process.compute_instance_id === slice.compute_instance_id;
}

// The newest idle_since of a holder whose processes are all idle; null when any of them computes.
function idleSinceOf(processes) {
  let latest = null;
  for (const p of processes) {
    const t = parseTime(p.idle_since);
    if (t === null) return null;
    if (latest === null || t > latest.ms) latest = { ms: t, text: p.idle_since };
  }
  return latest ? latest.text : null;
}

// Processes → holders: one per container (all its processes on this device), one per host process, one
// per orphaned allocation. Sorted by memory held, largest first.
export function holdersOf(processes, byId) {
  const groups = new Map();
  for (const p of processes) {
    let key;
    let base;
    if (p.process_exists === false) {
      key = `orphan:${p.pid}`;
      base = { kind: 'orphan', name: `PID ${p.pid} (process gone)`, owner: null, shortId: null };
    } else if (typeof p.container_id === 'string' && p.container_id !== '') {
      const c = findContainer(byId, p.container_id);
      key = `ctr:${c ? c.short_id : p.container_id.slice(0, 12)}`;
      base = c
        ? { kind: 'container', name: c.name || c.short_id, owner: typeof c.owner === 'string' && c.owner !== '' ? c.owner : null, shortId: c.short_id }
        : { kind: 'unlisted', name: `container ${p.container_id.slice(0, 12)}`, owner: null, shortId: null };
    } else {
      key = `host:${p.pid}`;
      const command = typeof p.command === 'string' && p.command !== '' ? p.command.split(/\s+/)[0].split('/').pop() : '';
      base = { kind: 'host', name: command ? `${command} (host PID ${p.pid})` : `host PID ${p.pid}`, owner: null, shortId: null };
    }
    const group = groups.get(key) || { key, ...base, processes: [] };
    group.processes.push(p);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((g) => {
      const mem = g.processes.filter((p) => isNum(p.memory_used_bytes));
      const sm = g.processes.filter((p) => isNum(p.sm_percent));
      return {
        key: g.key,
        kind: g.kind,
        name: g.name,
        owner: g.owner,
        shortId: g.shortId,
        memoryBytes: mem.length ? mem.reduce((s, p) => s + p.memory_used_bytes, 0) : null,
        smPercent: sm.length ? sm.reduce((s, p) => s + p.sm_percent, 0) : null,
        idleSince: idleSinceOf(g.processes),
        mps: g.processes.some((p) => p.mps === true),
        pids: g.processes.map((p) => p.pid),
      };
    })
    .sort((a, b) => (b.memoryBytes ?? -1) - (a.memoryBytes ?? -1) || a.name.localeCompare(b.name));
}

// Owners on a device, for the one-line "who": "alice, bob" (containers without an owner by their name).
export function ownersOf(holders) {
  const names = [];
  for (const h of holders) {
    const who = h.kind === 'container' ? h.owner || h.name : h.kind === 'orphan' ? 'orphaned memory' : h.kind === 'host' ? 'host' : h.name;
    if (!names.includes(who)) names.push(who);
  }
  return names;
}

function idleSeconds(holder, nowMs) {
  const t = parseTime(holder.idleSince);
  return t === null ? null : Math.max(0, (nowMs - t) / 1000);
}

function tileState(lost, holders, nowMs) {
  const idle = holders.filter((h) => h.idleSince !== null);
  return {
    free: !lost && holders.length === 0,
    idleHolders: idle.length,
    longestIdleSeconds: idle.length ? Math.max(...idle.map((h) => idleSeconds(h, nowMs) ?? 0)) : null,
  };
}

// Snapshot → [tile]. tile: { key, index, name, vendor, uuid, lost, util, memUsed, memTotal, holders, owners,
// free, idleHolders, longestIdleSeconds, slices: [slice], unsliced: [holder] (MIG GPU, on no known slice) }; slice: { key, index, profile, uuid,
// gpuInstanceId, computeInstanceId, util (null: not reported), memUsed, memTotal, holders, owners, free, ... }.
export function gpuTiles(snapshot, nowMs) {
  const byId = containerIndex(snapshot);
  const processes = snapshot.gpu_processes || [];
  return [...(snapshot.gpus || [])]
    .sort((a, b) => a.index - b.index)
    .map((gpu) => {
      const lost = gpu.lost === true;
      const own = processes.filter((p) => p.gpu_index === gpu.index);
      const holders = holdersOf(own, byId);
      const migDevices = Array.isArray(gpu.mig_devices) ? [...gpu.mig_devices].sort((a, b) => a.index - b.index) : [];
      const slices = migDevices.map((m) => {
        const sliceHolders = holdersOf(own.filter((p) => processOnSlice(p, m)), byId);
        return {
          key: `${gpu.index}/${m.index}`,
          index: m.index,
          profile: m.profile || 'MIG',
          uuid: m.uuid || '',
          gpuInstanceId: m.gpu_instance_id,
          computeInstanceId: m.compute_instance_id,
          util: isNum(m.utilization_percent) ? m.utilization_percent : null,
          memUsed: isNum(m.memory_used_bytes) ? m.memory_used_bytes : null,
          memTotal: isNum(m.memory_total_bytes) ? m.memory_total_bytes : null,
          holders: sliceHolders,
          owners: ownersOf(sliceHolders),
          ...tileState(lost, sliceHolders, nowMs),
        };
      });
      // Processes on a MIG GPU that no slice claims (a driver that does not say the instance) stay visible.
      const unsliced = slices.length ? holdersOf(own.filter((p) => !migDevices.some((m) => processOnSlice(p, m))), byId) : [];
      return {
        key: String(gpu.index),
        unsliced,
        index: gpu.index,
        name: gpu.name || 'GPU',
        vendor: typeof gpu.vendor === 'string' && gpu.vendor !== '' ? gpu.vendor : null,
        uuid: gpu.uuid || '',
        lost,
        util: isNum(gpu.utilization_percent) ? gpu.utilization_percent : null,
        memUsed: isNum(gpu.memory_used_bytes) ? gpu.memory_used_bytes : null,
        memTotal: isNum(gpu.memory_total_bytes) ? gpu.memory_total_bytes : null,
        holders,
        owners: ownersOf(holders),
        slices,
        ...tileState(lost, holders, nowMs),
      };
    });
}

// "2 of 4 GPUs free" for the strip's summary line (slices of a MIG GPU count one by one).
export function freeSummary(tiles) {
  let free = 0;
  let total = 0;
  for (const t of tiles) {
    if (t.slices.length) {
      total += t.slices.length;
      free += t.slices.filter((s) => s.free).length;
    } else {
      total += 1;
      free += t.free ? 1 : 0;
    }
  }
  return { free, total };
}
