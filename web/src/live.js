// Talks to the server: one snapshot and the history at start, then Server-Sent Events: a whole snapshot
// first, then deltas (only the containers that changed, snapshot-delta.js), which spare the server
// writing and sending every container each second. Reconnects by
// itself with a growing delay (EventSource's own retry is replaced so the delay can grow to ~30 s),
// closes the stream while the tab is hidden so the server can pause collection, and reopens on return.
// URLs are relative so the page also works behind a reverse proxy under a sub-path.

import { applyDelta } from './snapshot-delta.js';

const MIN_RETRY_MS = 1000;
const MAX_RETRY_MS = 30000;
const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'focus'];

async function getJson(url) {
  const response = await fetch(url, { cache: 'no-store', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

// Status values: connecting, connected, stale, paused, disconnected, hidden.
export class Live {
  constructor({ historySeconds, historyStep, onSnapshot, onHistory, onStatus }) {
    this.historySeconds = historySeconds;
    this.historyStep = historyStep || 0;
    this.onSnapshot = onSnapshot;
    this.onHistory = onHistory;
    this.onStatus = onStatus;
    this.source = null;
    this.streamed = null; // the last snapshot this stream gave: what its next delta applies to
    this.retryMs = MIN_RETRY_MS;
    this.retryTimer = 0;
    this.lastEventAt = 0;
    this.lastSampleMs = 0;
    this.intervalMs = 1000;
    this.status = '';
    this.lastActivityRetry = 0;
    this.staleTimer = setInterval(() => this.checkStale(), 1000);
    document.addEventListener('visibilitychange', () => this.onVisibility());
    const onActivity = () => this.onActivity();
    ACTIVITY_EVENTS.forEach((type) => window.addEventListener(type, onActivity, { passive: true, capture: true }));
  }

  start() {
    this.setStatus('connecting');
    this.refresh();
    if (document.visibilityState === 'hidden') this.setStatus('hidden');
    else this.open();
  }

  // Snapshot and history by plain GET: the first paint, and the gap after the stream was closed.
  refresh() {
    getJson('api/v1/snapshot').then((s) => this.receive(s), () => {});
    const step = this.historyStep ? `&step=${this.historyStep}` : '';
    getJson(`api/v1/history?seconds=${this.historySeconds}${step}`).then((h) => this.onHistory(h), () => {});
  }

  open() {
    this.close();
    const source = new EventSource('api/v1/events?delta=1');
    this.source = source;
    this.streamed = null;
    source.addEventListener('open', () => {
      if (this.source === source && this.status !== 'connected') this.setStatus('connected');
    });
    source.addEventListener('snapshot', (event) => {
      if (this.source !== source) return;
      let snapshot;
      try {
        snapshot = JSON.parse(event.data);
      } catch {
        return;
      }
      this.streamed = snapshot;
      this.retryMs = MIN_RETRY_MS;
      this.receive(snapshot);
      if (this.status !== 'connected') this.setStatus('connected');
    });
    source.addEventListener('delta', (event) => {
      if (this.source !== source) return;
      let snapshot = null;
      try {
        snapshot = applyDelta(this.streamed, JSON.parse(event.data));
      } catch {
        snapshot = null;
      }
      if (!snapshot) {
        // Not a delta from what this stream gave last: a new stream starts with a whole snapshot.
        this.open();
        return;
      }
      this.streamed = snapshot;
      this.retryMs = MIN_RETRY_MS;
      this.receive(snapshot);
      if (this.status !== 'connected') this.setStatus('connected');
    });
    source.addEventListener('paused', () => {
      if (this.source === source) this.setStatus('paused');
    });
    source.addEventListener('error', () => {
      if (this.source !== source) return;
      this.close();
      this.scheduleRetry();
    });
  }

  close() {
    clearTimeout(this.retryTimer);
    this.retryTimer = 0;
    if (this.source) this.source.close();
    this.source = null;
  }

  scheduleRetry() {
    // Jitter keeps many open dashboards from reconnecting in lockstep after a server restart.
    const delay = Math.round(this.retryMs * (0.8 + Math.random() * 0.4));
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    this.setStatus('disconnected', { retryInSeconds: Math.ceil(delay / 1000) });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = 0;
      this.refresh();
      this.open();
    }, delay);
  }

  receive(snapshot) {
    const t = Date.parse(snapshot && snapshot.time);
    if (Number.isFinite(t)) {
      if (this.lastSampleMs && t > this.lastSampleMs) this.intervalMs = Math.min(60000, t - this.lastSampleMs);
      this.lastSampleMs = Math.max(this.lastSampleMs, t);
    }
    this.lastEventAt = Date.now();
    this.onSnapshot(snapshot);
  }

  checkStale() {
    if (this.status !== 'connected' && this.status !== 'stale') return;
    const age = Date.now() - this.lastEventAt;
    const limit = Math.max(5000, 3 * this.intervalMs);
    if (age > limit) this.setStatus('stale', { ageSeconds: Math.round(age / 1000) });
  }

  onVisibility() {
    if (document.visibilityState === 'hidden') {
      this.close();
      this.setStatus('hidden');
    } else {
      this.retryMs = MIN_RETRY_MS;
      this.setStatus('connecting');
      this.refresh();
      this.open();
    }
  }

  // The server paused collection (nobody looked for a while): any sign of a person resumes it.
  onActivity() {
    const now = Date.now();
    if (document.visibilityState === 'hidden' || now - this.lastActivityRetry < 5000) return;
    if (this.status === 'paused') {
      this.lastActivityRetry = now;
      this.setStatus('connecting');
      this.refresh();
      this.open();
    } else if (this.status === 'disconnected' && this.retryMs > 4 * MIN_RETRY_MS) {
      // Someone is looking: don't make them wait out a long backoff.
      this.lastActivityRetry = now;
      this.close();
      this.refresh();
      this.open();
    }
  }

  setStatus(status, detail = {}) {
    this.status = status;
    this.onStatus(status, detail);
  }
}
