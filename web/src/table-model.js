// The containers table as data: containers with their GPU processes attached, host GPU processes and
// orphaned GPU memory in groups of their own, sorting, filtering, and the view state kept in the URL hash.
// Pure: no DOM, no clock (callers pass "now").
import { isNum, parseTime, percentOf } from './format.js';

// Column key → how to read the sort value from a group. Strings sort by locale, numbers numerically.
export const COLUMNS = [
  { key: 'name', label: 'Name', value: (g) => g.container.name, defaultDir: 'asc' },
  { key: 'id', label: 'ID', value: (g) => g.container.short_id, defaultDir: 'asc' },
  { key: 'image', label: 'Image', value: (g) => g.container.image, defaultDir: 'asc' },
  { key: 'uptime', label: 'Uptime', value: (g) => g.uptimeSeconds, defaultDir: 'desc' },
  { key: 'cpu', label: 'CPU', value: (g) => g.container.cpu_percent, defaultDir: 'desc' },
  { key: 'mem', label: 'Memory', value: (g) => g.container.memory_working_set_bytes, defaultDir: 'desc' },
  { key: 'mem_pct', label: 'Mem %', value: (g) => g.memPercent, defaultDir: 'desc' },
  { key: 'gpu_mem', label: 'GPU mem', value: (g) => g.gpuMemory, defaultDir: 'desc' },
  { key: 'gpus', label: 'GPUs', value: (g) => (g.gpuIndices.length ? g.gpuIndices.length * 1000 - g.gpuIndices[0] : null), defaultDir: 'desc' },
];

export const DEFAULT_STATE = Object.freeze({ sort: 'name', dir: 'asc', q: '', gpu: false });

function processBelongsTo(process, container) {
  const id = process.container_id;
  return typeof id === 'string' && id !== '' && (id === container.id || id.startsWith(container.short_id));
}

// Snapshot → { containers: [group], host: [process], unlisted: [process], orphans: [process] }.
// host: no container; unlisted: attributed to a container that is not in the list (e.g. Docker is down).
// A group: { key, container, processes, gpuMemory, gpuIndices, uptimeSeconds, memPercent, idleHolder }.
export function buildGroups(snapshot, nowMs) {
  const containers = snapshot.containers || [];
  const processes = snapshot.gpu_processes || [];
  const hostMemory = snapshot.host && snapshot.host.memory_total_bytes;
  const claimed = new Set();
  const groups = containers.map((container) => {
    const own = processes.filter((p) => p.process_exists !== false && processBelongsTo(p, container));
    own.forEach((p) => claimed.add(p));
    const summed = own.reduce((sum, p) => sum + (isNum(p.memory_used_bytes) ? p.memory_used_bytes : 0), 0);
    const gpuMemory = isNum(container.gpu_memory_bytes) ? container.gpu_memory_bytes : own.length ? summed : null;
    const gpuIndices = Array.isArray(container.gpu_indices)
      ? [...container.gpu_indices].sort((a, b) => a - b)
      : [...new Set(own.map((p) => p.gpu_index))].sort((a, b) => a - b);
    const started = parseTime(container.started_at);
    const limit = isNum(container.memory_limit_bytes) ? container.memory_limit_bytes : hostMemory;
    return {
      key: container.short_id || container.id,
      container,
      processes: sortProcesses(own),
      gpuMemory,
      gpuIndices,
      uptimeSeconds: started === null ? null : Math.max(0, (nowMs - started) / 1000),
      memPercent: percentOf(container.memory_working_set_bytes, limit),
      memLimited: isNum(container.memory_limit_bytes),
      idleHolder: own.some((p) => typeof p.idle_since === 'string'),
    };
  });
  const rest = processes.filter((p) => !claimed.has(p));
  return {
    containers: groups,
    host: sortProcesses(rest.filter((p) => p.process_exists !== false && !p.container_id)),
    unlisted: sortProcesses(rest.filter((p) => p.process_exists !== false && p.container_id)),
    orphans: sortProcesses(rest.filter((p) => p.process_exists === false)),
  };
}

function sortProcesses(list) {
  return [...list].sort((a, b) => a.gpu_index - b.gpu_index || (b.memory_used_bytes ?? 0) - (a.memory_used_bytes ?? 0) || a.pid - b.pid);
}

export function isGpuUser(group) {
  return group.processes.length > 0 || (isNum(group.gpuMemory) && group.gpuMemory > 0);
}

export function matchesFilter(group, query) {
  const q = query.trim().toLowerCase();
  if (q === '') return true;
  const c = group.container;
  return [c.name, c.image, c.id, c.short_id].some((field) => typeof field === 'string' && field.toLowerCase().includes(q));
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

// Missing values sort last in either direction; ties fall back to the name so the order is stable.
export function sortGroups(groups, sortKey, dir) {
  const column = COLUMNS.find((c) => c.key === sortKey) || COLUMNS[0];
  const sign = dir === 'desc' ? -1 : 1;
  const byName = (a, b) => collator.compare(a.container.name || '', b.container.name || '');
  return [...groups].sort((a, b) => {
    const va = column.value(a);
    const vb = column.value(b);
    const missingA = va === null || va === undefined || va === '';
    const missingB = vb === null || vb === undefined || vb === '';
    if (missingA || missingB) return missingA === missingB ? byName(a, b) : missingA ? 1 : -1;
    const cmp = typeof va === 'number' && typeof vb === 'number' ? va - vb : collator.compare(String(va), String(vb));
    return cmp === 0 ? byName(a, b) : sign * cmp;
  });
}

export function visibleGroups(groups, state) {
  return sortGroups(
    groups.filter((g) => matchesFilter(g, state.q) && (!state.gpu || isGpuUser(g))),
    state.sort,
    state.dir,
  );
}

// Next state after activating a column header: same column flips, a new one starts at its natural order.
export function toggleSort(state, key) {
  const column = COLUMNS.find((c) => c.key === key);
  if (!column) return state;
  if (state.sort === key) return { ...state, dir: state.dir === 'asc' ? 'desc' : 'asc' };
  return { ...state, sort: key, dir: column.defaultDir };
}

// "#sort=cpu&dir=desc&q=train&gpu=1" ⇄ state. Unknown or malformed parts fall back to the defaults.
export function parseState(hash) {
  const params = new URLSearchParams(String(hash || '').replace(/^#/, ''));
  const sort = params.get('sort');
  const dir = params.get('dir');
  return {
    sort: COLUMNS.some((c) => c.key === sort) ? sort : DEFAULT_STATE.sort,
    dir: dir === 'asc' || dir === 'desc' ? dir : DEFAULT_STATE.dir,
    q: params.get('q') || '',
    gpu: params.get('gpu') === '1',
  };
}

export function formatState(state) {
  const params = new URLSearchParams();
  if (state.sort !== DEFAULT_STATE.sort || state.dir !== DEFAULT_STATE.dir) {
    params.set('sort', state.sort);
    params.set('dir', state.dir);
  }
  if (state.q) params.set('q', state.q);
  if (state.gpu) params.set('gpu', '1');
  const text = params.toString();
  return text ? `#${text}` : '';
}
