// Page header: title, host identity, sample time, uptime, load and the live-connection status.
// Status changes are shown calmly in place (never alert()); only the state word is announced.
import { h, setText, setAttr } from '../dom.js';
import { formatClock, formatDuration, formatLoad, MISSING } from '../format.js';

const STATUS_TEXT = {
  connecting: ['Connecting…', ''],
  connected: ['Live', ''],
  stale: ['Stale', 'no update for'],
  paused: ['Paused', 'resumes on activity'],
  disconnected: ['Disconnected', 'retrying'],
  hidden: ['Paused', 'tab hidden'],
};

function fact(label) {
  const value = h('span', { class: 'fact-value' }, MISSING);
  return { el: h('span', { class: 'fact' }, h('span', { class: 'fact-label' }, label), ' ', value), value };
}

export function createHeader() {
  const title = h('h1', {}, 'Container Monitor');
  const host = h('span', { class: 'host-name' }, '');
  const ip = h('span', { class: 'host-ip' }, '');
  const time = fact('Sample');
  const uptime = fact('Up');
  const load = fact('Load');
  const dot = h('span', { class: 'status-dot', 'aria-hidden': 'true' });
  const word = h('span', { class: 'status-word', role: 'status', 'aria-live': 'polite' }, 'Connecting…');
  const detail = h('span', { class: 'status-detail' }, '');
  const status = h('div', { class: 'status', 'data-status': 'connecting' }, dot, word, detail);

  const el = h(
    'header',
    { class: 'page-header' },
    h('div', { class: 'title-row' }, h('div', { class: 'titles' }, title, h('div', { class: 'host' }, host, ip)), status),
    h('div', { class: 'facts' }, time.el, uptime.el, load.el),
  );

  return {
    el,
    update(snapshot) {
      const hostStats = snapshot.host || {};
      const pageTitle = snapshot.title || 'Container Monitor';
      setText(title, pageTitle);
      setText(host, hostStats.hostname || '');
      setText(ip, hostStats.primary_ipv4 || '');
      const docTitle = hostStats.hostname ? `${hostStats.hostname} · ${pageTitle}` : pageTitle;
      if (document.title !== docTitle) document.title = docTitle;
      setText(time.value, formatClock(snapshot.time));
      setAttr(time.value, 'title', snapshot.time || null);
      setText(uptime.value, formatDuration(hostStats.uptime_seconds));
      setText(load.value, formatLoad(hostStats.load));
      setAttr(load.value, 'title', '1, 5 and 15 minute load averages' + (hostStats.cpu_count ? ` (${hostStats.cpu_count} CPUs)` : ''));
    },
    setStatus(state, info) {
      const [text, base] = STATUS_TEXT[state] || [state, ''];
      status.dataset.status = state;
      setText(word, text);
      let more = base;
      if (state === 'stale' && info.ageSeconds) more = `${base} ${formatDuration(info.ageSeconds)}`;
      if (state === 'disconnected' && info.retryInSeconds) more = `${base} in ${info.retryInSeconds} s`;
      setText(detail, more ? `— ${more}` : '');
    },
  };
}

// The administrator's note, as plain text (line breaks kept by CSS).
export function createNote() {
  const text = h('p', { class: 'note-text' });
  const el = h('aside', { class: 'note', 'aria-label': 'Note from the administrator', hidden: true }, text);
  return {
    el,
    update(snapshot) {
      const note = typeof snapshot.note === 'string' ? snapshot.note.trim() : '';
      el.hidden = note === '';
      setText(text, note);
    },
  };
}
