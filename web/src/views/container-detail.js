// A container's own view (?container=<short id>&window=1h): CPU (mean and peak per step), memory and GPU
// memory (per GPU where the server splits it) and SM % for the chosen window (15 min / 1 h / 6 h / 24 h),
// and its GPU-hours held and busy in that window and since the monitor started, per GPU.
import { h, setText, clear } from '../dom.js';
import { createChart } from '../charts.js';
import { formatBytes, formatPercent, MISSING } from '../format.js';
import { WINDOWS, containerSeries, historyUrl, windowOf, formatRoute } from '../history-model.js';
import { accountingRows, formatEfficiency, formatHours } from '../accounting-model.js';
import { fetchJson, poll } from '../fetch-json.js';

const COLORS = ['--c3', '--c4', '--c5', '--c6', '--c1', '--c2'];

export function createContainerDetail({ navigate }) {
  const title = h('h2', { id: 'container-view-title', tabindex: '-1' }, 'Container');
  const facts = h('dl', { class: 'view-facts' });
  const status = h('p', { class: 'view-status', role: 'status' });
  const windowButtons = WINDOWS.map((w) => {
    const b = h('button', { type: 'button', class: 'seg', 'data-window': w.key, 'aria-pressed': 'false' }, w.label);
    b.addEventListener('click', () => navigate({ ...route, window: w.key }, { replace: true, focus: false }));
    return b;
  });
  const picker = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Chart window' }, windowButtons);
  const cpu = createChart({ height: 130, max: 100, format: (v) => formatPercent(v, 0), legend: true, series: [{ label: 'CPU', color: '--c1' }, { label: 'peak per step', color: '--c4', fill: false }] });
  const mem = createChart({ height: 130, bytes: true, format: formatBytes, series: [{ label: 'Memory', color: '--c2' }] });
  const gpuWrap = h('div', { class: 'gpu-chart-wrap' });
  const smWrap = h('div', { class: 'sm-chart-wrap' });
  const hoursEl = h('div', { class: 'gpu-hours' });
  const el = h(
    'section',
    { class: 'panel view view-container', 'aria-labelledby': 'container-view-title', hidden: true },
    h('div', { class: 'view-head' }, h('a', { class: 'back', href: '?', 'data-route': '', 'data-back': '' }, h('span', { 'aria-hidden': 'true' }, '← '), 'Overview'), title),
    facts,
    status,
    h('div', { class: 'view-toolbar' }, h('span', { class: 'muted' }, 'Window'), picker),
    h('div', { class: 'detail-charts' }, cpu.el, mem.el, gpuWrap, smWrap),
    h('h3', { class: 'view-h3' }, 'GPU-hours'),
    hoursEl,
  );
  let route = null;
  let snapshot = null;
  let poller = null;
  let token = 0;
  let gpuChart = null;
  let gpuKey = '';
  let smChart = null;

  function renderFacts() {
    if (!route) return;
    const c = snapshot && (snapshot.containers || []).find((x) => x.short_id === route.container);
    const name = c ? c.name : lastName || route.container;
    setText(title, name);
    clear(facts);
    const add = (label, value) => facts.append(h('div', {}, h('dt', {}, label), h('dd', {}, value)));
    add('ID', route.container);
    if (c) {
      if (c.owner) add('Owner', c.owner);
      add('Image', c.image || MISSING);
      add('State', c.state || MISSING);
      add('CPU', formatPercent(c.cpu_percent, 1));
      add('Memory', formatBytes(c.memory_working_set_bytes));
      add('GPU memory', formatBytes(c.gpu_memory_bytes));
    } else {
      add('State', 'not running now');
    }
  }
  let lastName = null;

  function renderHistory(history) {
    const s = containerSeries(history, route.container);
    if (s.name) lastName = s.name;
    const empty = s.x.map(() => null);
    cpu.update(s.x, [s.cpu, s.cpuMax || empty]);
    mem.update(s.x, [s.mem]);
    const perGpu = Object.keys(s.gpuMemByGpu);
    const key = perGpu.length ? perGpu.join(',') : 'total';
    if (key !== gpuKey || !gpuChart) {
      if (gpuChart) gpuChart.destroy();
      gpuKey = key;
      gpuChart = createChart({
        height: 130,
        bytes: true,
        format: formatBytes,
        legend: perGpu.length > 1,
        series: perGpu.length ? perGpu.map((g, i) => ({ label: `GPU ${g} memory`, color: COLORS[i % COLORS.length], fill: i === 0 })) : [{ label: 'GPU memory', color: '--c3' }],
      });
      gpuWrap.replaceChildren(gpuChart.el);
    }
    gpuChart.update(s.x, perGpu.length ? perGpu.map((g) => s.gpuMemByGpu[g]) : [s.gpuMem]);
    if (s.sm) {
      if (!smChart) {
        smChart = createChart({ height: 130, format: (v) => formatPercent(v, 0), series: [{ label: 'GPU SM', color: '--c5' }] });
        smWrap.replaceChildren(smChart.el);
      }
      smChart.update(s.x, [s.sm]);
    }
    if (!s.present) {
      setText(status, `No history for this container in the last ${windowOf(route.window).label}`);
      status.hidden = false;
    }
  }

  function hoursTable(row) {
    const head = h('thead', {}, h('tr', {}, ['GPU', `Held (${windowOf(route.window).label})`, 'Busy', 'Efficiency', 'Held since start', 'Busy since start'].map((t, i) => h('th', { scope: 'col', class: i ? 'num' : null }, t))));
    const body = h('tbody');
    for (const g of row.gpus) {
      body.append(
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, h('a', { href: formatRoute({ view: 'gpu', gpu: g.gpu, slice: null }), 'data-route': '' }, `GPU ${g.gpu}${g.gpuInstanceId !== null ? ` (GI ${g.gpuInstanceId})` : ''}`)),
          h('td', { class: 'num' }, formatHours(g.window.held)),
          h('td', { class: 'num' }, formatHours(g.window.busy)),
          h('td', { class: 'num' }, formatEfficiency(g.window.efficiency)),
          h('td', { class: 'num' }, formatHours(g.start.held)),
          h('td', { class: 'num' }, formatHours(g.start.busy)),
        ),
      );
    }
    const foot = h(
      'tfoot',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, 'All GPUs'),
        h('td', { class: 'num total-held' }, formatHours(row.window.held)),
        h('td', { class: 'num total-busy' }, formatHours(row.window.busy)),
        h('td', { class: 'num total-eff' }, formatEfficiency(row.window.efficiency)),
        h('td', { class: 'num' }, formatHours(row.start.held)),
        h('td', { class: 'num' }, formatHours(row.start.busy)),
      ),
    );
    return h('div', { class: 'table-wrap' }, h('table', { class: 'dtable hours-table' }, h('caption', { class: 'sr-only' }, 'GPU-hours of this container'), head, body, foot));
  }

  function renderHours(body, since) {
    clear(hoursEl);
    const win = accountingRows(body, route.window, since).containers.find((c) => c.shortId === route.container);
    const start = accountingRows(body, 'start').containers.find((c) => c.shortId === route.container);
    if (!win && !start) {
      hoursEl.append(h('p', { class: 'empty' }, 'No GPU use recorded for this container since the monitor started'));
      return;
    }
    const pick = (r) => (r ? { held: r.held, busy: r.busy, efficiency: r.efficiency } : { held: null, busy: null, efficiency: null });
    const gpus = new Map();
    for (const [scope, r] of [['window', win], ['start', start]]) {
      for (const g of (r && r.gpus) || []) {
        const key = `${g.gpu}/${g.gpuInstanceId ?? ''}`;
        const entry = gpus.get(key) || { gpu: g.gpu, gpuInstanceId: g.gpuInstanceId, window: pick(null), start: pick(null) };
        entry[scope] = pick(g);
        gpus.set(key, entry);
      }
    }
    hoursEl.append(hoursTable({ gpus: [...gpus.values()], window: pick(win), start: pick(start) }));
  }

  async function load(current) {
    const w = windowOf(route.window);
    const since = Math.floor(Date.now() / 1000) - w.seconds;
    const [history, accounting] = await Promise.allSettled([fetchJson(historyUrl(w.key)), fetchJson(`api/v1/accounting?since=${since}`)]);
    if (current !== token) return;
    const problems = [];
    if (history.status === 'rejected') problems.push(`history unavailable: ${history.reason.message}`);
    if (accounting.status === 'rejected') problems.push(`GPU-hours unavailable: ${accounting.reason.message}`);
    setText(status, problems.join(' · '));
    status.hidden = problems.length === 0;
    renderHistory(history.status === 'fulfilled' ? history.value : { times: [] });
    if (accounting.status === 'fulfilled') renderHours(accounting.value, since);
    else if (!hoursEl.firstChild) hoursEl.append(h('p', { class: 'empty' }, 'GPU-hours need /api/v1/accounting, which this server does not answer'));
    renderFacts();
  }

  return {
    el,
    title,
    show(next) {
      const changed = !route || route.container !== next.container || route.window !== next.window;
      if (!route || route.container !== next.container) lastName = null;
      route = next;
      el.hidden = false;
      windowButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.window === route.window)));
      renderFacts();
      if (changed || !poller) {
        if (poller) poller.stop();
        token += 1;
        const current = token;
        clear(hoursEl);
        setText(status, 'Loading…');
        status.hidden = false;
        // Fresh points arrive once per step; the 15 min window (full resolution) refreshes every 5 s.
        const w = windowOf(route.window);
        poller = poll(() => load(current), Math.max(5000, w.step * 1000));
      }
    },
    hide() {
      el.hidden = true;
      route = null;
      token += 1;
      if (poller) poller.stop();
      poller = null;
    },
    update(next) {
      snapshot = next;
      if (route) renderFacts();
    },
  };
}
