// The lab page: every server a Prometheus scrapes, from /api/v1/fleet, refreshed every 5 s. Free GPUs come
// first (where can I run my job?), then servers with their GPUs and holders, then owners' GPU-hours.
// Text only goes in through textContent: names come from containers and are never markup.
import './fleet.css';
import { formatBytes, formatPercent } from '../format.js';
import { agoText, bannerText, freeGpuRows, gpuName, holderText, ownerRows, serverSummary } from './fleet-model.js';

const REFRESH_MS = 5000;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

function table(caption, columns, rows, testId) {
  const head = el('tr', {}, ...columns.map(([, label]) => el('th', { scope: 'col' }, label)));
  const body = rows.map((row) => el('tr', {}, ...columns.map(([key]) => el('td', {}, String(row[key] ?? '')))));
  return el('table', { 'data-testid': testId }, el('caption', {}, caption), el('thead', {}, head), el('tbody', {}, ...body));
}

function freeSection(fleet) {
  const rows = freeGpuRows(fleet);
  const section = el('section', { 'aria-labelledby': 'free-title', class: 'free', 'data-testid': 'free-gpus' },
    el('h2', { id: 'free-title' }, `Free GPUs now (${rows.length})`));
  if (!rows.length) {
    section.append(el('p', { class: 'none' }, 'No free GPU right now.'));
    return section;
  }
  section.append(table('GPUs without processes, most free memory first',
    [['server', 'Server'], ['gpu', 'GPU'], ['model', 'Model'], ['free', 'Free memory'], ['total', 'Total']], rows, 'free-table'));
  return section;
}

function gpuRow(gpu, nowMs) {
  const memory = `${formatBytes(gpu.memory_used_bytes)} / ${formatBytes(gpu.memory_total_bytes)}`;
  const state = gpu.lost ? 'lost' : gpu.free ? 'free' : gpu.holders.some((h) => h.idle) ? 'idle holder' : '';
  const holders = gpu.holders.length
    ? el('ul', { class: 'holders' }, ...gpu.holders.map((h) => el('li', { class: h.idle ? 'idle' : '' }, holderText(h, nowMs))))
    : el('span', { class: 'none' }, 'nobody');
  return el('tr', { 'data-gpu': gpuName(gpu), class: state.replace(' ', '-') },
    el('th', { scope: 'row' }, `GPU ${gpuName(gpu)}`),
    el('td', {}, gpu.model || gpu.vendor || ''),
    el('td', {}, formatPercent(gpu.utilization_percent, 0)),
    el('td', {}, memory),
    el('td', {}, state ? el('span', { class: `tag ${state.replace(' ', '-')}` }, state) : ''),
    el('td', {}, holders));
}

function serverCard(server, nowMs) {
  const card = el('article', { class: `server ${server.up ? 'up' : 'down'}`, 'data-server': server.name },
    el('h3', {}, server.name, el('span', { class: `tag ${server.up ? 'up' : 'down'}` }, server.up ? 'up' : 'down')),
    el('p', { class: 'summary' }, serverSummary(server, nowMs)));
  if (server.instance !== server.name) card.append(el('p', { class: 'instance' }, server.instance));
  if (server.sources_down.length) {
    card.append(el('p', { class: 'warn', role: 'status' }, `failing: ${server.sources_down.join(', ')}`));
  }
  if (server.gpus.length) {
    const head = el('tr', {}, ...['GPU', 'Model', 'Util', 'Memory', 'State', 'Held by'].map((t) => el('th', { scope: 'col' }, t)));
    card.append(el('table', { class: 'gpus' }, el('thead', {}, head), el('tbody', {}, ...server.gpus.map((g) => gpuRow(g, nowMs)))));
  } else if (server.up) {
    card.append(el('p', { class: 'none' }, 'No GPU reported.'));
  }
  if (server.top_containers.length) {
    card.append(el('p', { class: 'top' }, 'Most GPU: ' + server.top_containers
      .map((c) => `${c.name} (${c.owner}) ${formatBytes(c.gpu_memory_bytes)} on ${c.gpus} GPU${c.gpus === 1 ? '' : 's'}`).join(' · ')));
  }
  return card;
}

function ownersSection(fleet, nowMs) {
  const section = el('section', { 'aria-labelledby': 'owners-title', 'data-testid': 'owners' },
    el('h2', { id: 'owners-title' }, 'GPU-hours per owner'));
  if (fleet.usage_unix === undefined && !fleet.error) {
    section.append(el('p', { class: 'none' }, 'GPU-hours are being computed (they are asked apart from the live view, at most once a minute).'));
  } else if (!fleet.accounting) {
    section.append(el('p', { class: 'none' }, 'No GPU accounting counters in Prometheus yet (monitors older than this version, or nothing held).'));
  } else {
    section.append(el('p', { class: 'meta' }, `GPU-hours as of ${agoText(fleet.usage_unix, nowMs)}, whole days from ${fleet.usage_source}`));
  }
  section.append(table('Held / busy GPU-hours; efficiency = busy ÷ held over 7 days',
    [['owner', 'Owner'], ['today', 'Today'], ['week', '7 days'], ['month', '30 days'], ['efficiency', 'Efficiency'],
     ['holding', 'Holding now'], ['idle', 'Idle-holding now']], ownerRows(fleet), 'owners-table'));
  return section;
}

function render(root, fleet, nowMs, fetchError) {
  const banner = fetchError ? `The fleet service is not answering: ${fetchError}.` : bannerText(fleet, nowMs);
  const children = [el('header', {}, el('h1', {}, 'Lab'),
    fleet ? el('p', { class: 'meta' }, `${fleet.servers.length} servers · from ${fleet.prometheus} · updated ${agoText(fleet.generated_unix, nowMs)}`) : null)];
  if (banner) children.push(el('div', { class: 'banner', role: 'alert', 'data-testid': 'banner' }, banner));
  if (fleet) {
    for (const w of fleet.warnings || []) children.push(el('p', { class: 'warn' }, w));
    children.push(freeSection(fleet));
    children.push(el('section', { 'aria-labelledby': 'servers-title', 'data-testid': 'servers' },
      el('h2', { id: 'servers-title' }, 'Servers'), ...fleet.servers.map((s) => serverCard(s, nowMs))));
    children.push(ownersSection(fleet, nowMs));
  } else if (!banner) {
    children.push(el('p', {}, 'Loading…'));
  }
  root.replaceChildren(...children);
}

async function main() {
  const root = document.getElementById('fleet');
  const token = new URLSearchParams(location.search).get('token');
  const url = 'api/v1/fleet' + (token ? `?token=${encodeURIComponent(token)}` : '');
  let last = null;
  async function tick() {
    try {
      const response = await fetch(url, { cache: 'no-store', headers: { Accept: 'application/json' } });
      const body = await response.json();
      if (!response.ok && !body.servers) throw new Error(body.error || `HTTP ${response.status}`);
      last = body;
      render(root, last, Date.now(), null);
    } catch (e) {
      render(root, last, Date.now(), e.message);
    }
    setTimeout(tick, REFRESH_MS);
  }
  tick();
}

main();
