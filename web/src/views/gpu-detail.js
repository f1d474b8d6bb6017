// A GPU's own view (?gpu=N, or ?gpu=N&slice=M for a MIG slice): its last 24 h of utilization (mean and
// peak per step) and memory, who held memory on it over that day (a chart with one line per container,
// and a table with first/last seen, peak memory and the GPU-hours each held and kept busy), and who holds
// it now. History and accounting are fetched when the view opens and every minute while it is open.
import { h, setText, clear } from '../dom.js';
import { createChart } from '../charts.js';
import { formatBytes, formatBytesPair, formatClock, formatDuration, formatIdleFor, formatPercent, MISSING } from '../format.js';
import { gpuSeries, gpuHolders, historyUrl, formatRoute, windowOf } from '../history-model.js';
import { accountingRows, formatEfficiency, formatHours } from '../accounting-model.js';
import { gpuTiles } from '../gpu-model.js';
import { fetchJson, poll } from '../fetch-json.js';
import { withVendor } from './gpu-strip.js';
import { morph } from '../morph.js';

const DAY = windowOf('24h');
const COLORS = ['--c1', '--c2', '--c3', '--c4', '--c5', '--c6'];
const REFRESH_MS = 60000;

function when(ms) {
  if (!Number.isFinite(ms)) return MISSING;
  const d = new Date(ms);
  const today = new Date();
  const clock = formatClock(d.toISOString());
  return d.toDateString() === today.toDateString() ? clock : `${d.toLocaleDateString()} ${clock}`;
}

