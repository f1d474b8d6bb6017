// The containers table: one row per container with its GPU processes beneath it, host GPU processes
// and orphaned GPU memory in groups of their own, sortable headers (click or keyboard; aria-sort),
// a filter box and a "GPU users only" toggle, all kept in the URL hash. A row expands to its charts.
// The body is rebuilt per snapshot from text nodes only; focus and open charts survive the rebuild.
import { h, setText, clear } from '../dom.js';
import { createChart } from '../charts.js';
import {
  formatBytes,
  formatBytesPair,
  formatDuration,
  formatIdleFor,
  formatPercent,
  formatRate,
  level,
  parseTime,
  MISSING,
} from '../format.js';
import { COLUMNS, buildGroups, visibleGroups, toggleSort, parseState, formatState } from '../table-model.js';
import { sourceError } from './sources.js';

const NUMERIC = new Set(['uptime', 'cpu', 'mem', 'mem_pct', 'gpu_mem']);
const COLSPAN = COLUMNS.length + 1;
const pctCpu = (v) => formatPercent(v, 1);

function gpuChips(indices) {
  if (!indices.length) return h('span', { class: 'muted' }, MISSING);
  return h('span', { class: 'chips' }, indices.map((i) => h('span', { class: 'chip' }, String(i))));
}

function processLine(p, nowMs, kind) {
  const idle = typeof p.idle_since === 'string';
  const parts = [
    h('span', { class: 'chip' }, `GPU ${p.gpu_index}`),
    h('span', { class: 'proc-pid num' }, h('span', { class: 'muted' }, 'PID '), String(p.pid)),
    h('span', { class: 'proc-cpid num' }, p.container_pid !== undefined ? [h('span', { class: 'muted' }, 'in ctr '), String(p.container_pid)] : ''),
    h('span', { class: 'proc-mem num' }, formatBytes(p.memory_used_bytes)),
    h('span', { class: 'proc-sm num' }, p.sm_percent !== undefined ? [h('span', { class: 'muted' }, 'SM '), formatPercent(p.sm_percent, 0)] : ''),
  ];
  const notes = h('span', { class: 'proc-notes' });
  if (kind === 'orphan') notes.append(h('span', { class: 'badge warn' }, 'process gone, memory still held'));
  if (idle) notes.append(h('span', { class: 'badge idle', title: `idle since ${p.idle_since}` }, formatIdleFor(p.idle_since, nowMs)));
  if (p.type && p.type !== 'compute') notes.append(h('span', { class: 'badge' }, p.type));
  if (kind === 'unlisted' && p.container_id) notes.append(h('span', { class: 'muted' }, `container ${p.container_id.slice(0, 12)}`));
  if (p.command) notes.append(h('code', { class: 'proc-cmd', title: p.command }, p.command));
  parts.push(notes);
  return h(
    'tr',
    { class: `proc${idle ? ' idle' : ''}${kind === 'orphan' ? ' orphan' : ''}` },
    h('td', { class: 'proc-indent', 'aria-hidden': 'true' }),
    h('td', { colspan: COLSPAN - 1 }, h('div', { class: 'proc-line' }, parts)),
  );
}

// A byte counter: "2.0 KiB/s (1.00 MiB total)"; either part may be missing.
function counter(c) {
  if (!c) return MISSING;
  const total = c.bytes_total !== undefined ? `${formatBytes(c.bytes_total)} total` : '';
  if (c.bytes_per_second === undefined) return total || MISSING;
  return total ? `${formatRate(c.bytes_per_second)} (${total})` : formatRate(c.bytes_per_second);
}

