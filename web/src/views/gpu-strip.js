// The GPU strip at the top of every view: one tile per GPU (MIG slices as rows inside it) with utilization,
// memory and who is on it (owner · container, memory held), free GPUs marked free, idle holders flagged
// "idle for 3 h 12 min". The tile's title links to the GPU's detail view, a holder to its container's.
// The strip is rebuilt from each snapshot and morphed into the page, so links under the pointer or with
// focus stay the same elements.
import { h, setText } from '../dom.js';
import { formatBytes, formatBytesPair, formatDuration, formatIdleFor, formatPercent, level, percentOf, MISSING } from '../format.js';
import { gpuTiles, freeSummary } from '../gpu-model.js';
import { formatRoute } from '../history-model.js';
import { sourceError } from './sources.js';
import { morph } from '../morph.js';

const VENDOR_NAMES = { nvidia: 'NVIDIA', amd: 'AMD', intel: 'Intel' };

export function vendorName(vendor) {
  return vendor ? VENDOR_NAMES[vendor] || vendor : null;
}

// "NVIDIA A100" already says its vendor; "Instinct MI300X" does not: the vendor goes in front only then.
export function withVendor(vendor, name) {
  const v = vendorName(vendor);
  return v && !String(name).toLowerCase().startsWith(v.toLowerCase()) ? `${v} ${name}` : String(name);
}

function meter(label, percent, text, extra) {
  const p = Number.isFinite(percent) ? Math.max(0, Math.min(100, percent)) : 0;
  return h(
    'div',
    { class: 'meter' },
    h('span', { class: 'meter-label muted' }, label),
    h('span', { class: 'meter-bar', 'data-level': level(percent), 'aria-hidden': 'true' }, h('span', { class: 'meter-fill', style: { width: `${p}%` } })),
    h('span', { class: 'meter-text num' }, text),
    extra || null,
  );
}

function holderItem(holder, nowMs) {
  const who = [];
  if (holder.kind === 'container') {
    const label = holder.owner && holder.owner !== holder.name ? [h('span', { class: 'holder-owner' }, holder.owner), h('span', { class: 'muted' }, ' · '), holder.name] : [h('span', { class: 'holder-owner' }, holder.name)];
    who.push(
      h(
        'a',
        { class: 'holder-link', href: formatRoute({ view: 'container', container: holder.shortId }), 'data-route': '', 'data-focus': `holder:${holder.shortId}` },
        label,
      ),
    );
  } else {
    who.push(h('span', { class: `holder-${holder.kind}` }, holder.name));
  }
  const idle = holder.idleSince ? formatIdleFor(holder.idleSince, nowMs) : '';
  return h(
    'li',
    { class: `holder holder-kind-${holder.kind}${idle ? ' is-idle' : ''}` },
    h('span', { class: 'holder-who' }, who),
    h('span', { class: 'holder-mem num' }, formatBytes(holder.memoryBytes)),
    holder.mps ? h('span', { class: 'badge', title: 'CUDA MPS client' }, 'MPS') : null,
    idle ? h('span', { class: 'badge idle', title: `holds memory without computing since ${holder.idleSince}` }, idle) : null,
    holder.kind === 'orphan' ? h('span', { class: 'badge warn' }, 'memory still held') : null,
  );
}

function holderList(holders, nowMs, free, lost) {
  if (lost) return h('p', { class: 'tile-empty muted' }, 'GPU lost: holders unknown');
  if (free) return h('p', { class: 'tile-free' }, h('span', { class: 'free-dot', 'aria-hidden': 'true' }), 'Free');
  return h('ul', { class: 'holders', 'aria-label': 'Holders' }, holders.map((x) => holderItem(x, nowMs)));
}

function describe(prefix, util, utilText, memUsed, memTotal, owners, free, lost, idleHolders, longestIdle) {
  const parts = [prefix, `utilization ${utilText}`, `memory ${formatBytesPair(memUsed, memTotal)}`];
  if (lost) parts.push('lost');
  else if (free) parts.push('free');
  else parts.push(`held by ${owners.join(', ')}`);
  if (idleHolders) parts.push(`${idleHolders} idle holder${idleHolders === 1 ? '' : 's'}, idle for ${formatDuration(longestIdle)}`);
  return parts.join(', ');
}

function stateOf(t) {
  return t.lost ? 'lost' : t.free ? 'free' : t.idleHolders ? 'idle' : 'busy';
}

