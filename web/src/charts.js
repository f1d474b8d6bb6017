// uPlot wrappers: small sparklines (GPU cards, host panels) and compact time charts (container details).
// Colours come from CSS custom properties, so charts follow the light/dark theme; on a theme change
// every live chart is rebuilt with its current data.
import uPlot from 'uplot';
import { h } from './dom.js';

const live = new Set();

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

// "#2f6fde" + alpha → "rgba(...)" for area fills.
function withAlpha(color, alpha) {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

function yRange(spec) {
  return (u, min, max) => {
    const top = Number.isFinite(max) ? max : 0;
    const ceiling = spec.max !== undefined ? Math.max(spec.max, top) : top > 0 ? top * 1.15 : 1;
    return [0, ceiling];
  };
}

// Axis ticks as 24-hour local "HH:MM", like the header's sample time.
function clock(seconds, withSeconds = false) {
  const d = new Date(seconds * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}${withSeconds ? `:${pad(d.getSeconds())}` : ''}`;
}

// Axis steps for byte values: 1, 2, 4, 8 … of each binary unit, so ticks read "16 GiB", not "46.6 GiB".
const BYTE_INCRS = [];
for (let unit = 1; unit <= 1024 ** 5; unit *= 1024) {
  for (const m of [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]) BYTE_INCRS.push(m * unit);
}

function lastValue(values) {
  for (let i = values.length - 1; i >= 0; i -= 1) if (values[i] !== null && values[i] !== undefined) return i;
  return -1;
}

function options(spec, width, readout) {
  const axisFont = `11px ${cssVar('--font-ui')}`;
  const muted = cssVar('--muted');
  const grid = cssVar('--grid');
  const full = !spec.sparkline;
  return {
    width,
    height: spec.height,
    padding: full ? [8, 8, 0, 0] : [3, 1, 3, 1],
    cursor: full ? { y: false, points: { size: 6 } } : { show: false },
    select: { show: false },
    legend: { show: false },
    scales: { x: { time: true }, y: { range: yRange(spec) } },
    axes: full
      ? [
          {
            stroke: muted,
            font: axisFont,
            grid: { stroke: grid, width: 1 },
            ticks: { show: false },
            size: 24,
            // Ticks less than a minute apart would all read the same "HH:MM": show seconds then.
            values: (u, splits) => splits.map((v) => clock(v, splits.length > 1 && splits[1] - splits[0] < 60)),
          },
          {
            stroke: muted,
            font: axisFont,
            grid: { stroke: grid, width: 1 },
            ticks: { show: false },
            size: 64,
            incrs: spec.bytes ? BYTE_INCRS : undefined,
            values: (u, splits) => splits.map((v) => spec.format(v)),
          },
        ]
      : [{ show: false }, { show: false }],
    hooks: readout ? { setCursor: [(u) => readout(u.cursor.idx)], setData: [() => readout(null)] } : {},
    series: [
      {},
      ...spec.series.map((s) => {
        const color = cssVar(s.color);
        return {
          label: s.label,
          stroke: color,
          width: full ? 1.5 : 1.25,
          fill: s.fill === false ? undefined : withAlpha(color, full ? 0.12 : 0.18),
          points: { show: false },
          value: (u, v) => (v === null || v === undefined ? '—' : spec.format(v)),
        };
      }),
    ],
  };
}

// spec: { height, sparkline: bool, max?: number, format: v → text, series: [{ label, color: '--c1', fill? }] }
// Full charts get a one-line readout above the plot: the latest value, or the one under the cursor.
export function createChart(spec) {
  const value = h('span', { class: 'readout-value num' });
  const at = h('span', { class: 'readout-time muted num' });
  const readoutEl = spec.sparkline ? null : h('div', { class: 'readout' }, h('span', { class: 'readout-label' }, spec.series[0].label), value, at);
  const plotEl = h('div', { class: 'plot' });
  // spec.legend: a key under the plot naming every series (charts with more than one line).
  const legendEl = spec.legend
    ? h('ul', { class: 'legend mini' }, spec.series.map((s) => h('li', {}, h('span', { class: 'swatch', style: { '--swatch': `var(${s.color})` } }), s.label)))
    : null;
  const el = h('div', { class: spec.sparkline ? 'chart spark' : 'chart' }, readoutEl, plotEl, legendEl);
  let data = [[], ...spec.series.map(() => [])];
  let plot = null;

  const readout = readoutEl
    ? (idx) => {
        const ys = data[1] || [];
        const hovering = idx !== null && idx !== undefined && idx >= 0;
        const i = hovering ? idx : lastValue(ys);
        value.textContent = i >= 0 && ys[i] !== null && ys[i] !== undefined ? spec.format(ys[i]) : '—';
        at.textContent = hovering && i >= 0 ? `at ${clock(data[0][i], true)}` : '';
      }
    : null;

  const build = () => {
    if (plot) plot.destroy();
    plot = new uPlot(options(spec, Math.max(60, plotEl.clientWidth || 240), readout), data, plotEl);
    if (readout) readout(null);
  };
  const observer = new ResizeObserver(() => {
    const width = plotEl.clientWidth;
    if (!plot) build();
    else if (width > 0 && width !== plot.width) plot.setSize({ width, height: spec.height });
  });
  observer.observe(plotEl);

  const chart = {
    el,
    update(x, ys) {
      data = [x, ...ys];
      if (plot) plot.setData(data);
      else if (el.isConnected) build();
    },
    rebuild() {
      if (plot) build();
    },
    destroy() {
      observer.disconnect();
      live.delete(chart);
      if (plot) plot.destroy();
      plot = null;
    },
  };
  live.add(chart);
  return chart;
}

const scheme = window.matchMedia('(prefers-color-scheme: dark)');
scheme.addEventListener('change', () => {
  // The new colours are in effect once the style recalculates.
  requestAnimationFrame(() => live.forEach((chart) => chart.rebuild()));
});
