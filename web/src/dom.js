// Tiny DOM helpers. Everything from the data goes in as text nodes or attribute values, never as markup:
// container names, images and labels may contain HTML.
const SVG_NS = 'http://www.w3.org/2000/svg';

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function apply(el, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'on') for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
    else if (key === 'style') for (const [name, v] of Object.entries(value)) el.style.setProperty(name, v);
    else if (key in el && typeof value !== 'string' && !(el instanceof SVGElement)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

// h('td', { class: 'num' }, 'text', child...) → element.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  apply(el, props);
  append(el, children);
  return el;
}

export function svg(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, props);
  append(el, children);
  return el;
}

// Writes only when the text changed, so unchanged cells don't cost layout work every second.
export function setText(el, text) {
  const value = String(text);
  if (el.textContent !== value) el.textContent = value;
}

export function setAttr(el, name, value) {
  if (value === null || value === undefined) el.removeAttribute(name);
  else if (el.getAttribute(name) !== String(value)) el.setAttribute(name, String(value));
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
}

// A horizontal usage bar: <div class="bar"><div class="fill"></div></div>, coloured by level.
export function bar(extraClass = '') {
  const fill = h('div', { class: 'fill' });
  const el = h('div', { class: `bar ${extraClass}`.trim(), role: 'presentation' }, fill);
  return { el, set(percent, lvl) {
    const p = Number.isFinite(percent) ? Math.max(0, Math.min(100, percent)) : 0;
    fill.style.width = `${p}%`;
    setAttr(el, 'data-level', lvl);
  } };
}