function createDetail(key) {
  const fmtCpu = (v) => formatPercent(v, 0);
  const cpu = createChart({ height: 120, max: 100, format: fmtCpu, series: [{ label: 'CPU', color: '--c1' }] });
  const mem = createChart({ height: 120, bytes: true, format: formatBytes, series: [{ label: 'Memory', color: '--c2' }] });
  const gpu = createChart({ height: 120, bytes: true, format: formatBytes, series: [{ label: 'GPU memory', color: '--c3' }] });
  const facts = h('dl', { class: 'detail-facts' });
  const el = h(
    'div',
    { class: 'detail', id: `detail-${key}` },
    h('div', { class: 'detail-charts' }, cpu.el, mem.el, gpu.el),
    facts,
  );
  return {
    el,
    updateFacts(c) {
      clear(facts);
      const add = (label, value) => facts.append(h('div', {}, h('dt', {}, label), h('dd', {}, value)));
      add('Container ID', c.id || MISSING);
      add('State', c.state || MISSING);
      if (c.started_at) add('Started', new Date(parseTime(c.started_at)).toLocaleString());
      if (c.init_pid !== undefined) add('Init PID (host)', String(c.init_pid));
      if (c.pids !== undefined) add('Processes', String(c.pids));
      if (c.cpu_time_ns_total !== undefined) add('CPU time', formatDuration(c.cpu_time_ns_total / 1e9));
      if (c.memory_usage_bytes !== undefined) add('Memory usage (with page cache)', formatBytes(c.memory_usage_bytes));
      if (c.network_rx || c.network_tx) add('Network', `in ${counter(c.network_rx)} · out ${counter(c.network_tx)}`);
      if (c.block_read || c.block_write) add('Block I/O', `read ${counter(c.block_read)} · write ${counter(c.block_write)}`);
      if (c.all_gpus_assigned) add('GPUs assigned', 'all');
      else if (c.gpus_assigned && c.gpus_assigned.length) add('GPUs assigned', c.gpus_assigned.join(', '));
      for (const [name, value] of Object.entries(c.labels || {})) add(name, value);
    },
    updateHistory(store) {
      const series = store.containers[key];
      const x = store.xSeconds();
      const empty = x.map(() => null);
      cpu.update(x, [series ? series.cpu_percent : empty]);
      mem.update(x, [series ? series.memory_working_set_bytes : empty]);
      gpu.update(x, [series ? series.gpu_memory_bytes : empty]);
    },
    destroy() {
      [cpu, mem, gpu].forEach((c) => c.destroy());
    },
  };
}

