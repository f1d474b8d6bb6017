// The Accounting view (?view=accounting&range=today): GPU-hours held and busy, idle-held hours and the
// efficiency ratio busy ÷ held, per owner and per container, for today / since start / the last 15 min …
// 24 h; both tables sortable (buttons in the headers, aria-sort) with a totals row and a CSV download of
// exactly the rows shown, in the order shown. Refreshed every 15 s while open.
import { h, setText, clear } from '../dom.js';
import {
  RANGES,
  DEFAULT_RANGE,
  OWNER_COLUMNS,
  CONTAINER_COLUMNS,
  accountingRows,
  accountingUrl,
  csvFileName,
  formatEfficiency,
  formatHours,
  sinceFor,
  sortRows,
  toCsv,
  toggleSort,
  totals,
} from '../accounting-model.js';
import { formatClock } from '../format.js';
import { formatRoute } from '../history-model.js';
import { fetchJson, poll } from '../fetch-json.js';

const REFRESH_MS = 15000;

function effCell(ratio) {
  const pct = Number.isFinite(ratio) ? Math.round(ratio * 100) : null;
  const lvl = pct === null ? 'none' : pct < 25 ? 'low' : pct < 60 ? 'mid' : 'high';
  return h(
    'td',
    { class: 'num col-eff', 'data-eff': lvl },
    pct === null ? null : h('span', { class: 'eff-bar', 'aria-hidden': 'true', style: { '--p': `${pct}%` } }),
    formatEfficiency(ratio),
  );
}

function createTable({ kind, caption, columns, initialSort, rowCells }) {
  let sort = initialSort;
  let rows = [];
  let windowInfo = {};
  const headCells = columns.map((col) => {
    const button = h('button', { type: 'button', class: 'sort', 'data-sort': col.key }, col.label, h('span', { class: 'sort-icon', 'aria-hidden': 'true' }));
    button.addEventListener('click', () => {
      sort = toggleSort(sort, columns, col.key);
      render();
    });
    return h('th', { scope: 'col', class: col.numeric ? 'num' : null, 'data-col': col.key }, button);
  });
  const body = h('tbody');
  const foot = h('tfoot');
  const table = h('table', { class: `dtable acct-table acct-${kind}` }, h('caption', { class: 'sr-only' }, caption), h('thead', {}, h('tr', {}, headCells)), body, foot);
  const download = h('a', { class: 'button csv', href: '#', download: 'gpu-accounting.csv', 'aria-label': `Download the ${kind} table as CSV` }, 'Download CSV');
  // The link gets its blob URL when clicked, so the file always holds the rows as shown right now.
  download.addEventListener('click', () => {
    const sorted = sortRows(rows, columns, sort.key, sort.dir);
    const blob = new Blob([toCsv(kind, sorted, windowInfo)], { type: 'text/csv;charset=utf-8' });
    if (download.dataset.url) URL.revokeObjectURL(download.dataset.url);
    const url = URL.createObjectURL(blob);
    download.dataset.url = url;
    download.href = url;
    download.download = csvFileName(kind, windowInfo);
  });

  function render() {
    for (const th of headCells) th.setAttribute('aria-sort', th.dataset.col === sort.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
    clear(body);
    const sorted = sortRows(rows, columns, sort.key, sort.dir);
    for (const r of sorted) body.append(h('tr', { 'data-key': r.key }, rowCells(r)));
    if (!sorted.length) body.append(h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, 'No GPU was held in this range')));
    clear(foot);
    if (sorted.length > 1) {
      const t = totals(sorted);
      foot.append(
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, 'Total'),
          columns.slice(1).map((c) => {
            if (c.key === 'held') return h('td', { class: 'num' }, formatHours(t.held));
            if (c.key === 'busy') return h('td', { class: 'num' }, formatHours(t.busy));
            if (c.key === 'idle') return h('td', { class: 'num' }, formatHours(t.idleHeld));
            if (c.key === 'eff') return effCell(t.efficiency);
            return h('td', {});
          }),
        ),
      );
    }
  }

  return {
    table,
    download,
    set(next, info) {
      rows = next;
      windowInfo = info;
      render();
    },
  };
}

