// A calm banner listing the data sources whose last run failed ("docker: connection refused"), with the
// time of their last success.
import { h, clear } from '../dom.js';
import { formatClock, sourceMessage, MISSING } from '../format.js';

export function failingSources(snapshot) {
  return (snapshot.sources || []).filter((s) => s && s.ok === false);
}

export function sourceError(snapshot, name) {
  const source = (snapshot.sources || []).find((s) => s && s.name === name && s.ok === false);
  return source ? sourceMessage(source.name, source.error) || 'not available' : null;
}

export function createSources() {
  const list = h('ul', { class: 'sources-list' });
  const el = h(
    'section',
    { class: 'sources', 'aria-label': 'Data source problems', hidden: true },
    h('span', { class: 'sources-title' }, 'Some data is missing:'),
    list,
  );
  let last = '';
  return {
    el,
    update(snapshot) {
      const failing = failingSources(snapshot);
      const key = JSON.stringify(failing.map((s) => [s.name, s.error]));
      if (key === last) return;
      last = key;
      el.hidden = failing.length === 0;
      clear(list);
      for (const s of failing) {
        const since = formatClock(s.last_success);
        list.append(h('li', {}, h('span', { class: 'source-name' }, s.name), ': ', sourceMessage(s.name, s.error) || 'not available', since !== MISSING ? h('span', { class: 'muted' }, ` (last good ${since})`) : null));
      }
    },
  };
}
