// The fleet's vehicles (own and shared with us): search (the API's q), filters, cursor paging, life status live.
import * as api from '../api.js';
import {field, h, row, select, table, time} from '../dom.js';
import {OPERATION_STATUSES, sharingText, words} from '../labels.js';
import {subscribe} from '../stream.js';

const PAGE = 50;
const any = [['', 'Any']];

export async function render(root) {
  const search = h('input', {type: 'search', name: 'q', maxlength: 100});
  const life = select(any.concat([['ONLINE', 'Online'], ['OFFLINE', 'Offline']]), '');
  const operation = select(any.concat(OPERATION_STATUSES.map((s) => [s, words(s)])), '');
  const sharing = select(any.concat([['own', 'Own, not shared'], ['shared_by_me', 'Shared by me'],
    ['shared_with_me', 'Shared with me']]), '');
  const body = h('tbody');
  const status = h('p', {class: 'muted', 'aria-live': 'polite'});
  const prev = h('button', {type: 'button', class: 'secondary', text: 'Previous', disabled: true});
  const next = h('button', {type: 'button', class: 'secondary', text: 'Next', disabled: true});
  let cursors = {};
  const rows = new Map();

  async function load(path) {
    const page = await api.attempt(() => api.get(path));
    if (!page) return;
    api.clearError();
    rows.clear();
    body.textContent = '';
    for (const v of page.items) {
      const tr = vehicleRow(v);
      rows.set(v.id, tr);
      body.append(tr);
    }
    cursors = page.cursors || {};
    prev.disabled = !cursors.prev;
    next.disabled = !cursors.next;
    status.textContent = page.items.length ? `${page.items.length} vehicles on this page` : 'No vehicles match.';
    // for the page-load measurement (BENCHMARKS.md): when the first rows are on screen
    if (page.items.length && !performance.getEntriesByName('fleetgate:vehicles-listed').length) {
      requestAnimationFrame(() => performance.mark('fleetgate:vehicles-listed'));
    }
  }

  function first() {
    return load('/vehicles' + api.query({limit: PAGE, q: search.value.trim(), life_status: life.value,
      operation_status: operation.value, sharing: sharing.value}));
  }

  let typing = null;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(first, 300);
  });
  [life, operation, sharing].forEach((s) => s.addEventListener('change', first));
  prev.addEventListener('click', () => load('/vehicles' + api.query({cursor: cursors.prev})));
  next.addEventListener('click', () => load('/vehicles' + api.query({cursor: cursors.next})));

  root.append(h('h1', {text: 'Vehicles'}),
    h('form', {role: 'search', class: 'filters', onsubmit: (e) => {
      e.preventDefault();
      first();
    }}, field('Search', search), field('Life status', life), field('Operation status', operation),
    field('Sharing', sharing)),
    h('div', {class: 'scroll'}, table(null, ['Vehicle', 'License plate', 'Model', 'Life status', 'Operation status',
      'Sharing', 'Last contact'], body)),
    h('div', {class: 'pager'}, prev, next, status));

  await first();
  return subscribe((e) => {
    const v = e.data && e.data.vehicle;
    if (e.metadata.type === 'VehicleChanged' && v && rows.has(v.id)) {
      const tr = vehicleRow(v);
      rows.get(v.id).replaceWith(tr);
      rows.set(v.id, tr);
    }
  });
}

function vehicleRow(v) {
  const md = v.master_data || {};
  const name = md.custom_name ? h('span', {class: 'muted', text: ` ${md.custom_name}`}) : null;
  const lifeValue = v.life_status?.value || 'OFFLINE';
  return row([
    [h('a', {href: `#/vehicles/${encodeURIComponent(v.id)}`, text: v.id}), name],
    md.license_plate || '—',
    [md.brand, md.model].filter(Boolean).join(' ') || '—',
    h('span', {class: `badge ${lifeValue.toLowerCase()}`, 'data-life': lifeValue, text: words(lifeValue)}),
    words(v.operation_status?.value || ''),
    sharingText(v.sharing),
    time(v.last_contact_at),
  ]);
}
