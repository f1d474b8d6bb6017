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

// The server keeps 15 minutes by default (--history); ask for that much and keep the same client-side.
const HISTORY_SECONDS = 900;

const header = createHeader();
const note = createNote();
const sources = createSources();
const host = createHost();
const gpus = createGpus();
const containers = createContainers();
const store = new SeriesStore(HISTORY_SECONDS);

function section(id, title, body) {
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), body);
}

document.getElementById('app').replaceChildren(
  header.el,
  h(
    'main',
    {},
    note.el,
    sources.el,
    section('host-title', 'Host', host.el),
    section('gpu-title', 'GPUs', gpus.el),
    section('containers-title', 'Containers', containers.el),
  ),
);

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
