// The Accounting view as data: GPU-hours held and busy per owner and per container from
// /api/v1/accounting, the efficiency ratio busy ÷ held, sorting, the range kept in the URL, and the CSV
// text of a table. Pure: no DOM, no clock (callers pass "now").
import { isNum, parseTime } from './format.js';

// Ranges the view offers. "start" reads since_start (no ?since); the others read "window" for ?since=.
export const RANGES = [
  { key: 'today', label: 'Today' },
  { key: 'start', label: 'Since start' },
  { key: '15m', label: '15 min', seconds: 900 },
  { key: '1h', label: '1 h', seconds: 3600 },
  { key: '6h', label: '6 h', seconds: 21600 },
  { key: '24h', label: '24 h', seconds: 86400 },
];
export const DEFAULT_RANGE = 'today';

// Unix seconds for ?since=, or null for "since start". "today" starts at local midnight.
export function sinceFor(rangeKey, nowMs) {
  const range = RANGES.find((r) => r.key === rangeKey) || RANGES.find((r) => r.key === DEFAULT_RANGE);
  if (range.key === 'start') return null;
  if (range.key === 'today') {
    const d = new Date(nowMs);
    d.setHours(0, 0, 0, 0);
    return Math.floor(d.getTime() / 1000);
  }
  return Math.floor(nowMs / 1000) - range.seconds;
}

export function accountingUrl(rangeKey, nowMs) {
  const since = sinceFor(rangeKey, nowMs);
  return since === null ? 'api/v1/accounting' : `api/v1/accounting?since=${since}`;
}

const HOUR = 3600;

function hours(counters) {
  const c = counters || {};
  const held = isNum(c.held_seconds) ? c.held_seconds / HOUR : null;
  const busy = isNum(c.busy_seconds) ? c.busy_seconds / HOUR : null;
  const idle = isNum(c.idle_held_seconds) ? c.idle_held_seconds / HOUR : null;
  return { held, busy, idleHeld: idle, efficiency: efficiency(c.busy_seconds, c.held_seconds) };
}

// busy ÷ held; null when nothing was held (no ratio, not zero).
export function efficiency(busy, held) {
  if (!isNum(busy) || !isNum(held) || held <= 0) return null;
  return Math.max(0, Math.min(1, busy / held));
}

function scopeOf(rangeKey) {
  return rangeKey === 'start' ? 'since_start' : 'window';
}

// Accounting body → { owners: [row], containers: [row], since, now, started, clamped }.
// clamped: the server started the window later than asked (history does not reach back that far).
export function accountingRows(body, rangeKey, requestedSince = null) {
  const scope = scopeOf(rangeKey);
  const containers = (Array.isArray(body && body.containers) ? body.containers : []).map((c) => ({
    key: c.short_id || c.id,
    name: c.name || c.short_id || '',
    shortId: c.short_id || '',
    owner: c.owner || '',
    removed: c.removed === true,
    gpus: (Array.isArray(c.gpus) ? c.gpus : []).map((g) => ({
      gpu: String(g.gpu),
      uuid: g.uuid || '',
      gpuInstanceId: isNum(g.gpu_instance_id) ? g.gpu_instance_id : null,
      ...hours(g[scope]),
    })),
    ...hours(c[scope]),
  }));
  const owners = (Array.isArray(body && body.owners) ? body.owners : []).map((o) => ({
    key: o.owner,
    owner: o.owner || '',
    containers: Array.isArray(o.containers) ? o.containers : [],
    ...hours(o[scope]),
  }));
  const since = scope === 'since_start' ? body.started : body.since;
  const sinceMs = parseTime(since);
  const clamped = requestedSince !== null && sinceMs !== null && sinceMs > requestedSince * 1000 + 1000;
  return { owners, containers, since: since || null, now: body.now || null, started: body.started || null, clamped };
}

export const OWNER_COLUMNS = [
  { key: 'owner', label: 'Owner', value: (r) => r.owner, defaultDir: 'asc' },
  { key: 'containers', label: 'Containers', value: (r) => r.containers.length, defaultDir: 'desc', numeric: true },
  { key: 'held', label: 'GPU-hours held', value: (r) => r.held, defaultDir: 'desc', numeric: true },
  { key: 'busy', label: 'GPU-hours busy', value: (r) => r.busy, defaultDir: 'desc', numeric: true },
  { key: 'idle', label: 'Idle-held hours', value: (r) => r.idleHeld, defaultDir: 'desc', numeric: true },
  { key: 'eff', label: 'Efficiency', value: (r) => r.efficiency, defaultDir: 'asc', numeric: true },
];

