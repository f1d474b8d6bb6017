// Entry point: lays out the page, wires the live connection to the views, batches renders per frame.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { h } from './dom.js';
import { SeriesStore } from './series.js';
import { Live } from './live.js';
import { createHeader, createNote } from './views/header.js';
import { createSources } from './views/sources.js';
import { createHost } from './views/host.js';
import { createGpus } from './views/gpus.js';
import { createContainers } from './views/containers.js';
import { createGpuStrip } from './views/gpu-strip.js';
import { createGpuDetail } from './views/gpu-detail.js';
import { createContainerDetail } from './views/container-detail.js';
import { createAccounting } from './views/accounting.js';
import { parseRoute, formatRoute } from './history-model.js';

// The overview's charts: the last 15 minutes (the server keeps a day: every sample of the last 15 min, then
// 1-minute aggregates, which the detail views ask for with a step); the same span client-side.
const HISTORY_SECONDS = 900;
// The first paint's backfill at one point per 5 s (180 points, a few hundred KB for 100 containers); live
// samples fill in at full rate from there.
const HISTORY_STEP = 5;

const header = createHeader();
const note = createNote();
const sources = createSources();
const host = createHost();
const gpus = createGpus();
const containers = createContainers();
const store = new SeriesStore(HISTORY_SECONDS);
const strip = createGpuStrip();
const gpuDetail = createGpuDetail();
const containerDetail = createContainerDetail({ navigate });
const accounting = createAccounting({ navigate });

function section(id, title, body) {
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), body);
}

// Views: the overview (host, GPU sensors, containers) or one of GPU detail, container detail, Accounting,
// always under the GPU strip. Which one is in the URL's query (?gpu=0, ?container=<id>, ?view=accounting),
// so links open in new tabs, Back works, and the containers table keeps its state in the hash.
const navOverview = h('a', { class: 'nav-link', href: '?', 'data-route': '' }, 'Overview');
const navAccounting = h('a', { class: 'nav-link', href: '?view=accounting', 'data-route': '' }, 'Accounting');
const nav = h('nav', { class: 'page-nav', 'aria-label': 'Views' }, navOverview, navAccounting);
const overview = [
  section('host-title', 'Host', host.el),
  section('gpu-title', 'GPU sensors', gpus.el),
  section('containers-title', 'Containers', containers.el),
];

document.getElementById('app').replaceChildren(
  header.el,
  nav,
  h('main', {}, note.el, sources.el, strip.el, gpuDetail.el, containerDetail.el, accounting.el, ...overview),
);

let route = parseRoute(location.search);
let opener = null; // data-focus of the link that left the overview, to return focus to it

function applyRoute(focus) {
  const views = { gpu: gpuDetail, container: containerDetail, accounting };
  for (const [name, view] of Object.entries(views)) if (name !== route.view) view.hide();
  overview.forEach((el) => {
    el.hidden = route.view !== 'overview';
  });
  const view = views[route.view];
  if (view) view.show(route);
  navOverview.setAttribute('aria-current', route.view === 'overview' ? 'page' : 'false');
  navAccounting.setAttribute('aria-current', route.view === 'accounting' ? 'page' : 'false');
  strip.setRoute(route);
  if (!focus) return;
  if (view) {
    view.title.focus({ preventScroll: true });
    view.el.scrollIntoView({ block: 'nearest' });
  } else if (opener) {
    const again = document.querySelector(`[data-focus="${CSS.escape(opener)}"]`);
    if (again) again.focus();
  }
}

function navigate(next, { replace = false, focus = true } = {}) {
  const url = (formatRoute(next) || location.pathname) + location.hash;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  route = parseRoute(location.search);
  applyRoute(focus);
}

// Same-page links (data-route) change the view without a reload; modified clicks open a tab as usual.
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[data-route]') : null;
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  if (route.view === 'overview') opener = link.getAttribute('data-focus');
  const next = parseRoute(new URL(link.href).search);
  navigate(next, { focus: true });
});
window.addEventListener('popstate', () => {
  const before = formatRoute(route);
  route = parseRoute(location.search);
  applyRoute(formatRoute(route) !== before); // a hash-only change (table state) keeps focus where it is
});
applyRoute(false);

let latest = null;
let snapshotDirty = false;
let historyDirty = false;
let frame = 0;

function schedule() {
  if (!frame) frame = requestAnimationFrame(flush);
}

function flush() {
  frame = 0;
  if (snapshotDirty && latest) {
    snapshotDirty = false;
    header.update(latest);
    note.update(latest);
    sources.update(latest);
    strip.update(latest);
    gpuDetail.update(latest);
    containerDetail.update(latest);
    host.update(latest);
    gpus.update(latest);
    containers.update(latest);
  }
  if (historyDirty) {
    historyDirty = false;
    host.updateHistory(store);
    gpus.updateHistory(store);
    containers.updateHistory(store);
  }
}

const live = new Live({
  historySeconds: HISTORY_SECONDS,
  historyStep: HISTORY_STEP,
  onSnapshot(snapshot) {
    const t = Date.parse(snapshot.time);
    if (latest && Number.isFinite(t) && t < Date.parse(latest.time)) return; // an older GET answer
    latest = snapshot;
    snapshotDirty = true;
    historyDirty = store.append(snapshot) || historyDirty;
    schedule();
  },
  onHistory(history) {
    store.load(history);
    if (latest) store.append(latest);
    historyDirty = true;
    schedule();
  },
  onStatus(status, detail) {
    header.setStatus(status, detail);
  },
});
live.start();
