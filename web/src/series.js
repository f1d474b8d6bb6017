// Client-side history: the columnar series from /api/v1/history, extended by every live snapshot and
// capped to the history window. Pure: no DOM, no network.
import { isNum, parseTime } from './format.js';

const HOST_KEYS = [
  'cpu_busy_percent',
  'memory_used_bytes',
  'network_rx_bytes_per_second',
  'network_tx_bytes_per_second',
  'disk_read_bytes_per_second',
  'disk_write_bytes_per_second',
];
const GPU_KEYS = ['utilization_percent', 'memory_used_bytes'];
const CONTAINER_KEYS = ['cpu_percent', 'memory_working_set_bytes', 'gpu_memory_bytes'];

const num = (v) => (isNum(v) ? v : null);
const nulls = (n) => new Array(n).fill(null);

function hostValues(host = {}) {
  const rate = (counter) => (counter ? num(counter.bytes_per_second) : null);
  return {
    cpu_busy_percent: num(host.cpu_busy_percent),
    memory_used_bytes: num(host.memory_used_bytes),
    network_rx_bytes_per_second: rate(host.network_rx),
    network_tx_bytes_per_second: rate(host.network_tx),
    disk_read_bytes_per_second: rate(host.disk_read),
    disk_write_bytes_per_second: rate(host.disk_write),
  };
}

// Copies `columns[key]` for every key, padded/truncated to `length` so every series lines up with times.
function columnsOf(source, keys, length) {
  const out = {};
  for (const key of keys) {
    const values = Array.isArray(source && source[key]) ? source[key].slice(0, length).map(num) : [];
    out[key] = values.length < length ? [...nulls(length - values.length), ...values] : values;
  }
  return out;
}

export class SeriesStore {
  constructor(windowSeconds = 900) {
    this.windowMs = windowSeconds * 1000;
    this.clear();
  }

  clear() {
    this.times = [];
    this.host = columnsOf({}, HOST_KEYS, 0);
    this.gpus = {};
    this.containers = {};
  }

  // Replaces everything with a /api/v1/history body.
  load(history) {
    this.clear();
    const times = Array.isArray(history && history.times) ? history.times.filter(isNum) : [];
    const n = times.length;
    this.times = times;
    this.host = columnsOf(history.host, HOST_KEYS, n);
    for (const [index, series] of Object.entries(history.gpus || {})) this.gpus[index] = columnsOf(series, GPU_KEYS, n);
    for (const [id, series] of Object.entries(history.containers || {})) {
      this.containers[id] = { name: series.name || id, ...columnsOf(series, CONTAINER_KEYS, n) };
    }
    this.cap();
  }

  // Appends one snapshot (from SSE). Ignores one that is not newer than the last point.
  append(snapshot) {
    const t = parseTime(snapshot && snapshot.time);
    if (t === null) return false;
    if (this.times.length && t <= this.times[this.times.length - 1]) return false;
    const n = this.times.length;
    this.times.push(t);

    const host = hostValues(snapshot.host);
    for (const key of HOST_KEYS) this.host[key].push(host[key]);

    const seenGpus = new Set();
    for (const gpu of snapshot.gpus || []) {
      const index = String(gpu.index);
      seenGpus.add(index);
      const series = (this.gpus[index] ||= columnsOf({}, GPU_KEYS, n));
      series.utilization_percent.push(num(gpu.utilization_percent));
      series.memory_used_bytes.push(num(gpu.memory_used_bytes));
    }
    for (const [index, series] of Object.entries(this.gpus)) {
      if (!seenGpus.has(index)) GPU_KEYS.forEach((key) => series[key].push(null));
    }

    const seenContainers = new Set();
    for (const c of snapshot.containers || []) {
      const id = c.short_id;
      if (!id) continue;
      seenContainers.add(id);
      const series = (this.containers[id] ||= { name: c.name || id, ...columnsOf({}, CONTAINER_KEYS, n) });
      series.name = c.name || series.name;
      series.cpu_percent.push(num(c.cpu_percent));
      series.memory_working_set_bytes.push(num(c.memory_working_set_bytes));
      series.gpu_memory_bytes.push(num(c.gpu_memory_bytes));
    }
    for (const [id, series] of Object.entries(this.containers)) {
      if (!seenContainers.has(id)) CONTAINER_KEYS.forEach((key) => series[key].push(null));
    }
    this.cap();
    return true;
  }

  // Drops points older than the window (measured from the newest) and series with no value left.
  cap() {
    if (!this.times.length) return;
    const cutoff = this.times[this.times.length - 1] - this.windowMs;
    let drop = 0;
    while (drop < this.times.length && this.times[drop] < cutoff) drop += 1;
    if (drop === 0) return;
    this.times.splice(0, drop);
    const trim = (series, keys) => keys.forEach((key) => series[key].splice(0, drop));
    trim(this.host, HOST_KEYS);
    for (const series of Object.values(this.gpus)) trim(series, GPU_KEYS);
    for (const [id, series] of Object.entries(this.containers)) {
      trim(series, CONTAINER_KEYS);
      if (CONTAINER_KEYS.every((key) => series[key].every((v) => v === null))) delete this.containers[id];
    }
  }

  // uPlot wants seconds on the x axis.
  xSeconds() {
    return this.times.map((t) => t / 1000);
  }
}
