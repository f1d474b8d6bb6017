// A hand-drawn SVG arc gauge (270°): track, value arc, big value text. No chart library.
import { svg, setText, setAttr } from './dom.js';

const CX = 60;
const CY = 58;
const R = 46;

function point(deg) {
  const rad = (deg * Math.PI) / 180;
  return `${(CX + R * Math.cos(rad)).toFixed(2)} ${(CY + R * Math.sin(rad)).toFixed(2)}`;
}

// From 135° (bottom left) clockwise to 45° (bottom right), y pointing down.
const ARC = `M ${point(135)} A ${R} ${R} 0 1 1 ${point(45)}`;

export function gauge(label) {
  const value = svg('path', { d: ARC, class: 'gauge-value', pathLength: '100' });
  const text = svg('text', { x: CX, y: CY + 7, class: 'gauge-text', 'text-anchor': 'middle' }, '—');
  const el = svg(
    'svg',
    { viewBox: '0 0 120 100', class: 'gauge', role: 'img', 'aria-label': label },
    svg('path', { d: ARC, class: 'gauge-track', pathLength: '100' }),
    value,
    text,
  );
  return {
    el,
    set(percent, display, lvl) {
      const p = Number.isFinite(percent) ? Math.max(0, Math.min(100, percent)) : 0;
      // pathLength=100 makes the dash length a percentage of the arc.
      value.style.strokeDasharray = `${p.toFixed(2)} 200`;
      setAttr(el, 'data-level', lvl);
      setText(text, display);
      setAttr(el, 'aria-label', `${label} ${display}`);
    },
  };
}