export function createContainers() {
  let state = parseState(location.hash);
  let snapshot = null;
  let store = null;
  const expanded = new Map(); // short id → detail

  const filter = h('input', {
    type: 'search',
    class: 'filter',
    placeholder: 'Filter by name, image or ID',
    'aria-label': 'Filter containers by name, image or ID',
    autocomplete: 'off',
    spellcheck: 'false',
    value: state.q,
  });
  const gpuOnly = h('input', { type: 'checkbox', checked: state.gpu });
  const count = h('span', { class: 'count muted', 'aria-live': 'polite' });
  const toolbar = h('div', { class: 'toolbar' }, filter, h('label', { class: 'toggle' }, gpuOnly, ' GPU users only'), count);

  const headCells = COLUMNS.map((col) => {
    const button = h('button', { type: 'button', class: 'sort', 'data-focus': `sort:${col.key}` }, col.label, h('span', { class: 'sort-icon', 'aria-hidden': 'true' }));
    button.addEventListener('click', () => setState(toggleSort(state, col.key)));
    return h('th', { scope: 'col', class: `col-${col.key}${NUMERIC.has(col.key) ? ' num' : ''}`, 'data-key': col.key }, button);
  });
  const table = h(
    'table',
    { class: 'ctable' },
    h('caption', { class: 'sr-only' }, 'Containers and their GPU processes'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'col-expand' }, h('span', { class: 'sr-only' }, 'Charts')), headCells)),
  );
  const el = h('div', {}, toolbar, h('div', { class: 'table-wrap' }, table));

  let filterTimer = 0;
  filter.addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => setState({ ...state, q: filter.value }), 120);
  });
  gpuOnly.addEventListener('change', () => setState({ ...state, gpu: gpuOnly.checked }));
  window.addEventListener('hashchange', () => {
    state = parseState(location.hash);
    filter.value = state.q;
    gpuOnly.checked = state.gpu;
    render();
  });

  function setState(next) {
    state = next;
    const hash = formatState(state);
    history.replaceState(null, '', hash || location.pathname + location.search);
    render();
  }

  function toggle(key) {
    const detail = expanded.get(key);
    if (detail) {
      detail.destroy();
      expanded.delete(key);
    } else {
      expanded.set(key, createDetail(key));
    }
    render();
    if (store) expanded.forEach((d) => d.updateHistory(store));
  }

  function containerRows(group, nowMs) {
    const c = group.container;
    const open = expanded.has(group.key);
    const expander = h(
      'button',
      {
        type: 'button',
        class: 'expander',
        'aria-expanded': String(open),
        'aria-controls': `detail-${group.key}`,
        'aria-label': `Charts for ${c.name}`,
        'data-focus': `open:${group.key}`,
      },
      h('span', { 'aria-hidden': 'true' }, '›'),
    );
    expander.addEventListener('click', () => toggle(group.key));
    const memText = group.memLimited ? formatBytesPair(c.memory_working_set_bytes, c.memory_limit_bytes) : formatBytes(c.memory_working_set_bytes);
    const memPctCell = h('td', { class: 'num col-mem_pct', 'data-label': 'Mem %', title: group.memLimited ? 'of the memory limit' : 'no limit: of host memory' }, h('span', { class: 'mini-bar', 'data-level': level(group.memPercent), style: { '--p': `${Math.min(100, group.memPercent || 0)}%` } }), formatPercent(group.memPercent));
    const rows = [
      h(
        'tr',
        { class: `crow${open ? ' open' : ''}` },
        h('td', { class: 'col-expand' }, expander),
        h('td', { class: 'col-name' }, h('a', { class: 'cname-link', href: `?container=${encodeURIComponent(c.short_id)}`, 'data-route': '', 'data-focus': `name:${group.key}`, title: 'CPU, memory and GPU charts and GPU-hours' }, h('span', { class: 'cname' }, c.name || c.short_id)), group.idleHolder ? h('span', { class: 'badge idle' }, 'idle GPU') : null),
        h('td', { class: 'col-id mono', title: c.id }, c.short_id),
        h('td', { class: 'col-image' }, h('span', { class: 'ellipsis', title: c.image }, c.image || MISSING)),
        h('td', { class: 'num col-uptime', 'data-label': 'Uptime' }, formatDuration(group.uptimeSeconds)),
        h('td', { class: 'num col-cpu', 'data-label': 'CPU' }, pctCpu(c.cpu_percent)),
        h('td', { class: 'num col-mem', 'data-label': 'Memory', title: group.memLimited ? 'working set / limit' : 'working set (no limit)' }, memText),
        memPctCell,
        h('td', { class: 'num col-gpu_mem', 'data-label': 'GPU mem' }, group.gpuMemory ? formatBytes(group.gpuMemory) : h('span', { class: 'muted' }, MISSING)),
        h('td', { class: 'col-gpus', 'data-label': 'GPUs' }, gpuChips(group.gpuIndices)),
      ),
      group.processes.map((p) => processLine(p, nowMs, 'container')),
    ];
    if (open) rows.push(h('tr', { class: 'detail-row' }, h('td', { colspan: COLSPAN }, expanded.get(group.key).el)));
    return h('tbody', { class: `group${group.idleHolder ? ' has-idle' : ''}`, 'data-key': group.key }, rows);
  }

  function specialGroup(title, processes, nowMs, kind) {
    return h(
      'tbody',
      { class: `group special special-${kind}` },
      h('tr', { class: 'group-head' }, h('th', { colspan: COLSPAN, scope: 'colgroup' }, title)),
      processes.map((p) => processLine(p, nowMs, kind)),
    );
  }

  function messageBody(text) {
    return h('tbody', { class: 'message' }, h('tr', {}, h('td', { colspan: COLSPAN, class: 'empty' }, text)));
  }

  function render() {
    for (const th of headCells) {
      const key = th.dataset.key;
      th.setAttribute('aria-sort', key === state.sort ? (state.dir === 'asc' ? 'ascending' : 'descending') : 'none');
    }
    if (!snapshot) return;
    const nowMs = parseTime(snapshot.time) ?? Date.now();
    const groups = buildGroups(snapshot, nowMs);
    const shown = visibleGroups(groups.containers, state);

    const active = document.activeElement;
    const focusKey = active && table.contains(active) ? active.getAttribute('data-focus') : null;

    table.querySelectorAll(':scope > tbody').forEach((b) => b.remove());
    const dockerError = sourceError(snapshot, 'docker');
    if (dockerError && !groups.containers.length) table.append(messageBody(`Containers unavailable: ${dockerError}`));
    else if (!groups.containers.length) table.append(messageBody('No running containers'));
    else if (!shown.length) table.append(messageBody(state.q ? `No containers match “${state.q}”` : 'No container is using a GPU'));
    for (const group of shown) table.append(containerRows(group, nowMs));
    if (!state.q) {
      if (groups.unlisted.length) table.append(specialGroup('GPU processes of containers not listed', groups.unlisted, nowMs, 'unlisted'));
      if (groups.host.length) table.append(specialGroup('Host processes on GPUs (not in a container)', groups.host, nowMs, 'host'));
      if (groups.orphans.length) table.append(specialGroup('Orphaned GPU memory (process no longer exists)', groups.orphans, nowMs, 'orphan'));
    }
    // Containers that went away lose their open charts.
    const present = new Set(groups.containers.map((g) => g.key));
    for (const [key, detail] of expanded) {
      if (!present.has(key)) {
        detail.destroy();
        expanded.delete(key);
      } else {
        detail.updateFacts(groups.containers.find((g) => g.key === key).container);
      }
    }
    const total = groups.containers.length;
    setText(count, shown.length === total ? `${total} container${total === 1 ? '' : 's'}` : `${shown.length} of ${total} containers`);

    if (focusKey) {
      const again = table.querySelector(`[data-focus="${CSS.escape(focusKey)}"]`);
      if (again && again !== document.activeElement) again.focus({ preventScroll: true });
    }
  }

  render();
  return {
    el,
    update(next) {
      snapshot = next;
      render();
    },
    updateHistory(next) {
      store = next;
      expanded.forEach((d) => d.updateHistory(store));
    },
  };
}
