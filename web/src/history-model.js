// The detail views' charts as data: the window choices (15 min … 24 h) with the step asked of
// /api/v1/history, a GPU's series and its holders over time, a container's series, and the route
// (which view is open) kept in the URL's query. Pure: no DOM, no network.
import { isNum } from './format.js';

// Steps keep every chart at a few hundred points; 0 asks for full resolution.
export const WINDOWS = [
  { key: '15m', label: '15 min', seconds: 900, step: 0 },
  { key: '1h', label: '1 h', seconds: 3600, step: 10 },
  { key: '6h', label: '6 h', seconds: 21600, step: 60 },
  { key: '24h', label: '24 h', seconds: 86400, step: 180 },
];
export const DEFAULT_WINDOW = '1h';

export function windowOf(key) {
  return WINDOWS.find((w) => w.key === key) || WINDOWS.find((w) => w.key === DEFAULT_WINDOW);
}

export function historyUrl(windowKey) {
  const w = windowOf(windowKey);
  return w.step ? `api/v1/history?seconds=${w.seconds}&step=${w.step}` : `api/v1/history?seconds=${w.seconds}`;
}

const num = (v) => (isNum(v) ? v : null);

function column(source, key, n) {
  const values = Array.isArray(source && source[key]) ? source[key].slice(0, n).map(num) : [];
  return values.length < n ? [...new Array(n - values.length).fill(null), ...values] : values;
}

function hasValue(values) {
  return values.some((v) => v !== null);
}

function times(history) {
  return Array.isArray(history && history.times) ? history.times.filter(isNum) : [];
}

// A GPU's series: utilization (mean per step, and its max when the server aggregated), memory used/total.
export function gpuSeries(history, index) {
  const t = times(history);
  const n = t.length;
  const g = (history && history.gpus && history.gpus[String(index)]) || null;
  const utilMax = column(g, 'utilization_percent_max', n);
  return {
    x: t.map((ms) => ms / 1000),
    util: column(g, 'utilization_percent', n),
    utilMax: hasValue(utilMax) ? utilMax : null,
    mem: column(g, 'memory_used_bytes', n),
    memTotal: column(g, 'memory_total_bytes', n),
    present: g !== null,
    stepMs: isNum(history && history.step_ms) ? history.step_ms : null,
  };
}

// Who held memory on GPU `index` over the window, from containers.<id>.gpu_memory_bytes_by_gpu:
// [{ shortId, name, owner, series, peakBytes, firstMs, lastMs, heldPoints }], earliest first.
// perGpu: false when the server does not report memory per GPU (an older server): no holders then.
export function gpuHolders(history, index) {
  const t = times(history);
  const n = t.length;
  const holders = [];
  let perGpu = false;
  for (const [shortId, c] of Object.entries((history && history.containers) || {})) {
    const byGpu = c && c.gpu_memory_bytes_by_gpu;
    if (!byGpu || typeof byGpu !== 'object') continue;
    perGpu = true;
    const series = column(byGpu, String(index), n);
    let first = -1;
    let last = -1;
    let peak = null;
    let points = 0;
    series.forEach((v, i) => {
      if (v === null || v <= 0) return;
      if (first < 0) first = i;
      last = i;
      points += 1;
      if (peak === null || v > peak) peak = v;
    });
    if (first < 0) continue;
    holders.push({
      shortId,
      name: c.name || shortId,
      owner: typeof c.owner === 'string' && c.owner !== '' ? c.owner : null,
      series,
      peakBytes: peak,
      firstMs: t[first],
      lastMs: t[last],
      heldPoints: points,
    });
  }
  holders.sort((a, b) => a.firstMs - b.firstMs || a.name.localeCompare(b.name));
  return { perGpu, holders };
}

// A container's series for its detail charts; gpuMemByGpu only where the server splits it per GPU.
export function containerSeries(history, shortId) {
  const t = times(history);
  const n = t.length;
  const c = (history && history.containers && history.containers[shortId]) || null;
  const cpuMax = column(c, 'cpu_percent_max', n);
  const byGpu = {};
  if (c && c.gpu_memory_bytes_by_gpu && typeof c.gpu_memory_bytes_by_gpu === 'object') {
    for (const index of Object.keys(c.gpu_memory_bytes_by_gpu).sort((a, b) => Number(a) - Number(b))) {
      byGpu[index] = column(c.gpu_memory_bytes_by_gpu, index, n);
    }
  }
  const sm = column(c, 'sm_percent', n);
  return {
    x: t.map((ms) => ms / 1000),
    present: c !== null,
    name: (c && c.name) || null,
    owner: (c && typeof c.owner === 'string' && c.owner) || null,
    cpu: column(c, 'cpu_percent', n),
    cpuMax: hasValue(cpuMax) ? cpuMax : null,
    mem: column(c, 'memory_working_set_bytes', n),
    gpuMem: column(c, 'gpu_memory_bytes', n),
    gpuMemByGpu: byGpu,
    sm: hasValue(sm) ? sm : null,
  };
}

// Route ⇄ URL query. ?gpu=0[&slice=1] · ?container=<short id> · ?view=accounting; &window= (container charts), &range=
// (accounting). Anything unknown falls back to the overview.
export const VIEWS = ['overview', 'gpu', 'container', 'accounting'];

export function parseRoute(search) {
  const p = new URLSearchParams(String(search || '').replace(/^\?/, ''));
  const route = { view: 'overview', gpu: null, slice: null, container: null, window: windowOf(p.get('window')).key, range: p.get('range') || null };
  const gpu = p.get('gpu');
  const container = p.get('container');
  if (gpu !== null && /^\d+$/.test(gpu)) {
    route.view = 'gpu';
    route.gpu = gpu;
    const slice = p.get('slice');
    if (slice !== null && /^\d+$/.test(slice)) route.slice = slice;
  } else if (container !== null && /^[0-9a-f]{12,64}$/i.test(container)) {
    route.view = 'container';
    route.container = container.toLowerCase().slice(0, 12);
  } else if (p.get('view') === 'accounting') {
    route.view = 'accounting';
  }
  return route;
}

export function formatRoute(route) {
  const p = new URLSearchParams();
  if (route.view === 'gpu' && route.gpu !== null) {
    p.set('gpu', route.gpu);
    if (route.slice !== null && route.slice !== undefined) p.set('slice', route.slice);
  } else if (route.view === 'container' && route.container) {
    p.set('container', route.container);
    if (route.window && route.window !== DEFAULT_WINDOW) p.set('window', route.window);
  } else if (route.view === 'accounting') {
    p.set('view', 'accounting');
    if (route.range) p.set('range', route.range);
  }
  const text = p.toString();
  return text ? `?${text}` : '';
}
