// The fleet's events, newest first: the stored log (what happened while the page was closed), then live.
import * as api from '../api.js';
import {field, h, select, time} from '../dom.js';
import {EVENT_TYPES, words} from '../labels.js';
import {subscribe} from '../stream.js';

const MAX = 300;

export async function render(root) {
  const type = select([['', 'All but recorded states']].concat(EVENT_TYPES.map((t) => [t, t])), '');
  const vehicle = h('input', {name: 'vehicle_id', maxlength: 64, autocomplete: 'off'});
  const list = h('ol', {class: 'events', reversed: true});
  const note = h('p', {class: 'muted', 'aria-live': 'polite'});
  const seen = new Set();

  function matches(e) {
    const t = e.metadata.type;
    if (type.value ? t !== type.value : t === 'VehicleStateRecorded') return false;
    const id = vehicle.value.trim();
    return !id || e.data?.vehicle_id === id;
  }

  function item(e) {
    const d = e.data || {};
    const what = d.status ? `${words(d.command)}: ${d.status}` : d.reasons ? d.reasons.map(words).join(', ')
      : d.state ? Object.keys(d.state).map(words).join(', ') : '';
    return h('li', {'data-type': e.metadata.type},
      h('time', {datetime: e.metadata.occurred_at, text: time(e.metadata.occurred_at)}), ' ',
      h('strong', {text: e.metadata.type}), ' ',
      d.vehicle_id ? h('a', {href: `#/vehicles/${encodeURIComponent(d.vehicle_id)}`, text: d.vehicle_id}) : null,
      what ? h('span', {class: 'muted', text: ` ${what}`}) : null);
  }

  function prepend(e) {
    const id = e.metadata.message_id;
    if (seen.has(id) || !matches(e)) return;
    seen.add(id);
    list.prepend(item(e));
    while (list.children.length > MAX) list.lastChild.remove();
  }

  async function load() {
    list.textContent = '';
    seen.clear();
    const params = {limit: 100, vehicle_id: vehicle.value.trim()};
    params.types = type.value || EVENT_TYPES.filter((t) => t !== 'VehicleStateRecorded').join(',');
    if (type.value === 'VehicleStateRecorded') {
      note.textContent = 'Recorded states are not kept in the event log: showing live ones only.';
      return;
    }
    try {
      const page = await api.get('/events' + api.query(params));
      api.clearError();
      note.textContent = page.items.length ? '' : 'No stored events match: new ones appear here as they happen.';
      for (const e of page.items.slice().reverse()) prepend(e);
    } catch (err) {
      if (err.status === 404) note.textContent = 'This gateway keeps no event log: showing live events only.';
      else api.showError(err);
    }
  }

  type.addEventListener('change', load);
  root.append(h('h1', {text: 'Events'}),
    h('form', {class: 'filters', onsubmit: (e) => {
      e.preventDefault();
      load();
    }}, field('Type', type), field('Vehicle', vehicle), h('button', {type: 'submit', text: 'Filter'})),
    note, list);
  await load();
  return subscribe(prepend);
}