export function createGpuDetail() {
  const title = h('h2', { id: 'gpu-view-title', tabindex: '-1' }, 'GPU');
  const sub = h('p', { class: 'view-sub muted' });
  const status = h('p', { class: 'view-status', role: 'status' });
  const nowList = h('div', { class: 'now-holders' });
  const util = createChart({ height: 150, max: 100, format: (v) => formatPercent(v, 0), legend: true, series: [{ label: 'Utilization', color: '--c1' }, { label: 'peak per step', color: '--c4', fill: false }] });
  const mem = createChart({ height: 150, bytes: true, format: formatBytes, series: [{ label: 'Memory used', color: '--c2' }] });
  const holdersWrap = h('div', { class: 'holders-chart' });
  const legend = h('ul', { class: 'legend holders-legend', 'aria-label': 'Holders in the chart' });
  const table = h('table', { class: 'dtable' });
  const tableWrap = h('div', { class: 'table-wrap' }, table);
  const el = h(
    'section',
    { class: 'panel view view-gpu', 'aria-labelledby': 'gpu-view-title', hidden: true },
    h('div', { class: 'view-head' }, h('a', { class: 'back', href: '?', 'data-route': '', 'data-back': '' }, h('span', { 'aria-hidden': 'true' }, '← '), 'Overview'), title),
    sub,
    status,
    h('h3', { class: 'view-h3' }, 'Now'),
    nowList,
    h('div', { class: 'detail-charts two' }, util.el, mem.el),
    h('h3', { class: 'view-h3', id: 'gpu-holders-title' }, 'Holders over the last 24 h'),
    holdersWrap,
    legend,
    tableWrap,
  );
  let route = null;
  let snapshot = null;
  let holdersChart = null;
  let holdersKey = '';
  let poller = null;
  let token = 0;

  function renderNow() {
    if (!route || !snapshot) return;
    const nowMs = Date.parse(snapshot.time) || Date.now();
    const tile = gpuTiles(snapshot, nowMs).find((t) => String(t.index) === route.gpu);
    const fresh = h('div', { class: 'now-holders' });
    if (!tile) {
      setText(title, `GPU ${route.gpu}`);
      fresh.append(h('p', { class: 'empty' }, `GPU ${route.gpu} is not in the current snapshot`));
      morph(nowList, fresh);
      return;
    }
    const slice = route.slice !== null ? tile.slices.find((s) => String(s.index) === route.slice) : null;
    setText(title, `GPU ${tile.index}${slice ? ` · MIG ${slice.index} (${slice.profile})` : ''} · ${withVendor(tile.vendor, tile.name)}`);
    const target = slice || tile;
    const utilText = target.util === null ? (slice ? 'n/a' : MISSING) : formatPercent(target.util, 0);
    const facts = h(
      'dl',
      { class: 'view-facts' },
      h('div', {}, h('dt', {}, 'Utilization'), h('dd', { class: 'num' }, utilText)),
      h('div', {}, h('dt', {}, 'Memory'), h('dd', { class: 'num' }, formatBytesPair(target.memUsed, target.memTotal))),
      h('div', {}, h('dt', {}, 'UUID'), h('dd', { class: 'mono' }, target.uuid || MISSING)),
    );
    fresh.append(facts);
    if (tile.lost) fresh.append(h('p', { class: 'empty' }, 'The GPU is lost: who holds it is unknown'));
    else if (target.free) fresh.append(h('p', { class: 'tile-free' }, h('span', { class: 'free-dot', 'aria-hidden': 'true' }), 'Free: nothing holds memory on it'));
    else {
      fresh.append(
        h(
          'ul',
          { class: 'holders wide', 'aria-label': 'Holding it now' },
          target.holders.map((x) =>
            h(
              'li',
              { class: `holder${x.idleSince ? ' is-idle' : ''}` },
              h('span', { class: 'holder-who' }, x.kind === 'container' ? h('a', { class: 'holder-link', href: formatRoute({ view: 'container', container: x.shortId }), 'data-route': '' }, x.owner && x.owner !== x.name ? `${x.owner} · ${x.name}` : x.name) : x.name),
              h('span', { class: 'holder-mem num' }, formatBytes(x.memoryBytes)),
              x.smPercent !== null ? h('span', { class: 'num muted' }, `SM ${formatPercent(x.smPercent, 0)}`) : null,
              x.idleSince ? h('span', { class: 'badge idle' }, formatIdleFor(x.idleSince, nowMs)) : null,
            ),
          ),
        ),
      );
    }
    morph(nowList, fresh);
  }

  function renderHistory(history, accounting) {
    const series = gpuSeries(history, route.gpu);
    util.update(series.x, [series.util, series.utilMax || series.x.map(() => null)]);
    mem.update(series.x, [series.mem]);
    const step = series.stepMs ? ` · one point per ${formatDuration(series.stepMs / 1000)}` : '';
    setText(sub, `Last 24 h${step}${route.slice !== null ? ' · the charts show the whole GPU; GPU-hours are the slice’s' : ''}`);

    const { perGpu, holders } = gpuHolders(history, route.gpu);
    const key = holders.map((x) => x.shortId).join(',');
    if (key !== holdersKey || !holdersChart) {
      if (holdersChart) holdersChart.destroy();
      holdersChart = null;
      holdersKey = key;
      clear(holdersWrap);
      clear(legend);
      if (holders.length) {
        holdersChart = createChart({
          height: 150,
          bytes: true,
          format: formatBytes,
          series: holders.map((x, i) => ({ label: x.owner && x.owner !== x.name ? `${x.owner} · ${x.name}` : x.name, color: COLORS[i % COLORS.length], fill: false })),
        });
        holdersWrap.append(holdersChart.el);
        holders.forEach((x, i) => legend.append(h('li', {}, h('span', { class: 'swatch', style: { '--swatch': `var(${COLORS[i % COLORS.length]})` } }), x.owner && x.owner !== x.name ? `${x.owner} · ${x.name}` : x.name)));
      }
    }
    if (holdersChart) holdersChart.update(series.x, holders.map((x) => x.series));

    // GPU-hours per container on this GPU (or slice) from the accounting window.
    const hoursByContainer = new Map();
    if (accounting) {
      for (const c of accounting.containers) {
        const g = c.gpus.filter((x) => x.gpu === route.gpu && (route.slice === null || x.gpuInstanceId === null || String(x.gpuInstanceId) === sliceInstance()));
        if (!g.length) continue;
        const held = g.reduce((s, x) => s + (x.held ?? 0), 0);
        const busy = g.reduce((s, x) => s + (x.busy ?? 0), 0);
        hoursByContainer.set(c.shortId, { row: c, held, busy, eff: held > 0 ? busy / held : null });
      }
    }
    clear(table);
    table.append(
      h('caption', { class: 'sr-only' }, `Containers that held memory on GPU ${route.gpu} in the last 24 hours`),
      h('thead', {}, h('tr', {}, ['Container', 'Owner', 'First seen', 'Last seen', 'Peak memory', 'GPU-hours held', 'GPU-hours busy', 'Efficiency'].map((t, i) => h('th', { scope: 'col', class: i >= 4 ? 'num' : null }, t)))),
    );
    const body = h('tbody');
    const seen = new Set();
    for (const x of holders) {
      seen.add(x.shortId);
      const a = hoursByContainer.get(x.shortId);
      body.append(row(x.shortId, x.name, x.owner, when(x.firstMs), when(x.lastMs), formatBytes(x.peakBytes), a));
    }
    // Containers the accounting counted here that the history no longer lists (removed, or older server).
    for (const [shortId, a] of hoursByContainer) {
      if (!seen.has(shortId)) body.append(row(shortId, a.row.name + (a.row.removed ? ' (removed)' : ''), a.row.owner, MISSING, MISSING, MISSING, a));
    }
    if (!body.firstChild) {
      const text = !perGpu && !accounting ? 'This server does not report memory per GPU or accounting yet' : 'Nobody held memory on this GPU in the last 24 h';
      body.append(h('tr', {}, h('td', { colspan: 8, class: 'empty' }, text)));
    }
    table.append(body);
  }

  function sliceInstance() {
    if (!snapshot || route.slice === null) return null;
    const gpu = (snapshot.gpus || []).find((g) => String(g.index) === route.gpu);
    const m = gpu && Array.isArray(gpu.mig_devices) ? gpu.mig_devices.find((x) => String(x.index) === route.slice) : null;
    return m ? String(m.gpu_instance_id) : null;
  }

  function row(shortId, name, owner, first, last, peak, a) {
    return h(
      'tr',
      { 'data-container': shortId },
      h('th', { scope: 'row' }, h('a', { href: formatRoute({ view: 'container', container: shortId }), 'data-route': '' }, name)),
      h('td', {}, owner || MISSING),
      h('td', { class: 'num' }, first),
      h('td', { class: 'num' }, last),
      h('td', { class: 'num' }, peak),
      h('td', { class: 'num col-held' }, a ? formatHours(a.held) : MISSING),
      h('td', { class: 'num col-busy' }, a ? formatHours(a.busy) : MISSING),
      h('td', { class: 'num col-eff' }, a ? formatEfficiency(a.eff) : MISSING),
    );
  }

  async function load(current) {
    const nowMs = Date.now();
    const since = Math.floor(nowMs / 1000) - DAY.seconds;
    const [history, accounting] = await Promise.allSettled([fetchJson(historyUrl(DAY.key)), fetchJson(`api/v1/accounting?since=${since}`)]);
    if (current !== token) return;
    const problems = [];
    if (history.status === 'rejected') problems.push(`history unavailable: ${history.reason.message}`);
    if (accounting.status === 'rejected') problems.push(`GPU-hours unavailable: ${accounting.reason.message}`);
    setText(status, problems.join(' · '));
    status.hidden = problems.length === 0;
    renderHistory(history.status === 'fulfilled' ? history.value : { times: [] }, accounting.status === 'fulfilled' ? accountingRows(accounting.value, '24h', since) : null);
  }

  return {
    el,
    title,
    show(next) {
      const changed = !route || route.gpu !== next.gpu || route.slice !== next.slice;
      route = next;
      el.hidden = false;
      renderNow();
      if (changed || !poller) {
        if (poller) poller.stop();
        token += 1;
        const current = token;
        setText(status, 'Loading…');
        status.hidden = false;
        poller = poll(() => load(current), REFRESH_MS);
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
      if (route) renderNow();
    },
  };
}