export function createAccounting({ navigate }) {
  const title = h('h2', { id: 'accounting-title', tabindex: '-1' }, 'Accounting');
  const rangeButtons = RANGES.map((r) => {
    const b = h('button', { type: 'button', class: 'seg', 'data-range': r.key, 'aria-pressed': 'false' }, r.label);
    b.addEventListener('click', () => navigate({ ...route, range: r.key }, { replace: true, focus: false }));
    return b;
  });
  const picker = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Accounting range' }, rangeButtons);
  const span = h('p', { class: 'view-sub muted acct-span' });
  const status = h('p', { class: 'view-status', role: 'status' });
  const owners = createTable({
    kind: 'owners',
    caption: 'GPU-hours per owner',
    columns: OWNER_COLUMNS,
    initialSort: { key: 'held', dir: 'desc' },
    rowCells: (r) => [
      h('th', { scope: 'row', class: 'col-owner' }, r.owner),
      h('td', { class: 'num', title: r.containers.join(', ') }, String(r.containers.length)),
      h('td', { class: 'num col-held' }, formatHours(r.held)),
      h('td', { class: 'num col-busy' }, formatHours(r.busy)),
      h('td', { class: 'num col-idle' }, formatHours(r.idleHeld)),
      effCell(r.efficiency),
    ],
  });
  const containers = createTable({
    kind: 'containers',
    caption: 'GPU-hours per container',
    columns: CONTAINER_COLUMNS,
    initialSort: { key: 'held', dir: 'desc' },
    rowCells: (r) => [
      h(
        'th',
        { scope: 'row', class: 'col-name' },
        h('a', { href: formatRoute({ view: 'container', container: r.shortId }), 'data-route': '' }, r.name),
        r.removed ? h('span', { class: 'badge' }, 'removed') : null,
      ),
      h('td', {}, r.owner),
      h('td', { class: 'col-gpus' }, r.gpus.length ? r.gpus.map((g) => h('span', { class: 'chip' }, g.gpuInstanceId !== null ? `${g.gpu}·GI${g.gpuInstanceId}` : g.gpu)) : '—'),
      h('td', { class: 'num col-held' }, formatHours(r.held)),
      h('td', { class: 'num col-busy' }, formatHours(r.busy)),
      h('td', { class: 'num col-idle' }, formatHours(r.idleHeld)),
      effCell(r.efficiency),
    ],
  });
  const el = h(
    'section',
    { class: 'panel view view-accounting', 'aria-labelledby': 'accounting-title', hidden: true },
    h('div', { class: 'view-head' }, title),
    h('div', { class: 'view-toolbar' }, h('span', { class: 'muted' }, 'Range'), picker),
    span,
    status,
    h('p', { class: 'muted acct-help' }, 'Held: a container had memory on the GPU. Busy: held time × its SM share. Efficiency = busy ÷ held.'),
    h('div', { class: 'acct-block' }, h('div', { class: 'acct-head' }, h('h3', { class: 'view-h3', id: 'acct-owners' }, 'Per owner'), owners.download), h('div', { class: 'table-wrap' }, owners.table)),
    h('div', { class: 'acct-block' }, h('div', { class: 'acct-head' }, h('h3', { class: 'view-h3', id: 'acct-containers' }, 'Per container'), containers.download), h('div', { class: 'table-wrap' }, containers.table)),
  );
  let route = null;
  let poller = null;
  let token = 0;

  const rangeOf = () => (RANGES.some((r) => r.key === (route && route.range)) ? route.range : DEFAULT_RANGE);

  async function load(current) {
    const range = rangeOf();
    const nowMs = Date.now();
    let body;
    try {
      body = await fetchJson(accountingUrl(range, nowMs));
    } catch (e) {
      if (current !== token) return;
      setText(status, `Accounting unavailable: ${e.message}`);
      status.hidden = false;
      return;
    }
    if (current !== token) return;
    const data = accountingRows(body, range, sinceFor(range, nowMs));
    const info = { since: data.since, now: data.now };
    status.hidden = !data.clamped;
    setText(status, data.clamped ? `History reaches back only to ${new Date(Date.parse(data.since)).toLocaleString()}: counted from there` : '');
    const label = RANGES.find((r) => r.key === range).label;
    setText(span, `${label}: ${data.since ? new Date(Date.parse(data.since)).toLocaleString() : '—'} to ${formatClock(data.now)} · monitor started ${data.started ? new Date(Date.parse(data.started)).toLocaleString() : '—'}`);
    owners.set(data.owners, info);
    containers.set(data.containers, info);
  }

  return {
    el,
    title,
    show(next) {
      const changed = !route || rangeOf() !== (RANGES.some((r) => r.key === next.range) ? next.range : DEFAULT_RANGE);
      route = next;
      el.hidden = false;
      const range = rangeOf();
      rangeButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.range === range)));
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
  };
}
