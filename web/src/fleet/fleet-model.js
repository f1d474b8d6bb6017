// The fleet page's view model: /api/v1/fleet JSON → rows and texts. Pure: no DOM, no clock (callers pass
// nowMs), so node's test runner checks it directly. Missing values stay missing (shown as an em dash).
import { formatBytes, formatDuration, isNum, MISSING } from '../format.js';

export function gpuName(gpu) {
  return gpu.mig_instance !== undefined && gpu.mig_instance !== null ? `${gpu.gpu}/${gpu.mig_instance}` : `${gpu.gpu}`;
}

export function gpuHours(seconds) {
  return isNum(seconds) ? (seconds / 3600).toFixed(seconds >= 36000 ? 0 : 1) : MISSING;
}

export function efficiencyText(window) {
  return window && isNum(window.efficiency) ? `${Math.round(window.efficiency * 100)}%` : MISSING;
}

// "12 min ago", from unix seconds.
export function agoText(unixSeconds, nowMs) {
  if (!isNum(unixSeconds)) return 'never (within the look-back)';
  const seconds = Math.max(0, nowMs / 1000 - unixSeconds);
  return `${formatDuration(seconds)} ago`;
}

export function clockText(unixSeconds) {
  if (!isNum(unixSeconds)) return MISSING;
  const d = new Date(unixSeconds * 1000);
  return d.toLocaleString(undefined, { hour12: false });
}

// The banner: Prometheus failing (with how old the data shown is), or nothing.
export function bannerText(fleet, nowMs) {
  if (!fleet || !fleet.error) return null;
  const age = isNum(fleet.data_unix)
    ? ` Showing the last answer, from ${clockText(fleet.data_unix)} (${agoText(fleet.data_unix, nowMs)}).`
    : ' Nothing to show until it answers.';
  return `Prometheus is not answering: ${fleet.error}.${age}`;
}

export function freeGpuRows(fleet) {
  return (fleet.free_gpus || []).map((g) => ({
    server: g.server,
    gpu: gpuName(g),
    model: g.model || MISSING,
    free: formatBytes(g.memory_free_bytes),
    total: formatBytes(g.memory_total_bytes),
  }));
}

export function holderText(holder, nowMs) {
  const who = holder.container ? `${holder.owner || holder.container} (${holder.container})` : 'a process outside containers';
  const idle = holder.idle
    ? ` — idle${isNum(holder.idle_since_unix) ? ` for ${formatDuration(nowMs / 1000 - holder.idle_since_unix)}` : ''}`
    : '';
  return `${who} ${formatBytes(holder.memory_bytes)}${idle}`;
}

export function serverSummary(server, nowMs) {
  if (!server.up) return `down — last data ${clockText(server.last_data_unix)} (${agoText(server.last_data_unix, nowMs)})`;
  const cpu = isNum(server.cpu_busy_percent) ? `CPU ${server.cpu_busy_percent.toFixed(0)}%` : `CPU ${MISSING}`;
  const mem = isNum(server.memory_total_bytes)
    ? `memory ${formatBytes(server.memory_used_bytes)} / ${formatBytes(server.memory_total_bytes)}`
    : `memory ${MISSING}`;
  return `${cpu} · ${mem}`;
}

export function ownerRows(fleet) {
  return (fleet.owners || []).map((o) => ({
    owner: o.owner,
    today: `${gpuHours(o.today?.held_seconds)} / ${gpuHours(o.today?.busy_seconds)}`,
    week: `${gpuHours(o.week?.held_seconds)} / ${gpuHours(o.week?.busy_seconds)}`,
    month: `${gpuHours(o.month?.held_seconds)} / ${gpuHours(o.month?.busy_seconds)}`,
    efficiency: efficiencyText(o.week),
    holding: (o.holding || []).length ? o.holding.join(', ') : 'nothing',
    idle: (o.idle_holding || []).join(', '),
  }));
}
