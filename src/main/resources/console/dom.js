// Building DOM nodes from data. Text is always set as textContent, never parsed as HTML: names, tags and
// remarks may come from a partner fleet.

/** h('a', {href: '#/x', class: 'c', onclick: fn}, 'text', child…) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** A local, readable time for an ISO timestamp ('—' when absent). */
export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString();
}

/** A labelled form field: <label>Text <input|select></label> so the label is the control's accessible name. */
export function field(label, control) {
  return h('label', {class: 'field'}, h('span', {text: label}), control);
}

export function select(options, value) {
  return h('select', {}, options.map(([v, text]) => h('option', {value: v, selected: v === value}, text)));
}

/** A table with headers and a body: a <tbody> the caller keeps filling, or rows. */
export function table(caption, headers, body) {
  return h('table', {},
    caption ? h('caption', {text: caption}) : null,
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', {scope: 'col', text: t})))),
    body instanceof HTMLTableSectionElement ? body : h('tbody', {}, body));
}

export function row(cells) {
  return h('tr', {}, cells.map((c) => h('td', {}, c)));
}

/** A value as plain text: objects (positions, custom fields) as compact JSON-like text. */
export function text(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') {
    if ('lat' in v && 'lon' in v) return `${v.lat}, ${v.lon}`;
    return Object.entries(v).map(([k, x]) => `${k}: ${text(x)}`).join(', ');
  }
  return String(v);
}