export const CONTAINER_COLUMNS = [
  { key: 'name', label: 'Container', value: (r) => r.name, defaultDir: 'asc' },
  { key: 'owner', label: 'Owner', value: (r) => r.owner, defaultDir: 'asc' },
  { key: 'gpus', label: 'GPUs', value: (r) => r.gpus.map((g) => g.gpu).join(', '), defaultDir: 'asc' },
  { key: 'held', label: 'GPU-hours held', value: (r) => r.held, defaultDir: 'desc', numeric: true },
  { key: 'busy', label: 'GPU-hours busy', value: (r) => r.busy, defaultDir: 'desc', numeric: true },
  { key: 'idle', label: 'Idle-held hours', value: (r) => r.idleHeld, defaultDir: 'desc', numeric: true },
  { key: 'eff', label: 'Efficiency', value: (r) => r.efficiency, defaultDir: 'asc', numeric: true },
];

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

// Missing values last in either direction; ties by the first column so the order is stable.
export function sortRows(rows, columns, key, dir) {
  const column = columns.find((c) => c.key === key) || columns[0];
  const first = columns[0];
  const sign = dir === 'desc' ? -1 : 1;
  const tie = (a, b) => collator.compare(String(first.value(a) ?? ''), String(first.value(b) ?? ''));
  return [...rows].sort((a, b) => {
    const va = column.value(a);
    const vb = column.value(b);
    const missingA = va === null || va === undefined || va === '';
    const missingB = vb === null || vb === undefined || vb === '';
    if (missingA || missingB) return missingA === missingB ? tie(a, b) : missingA ? 1 : -1;
    const cmp = typeof va === 'number' && typeof vb === 'number' ? va - vb : collator.compare(String(va), String(vb));
    return cmp === 0 ? tie(a, b) : sign * cmp;
  });
}

export function toggleSort(sort, columns, key) {
  const column = columns.find((c) => c.key === key);
  if (!column) return sort;
  if (sort.key === key) return { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: column.defaultDir };
}

// 1.23456 → "1.23"; below 0.01 but above zero → "<0.01" so a short use doesn't read as none.
export function formatHours(h) {
  if (!isNum(h)) return '—';
  if (h > 0 && h < 0.005) return '<0.01';
  return h >= 100 ? h.toFixed(0) : h.toFixed(2);
}

export function formatEfficiency(ratio) {
  return isNum(ratio) ? `${Math.round(ratio * 100)}%` : '—';
}

// One CSV field: RFC 4180 quoting; a text field that a spreadsheet would run as a formula (= + - @, tab,
// CR) gets a leading apostrophe, because owners come from container labels anyone can set.
export function csvField(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const round = (v, digits) => (isNum(v) ? Number(v.toFixed(digits)) : null);

// The CSV of one table: a header row, then one row per entry in the order shown, CRLF line ends.
// Hours with 4 decimals (≈ 0.4 s), efficiency as a 0–1 ratio; from/to on every row so files can be merged.
export function toCsv(kind, rows, window) {
  const from = window.since || '';
  const to = window.now || '';
  const lines = [];
  if (kind === 'owners') {
    lines.push(['owner', 'containers', 'gpu_hours_held', 'gpu_hours_busy', 'gpu_hours_idle_held', 'efficiency', 'from', 'to']);
    for (const r of rows) lines.push([r.owner, r.containers.join(' '), round(r.held, 4), round(r.busy, 4), round(r.idleHeld, 4), round(r.efficiency, 3), from, to]);
  } else {
    lines.push(['container', 'short_id', 'owner', 'removed', 'gpus', 'gpu_hours_held', 'gpu_hours_busy', 'gpu_hours_idle_held', 'efficiency', 'from', 'to']);
    for (const r of rows) {
      lines.push([r.name, r.shortId, r.owner, r.removed ? 'yes' : 'no', r.gpus.map((g) => g.gpu).join(' '), round(r.held, 4), round(r.busy, 4), round(r.idleHeld, 4), round(r.efficiency, 3), from, to]);
    }
  }
  return lines.map((fields) => fields.map(csvField).join(',')).join('\r\n') + '\r\n';
}

// "gpu-accounting-owners-20261206T0500Z-20261206T0600Z.csv"
export function csvFileName(kind, window) {
  const stamp = (text) => {
    const ms = parseTime(text);
    return ms === null ? 'unknown' : new Date(ms).toISOString().slice(0, 16).replace(/[-:]/g, '') + 'Z';
  };
  return `gpu-accounting-${kind}-${stamp(window.since)}-${stamp(window.now)}.csv`;
}

// Totals over a table (the footer row): sums of hours, efficiency of the sums.
export function totals(rows) {
  const sum = (key) => {
    const vals = rows.map((r) => r[key]).filter(isNum);
    return vals.length ? vals.reduce((s, v) => s + v, 0) : null;
  };
  const held = sum('held');
  const busy = sum('busy');
  return { held, busy, idleHeld: sum('idleHeld'), efficiency: efficiency(busy, held) };
}
