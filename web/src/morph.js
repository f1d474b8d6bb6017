// Brings a live element in line with a freshly built one, reusing the nodes that are already there: a
// view can be rebuilt from data every second without replacing the link under the user's pointer (a
// click whose press and release land on different elements is lost) or the one that has focus.
// Only for markup without listeners of its own (links handled by delegation, text, attributes).
export function morph(from, to) {
  for (const { name } of [...from.attributes]) if (!to.hasAttribute(name)) from.removeAttribute(name);
  for (const { name, value } of [...to.attributes]) if (from.getAttribute(name) !== value) from.setAttribute(name, value);
  const current = [...from.childNodes];
  const next = [...to.childNodes];
  next.forEach((node, i) => {
    const old = current[i];
    if (!old) from.append(node);
    else if (old.nodeType !== node.nodeType || old.nodeName !== node.nodeName) from.replaceChild(node, old);
    else if (old.nodeType === Node.TEXT_NODE) {
      if (old.data !== node.data) old.data = node.data;
    } else if (old.nodeType === Node.ELEMENT_NODE) morph(old, node);
  });
  for (let i = next.length; i < current.length; i += 1) current[i].remove();
}