function sliceRow(tile, slice, nowMs, current) {
  const utilText = slice.util === null ? 'n/a' : formatPercent(slice.util, 0);
  const memPct = percentOf(slice.memUsed, slice.memTotal);
  const route = { view: 'gpu', gpu: String(tile.index), slice: String(slice.index) };
  return h(
    'li',
    { class: 'slice', 'data-state': stateOf({ ...slice, lost: tile.lost }), 'data-slice': slice.index },
    h(
      'a',
      {
        class: 'slice-link',
        href: formatRoute(route),
        'data-route': '',
        'data-focus': `slice:${slice.key}`,
        'aria-current': current ? 'page' : null,
        'aria-label': describe(`MIG slice ${slice.index} (${slice.profile}) of GPU ${tile.index}`, slice.util, utilText, slice.memUsed, slice.memTotal, slice.owners, slice.free, tile.lost, slice.idleHolders, slice.longestIdleSeconds),
      },
      h('span', { class: 'slice-name' }, `MIG ${slice.index}`),
      h('span', { class: 'slice-profile mono' }, slice.profile),
    ),
    h('div', { class: 'slice-meters' }, meter('util', slice.util, utilText), meter('mem', memPct, formatBytesPair(slice.memUsed, slice.memTotal))),
    holderList(slice.holders, nowMs, slice.free, tile.lost),
  );
}

function tileEl(tile, nowMs, route) {
  const utilText = tile.util === null ? MISSING : formatPercent(tile.util, 0);
  const memPct = percentOf(tile.memUsed, tile.memTotal);
  const current = route.view === 'gpu' && route.gpu === String(tile.index);
  const vendor = vendorName(tile.vendor);
  const vendorShown = vendor && !tile.name.toLowerCase().startsWith(vendor.toLowerCase());
  const state = stateOf(tile);
  const badges = [];
  if (state === 'free') badges.push(h('span', { class: 'badge free' }, 'free'));
  if (state === 'idle') badges.push(h('span', { class: 'badge idle' }, 'idle holder'));
  if (state === 'lost') badges.push(h('span', { class: 'badge warn' }, 'lost'));
  if (tile.slices.length) badges.push(h('span', { class: 'badge', title: 'Multi-Instance GPU: slices below' }, 'MIG'));
  return h(
    'li',
    { class: 'tile', 'data-gpu': tile.index, 'data-state': state, 'aria-current': current && route.slice === null ? 'true' : null },
    h(
      'div',
      { class: 'tile-head' },
      h(
        'a',
        {
          class: 'tile-link',
          href: formatRoute({ view: 'gpu', gpu: String(tile.index), slice: null }),
          'data-route': '',
          'data-focus': `gpu:${tile.index}`,
          'aria-current': current && route.slice === null ? 'page' : null,
          'aria-label': describe(`GPU ${tile.index}, ${withVendor(tile.vendor, tile.name)}`, tile.util, utilText, tile.memUsed, tile.memTotal, tile.owners, tile.free, tile.lost, tile.idleHolders, tile.longestIdleSeconds),
        },
        h('span', { class: 'tile-index' }, `GPU ${tile.index}`),
        h('span', { class: 'tile-util num' }, utilText),
      ),
      badges,
    ),
    h(
      'div',
      { class: 'tile-model muted', title: tile.uuid, 'data-vendor': tile.vendor },
      vendorShown ? h('span', { class: 'tile-vendor' }, vendor) : null,
      h('span', { class: 'tile-name' }, tile.name),
    ),
    h('div', { class: 'tile-meters' }, meter('util', tile.util, utilText), meter('mem', memPct, formatBytesPair(tile.memUsed, tile.memTotal))),
    tile.slices.length
      ? h('ul', { class: 'slices', 'aria-label': `MIG slices of GPU ${tile.index}` }, tile.slices.map((s) => sliceRow(tile, s, nowMs, current && route.slice === String(s.index))))
      : holderList(tile.holders, nowMs, tile.free, tile.lost),
    tile.unsliced.length
      ? h('div', { class: 'unsliced' }, h('span', { class: 'muted' }, 'On no known slice'), holderList(tile.unsliced, nowMs, false, tile.lost))
      : null,
  );
}

export function createGpuStrip() {
  const summary = h('span', { class: 'strip-summary', 'aria-live': 'polite' });
  const list = h('ul', { class: 'strip-list' });
  const message = h('p', { class: 'strip-message muted', hidden: true });
  const el = h(
    'section',
    { class: 'strip', 'aria-labelledby': 'strip-title' },
    h('div', { class: 'strip-head' }, h('h2', { id: 'strip-title' }, 'GPUs'), summary),
    message,
    list,
  );
  let snapshot = null;
  let route = { view: 'overview' };

  function render() {
    if (!snapshot) return;
    const nowMs = Date.parse(snapshot.time) || Date.now();
    const tiles = gpuTiles(snapshot, nowMs);
    const error = sourceError(snapshot, 'gpu');
    message.hidden = tiles.length > 0 && !error;
    setText(message, error ? (tiles.length ? `GPU data may be out of date: ${error}` : `No GPUs: ${error}`) : 'No GPUs on this host');
    const { free, total } = freeSummary(tiles);
    setText(summary, total ? `${free} of ${total} free` : '');
    summary.dataset.free = String(free);
    morph(list, h('ul', { class: 'strip-list' }, tiles.map((t) => tileEl(t, nowMs, route))));
  }

  return {
    el,
    update(next) {
      snapshot = next;
      render();
    },
    setRoute(next) {
      route = next;
      render();
    },
  };
}
