// Host panel: CPU and memory gauges with their recent history, network and disk rates and totals,
// filesystems with device, type and space available.
import { h, setText, setAttr, bar } from '../dom.js';
import { gauge } from '../gauge.js';
import { createChart } from '../charts.js';
import { formatBytes, formatBytesPair, formatLoad, formatPercent, formatRate, isNum, level, percentOf, MISSING } from '../format.js';

const pct = (v) => formatPercent(v, 0);

function card(title, ...children) {
  return h('section', { class: 'card' }, h('h3', { class: 'card-title' }, title), ...children);
}

function rateRow(label, color) {
  const value = h('span', { class: 'rate-value num' }, MISSING);
  const el = h('div', { class: 'rate' }, h('span', { class: 'swatch', style: { '--swatch': `var(${color})` } }), h('span', { class: 'rate-label' }, label), value);
  return { el, value };
}

export function createHost() {
  const cpu = gauge('CPU');
  const mem = gauge('Memory');
  const cpuMeta = h('div', { class: 'gauge-meta num' });
  const loadMeta = h('div', { class: 'gauge-meta sub num', title: '1, 5 and 15 minute load averages' });
  const memMeta = h('div', { class: 'gauge-meta num' });
  const swapMeta = h('div', { class: 'gauge-meta sub num' });
  const cpuSpark = createChart({ sparkline: true, height: 36, max: 100, format: pct, series: [{ label: 'CPU', color: '--c1' }] });
  const memSpark = createChart({ sparkline: true, height: 36, format: formatBytes, series: [{ label: 'Memory', color: '--c2' }] });

  const rx = rateRow('Network in', '--c1');
  const tx = rateRow('Network out', '--c3');
  const rd = rateRow('Disk read', '--c2');
  const wr = rateRow('Disk write', '--c4');
  const netSpark = createChart({ sparkline: true, height: 34, format: formatRate, series: [{ label: 'in', color: '--c1' }, { label: 'out', color: '--c3', fill: false }] });
  const diskSpark = createChart({ sparkline: true, height: 34, format: formatRate, series: [{ label: 'read', color: '--c2' }, { label: 'write', color: '--c4', fill: false }] });

  const totals = h('div', { class: 'io-totals muted num', title: 'bytes moved since the host booted' });

  const fsList = h('div', { class: 'fs-list' });
  const fsRows = new Map();

  const el = h(
    'div',
    { class: 'host-grid' },
    card('CPU', h('div', { class: 'gauge-wrap' }, cpu.el), cpuMeta, loadMeta, cpuSpark.el),
    card('Memory', h('div', { class: 'gauge-wrap' }, mem.el), memMeta, swapMeta, memSpark.el),
    card('Network & disk', h('div', { class: 'rates' }, rx.el, tx.el), netSpark.el, h('div', { class: 'rates' }, rd.el, wr.el), diskSpark.el, totals),
    card('Filesystems', fsList),
  );

  function updateFilesystems(filesystems) {
    const seen = new Set();
    const ordered = [...filesystems].sort((a, b) => a.mount_point.localeCompare(b.mount_point));
    for (const fs of ordered) {
      seen.add(fs.mount_point);
      let row = fsRows.get(fs.mount_point);
      if (!row) {
        const b = bar();
        const name = h('span', { class: 'fs-mount' });
        const dev = h('span', { class: 'fs-dev muted' });
        const used = h('span', { class: 'fs-used num' });
        const p = h('span', { class: 'fs-pct num' });
        row = { el: h('div', { class: 'fs-row' }, h('div', { class: 'fs-line' }, name, used, p), b.el, dev), bar: b, name, dev, used, pct: p };
        fsRows.set(fs.mount_point, row);
      }
      // df's Use%: used / (used + available), so reserved blocks count as unavailable.
      const usable = isNum(fs.available_bytes) ? fs.used_bytes + fs.available_bytes : fs.total_bytes;
      const percent = percentOf(fs.used_bytes, usable);
      setText(row.name, fs.mount_point);
      setAttr(row.name, 'title', `${fs.mount_point} — ${fs.device} (${fs.fs_type})`);
      setText(row.dev, `${fs.device} (${fs.fs_type})${isNum(fs.available_bytes) ? ` · ${formatBytes(fs.available_bytes)} available` : ''}`);
      setText(row.used, formatBytesPair(fs.used_bytes, fs.total_bytes));
      setText(row.pct, pct(percent));
      row.bar.set(percent, level(percent));
      fsList.append(row.el); // re-appending keeps the sorted order
    }
    for (const [mount, row] of fsRows) {
      if (!seen.has(mount)) {
        row.el.remove();
        fsRows.delete(mount);
      }
    }
    if (!ordered.length && !fsList.firstChild) fsList.append(h('p', { class: 'empty' }, 'No filesystems reported'));
    else if (ordered.length) fsList.querySelectorAll('.empty').forEach((e) => e.remove());
  }

  return {
    el,
    update(snapshot) {
      const host = snapshot.host || {};
      cpu.set(host.cpu_busy_percent, formatPercent(host.cpu_busy_percent), level(host.cpu_busy_percent));
      setText(cpuMeta, host.cpu_count ? `${host.cpu_count} CPUs` : MISSING);
      setText(loadMeta, host.load ? `load ${formatLoad(host.load)}` : 'load —');
      const memPct = percentOf(host.memory_used_bytes, host.memory_total_bytes);
      mem.set(memPct, formatPercent(memPct), level(memPct));
      setText(memMeta, formatBytesPair(host.memory_used_bytes, host.memory_total_bytes));
      const available = isNum(host.memory_available_bytes) ? `${formatBytes(host.memory_available_bytes)} available · ` : '';
      setText(swapMeta, available + (host.swap_total_bytes ? `swap ${formatBytesPair(host.swap_used_bytes, host.swap_total_bytes)}` : 'no swap'));
      const rate = (c) => formatRate(c && c.bytes_per_second);
      setText(rx.value, rate(host.network_rx));
      setText(tx.value, rate(host.network_tx));
      setText(rd.value, rate(host.disk_read));
      setText(wr.value, rate(host.disk_write));
      const total = (c) => formatBytes(c && c.bytes_total);
      setText(totals, `Since boot: in ${total(host.network_rx)} · out ${total(host.network_tx)} · read ${total(host.disk_read)} · written ${total(host.disk_write)}`);
      updateFilesystems(host.filesystems || []);
    },
    updateHistory(store) {
      const x = store.xSeconds();
      cpuSpark.update(x, [store.host.cpu_busy_percent]);
      memSpark.update(x, [store.host.memory_used_bytes]);
      netSpark.update(x, [store.host.network_rx_bytes_per_second, store.host.network_tx_bytes_per_second]);
      diskSpark.update(x, [store.host.disk_read_bytes_per_second, store.host.disk_write_bytes_per_second]);
    },
  };
}
