// Formatting helpers for the dashboard: numbers, bytes, rates, durations, times → short display text.
// Pure: no DOM, no clock (callers pass "now"), so node's test runner checks them directly.
// Missing values (null/undefined/NaN) become an em dash: missing is not zero.

export const MISSING = '—';

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function isNum(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

// 3 significant digits at most, never more than `maxDigits` decimals: 1.23, 12.3, 123, 1234.
function trim(value, maxDigits = 1) {
  const digits = value >= 100 || value === 0 ? 0 : Math.min(maxDigits, value >= 10 ? 1 : 2);
  return value.toFixed(digits);
}

// 1536 → "1.5 KiB"; binary units, as `docker stats` and nvidia-smi show memory.
export function formatBytes(bytes) {
  if (!isNum(bytes)) return MISSING;
  if (bytes < 0) return '-' + formatBytes(-bytes);
  let unit = 0;
  let value = bytes;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  // 1023.96 MiB would print as "1024 MiB": move up a unit instead.
  if (value >= 999.5 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${trim(value, 2)} ${BYTE_UNITS[unit]}`;
}

// "used / total" sharing one unit when both are present: "12.3 / 80.0 GiB".
export function formatBytesPair(used, total) {
  if (!isNum(total)) return formatBytes(used);
  if (!isNum(used)) return `${MISSING} / ${formatBytes(total)}`;
  const t = formatBytes(total);
  const unit = t.slice(t.indexOf(' ') + 1);
  const factor = 1024 ** BYTE_UNITS.indexOf(unit);
  const u = unit === 'B' ? String(Math.round(used)) : (used / factor).toFixed(1);
  const tv = unit === 'B' ? t.slice(0, t.indexOf(' ')) : (total / factor).toFixed(1);
  return `${u} / ${tv} ${unit}`;
}

export function formatRate(bytesPerSecond) {
  if (!isNum(bytesPerSecond)) return MISSING;
  return `${formatBytes(Math.max(0, bytesPerSecond))}/s`;
}

// 12.345 → "12.3%"; `digits` decimals (default one).
export function formatPercent(percent, digits = 1) {
  if (!isNum(percent)) return MISSING;
  return `${percent.toFixed(digits)}%`;
}

export function percentOf(part, whole) {
  if (!isNum(part) || !isNum(whole) || whole <= 0) return null;
  return (part / whole) * 100;
}

// Seconds → the two largest units: "45 s", "12 min", "3 h 5 min", "2 d 4 h".
export function formatDuration(seconds) {
  if (!isNum(seconds)) return MISSING;
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

// RFC 3339 → milliseconds since the epoch, or null.
export function parseTime(text) {
  if (typeof text !== 'string' || text === '') return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

export function secondsSince(text, nowMs) {
  const ms = parseTime(text);
  return ms === null ? null : Math.max(0, (nowMs - ms) / 1000);
}

export function formatIdleFor(idleSince, nowMs) {
  const s = secondsSince(idleSince, nowMs);
  return s === null ? '' : `idle for ${formatDuration(s)}`;
}

// Milliwatts → "215 W"; with a limit: "215 / 300 W".
export function formatPower(milliwatts, limitMilliwatts) {
  if (!isNum(milliwatts)) return isNum(limitMilliwatts) ? `${MISSING} / ${Math.round(limitMilliwatts / 1000)} W` : MISSING;
  const w = Math.round(milliwatts / 1000);
  return isNum(limitMilliwatts) ? `${w} / ${Math.round(limitMilliwatts / 1000)} W` : `${w} W`;
}

export function formatTemperature(celsius) {
  return isNum(celsius) ? `${Math.round(celsius)} °C` : MISSING;
}

export function formatLoad(load) {
  if (!load || !isNum(load.one)) return MISSING;
  return [load.one, load.five, load.fifteen].map((v) => (isNum(v) ? v.toFixed(2) : MISSING)).join('  ');
}

// Local wall-clock time of a sample: "14:03:27".
export function formatClock(text) {
  const ms = parseTime(text);
  if (ms === null) return MISSING;
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// "gpu" + "gpu: no NVIDIA driver found" → "no NVIDIA driver found" (sources prefix their own name).
export function sourceMessage(name, error) {
  const text = String(error || '').trim();
  const prefix = `${name}:`;
  return text.toLowerCase().startsWith(prefix.toLowerCase()) ? text.slice(prefix.length).trim() : text;
}

// Display severity of a usage percentage, for colouring bars and gauges.
export function level(percent) {
  if (!isNum(percent)) return 'none';
  if (percent >= 95) return 'crit';
  if (percent >= 80) return 'warn';
  return 'ok';
}
