// One vehicle: details, latest state (live), commands with their status as it changes, recent commands and
// states, editing (owner only) and sharing.
import * as api from '../api.js';
import {field, h, row, select, table, text, time} from '../dom.js';
import {kebab, OPERATION_STATUSES, sharingText, TERMINAL, words} from '../labels.js';
import {subscribe} from '../stream.js';

export async function render(root, id) {
  const path = `/vehicles/${encodeURIComponent(id)}`;
  let v = await api.get(path);
  const state = {...(v.latest_state || {})};
  const heading = h('h1', {text: `Vehicle ${v.id}`});
  const details = h('section', {'aria-labelledby': 'details-h'});
  const stateBody = h('tbody');
  const commandStatus = h('p', {class: 'command-status', role: 'status'});
  const commandsBody = h('tbody');
  const statesBody = h('tbody');
  const edit = h('section', {'aria-labelledby': 'edit-h'});
  const share = h('section', {'aria-labelledby': 'share-h'});
  const watched = new Map(); // command_id → label

  function partner() {
    return v.sharing?.status === 'SHARED_PARTNER_VEHICLE';
  }

  function renderDetails() {
    const md = v.master_data || {};
    const unit = v.telematics_unit || {};
    const entries = [
      ['Custom name', md.custom_name], ['License plate', md.license_plate], ['VIN', md.vin],
      ['Brand and model', [md.brand, md.model].filter(Boolean).join(' ')], ['Vehicle type', md.vehicle_type],
      ['Fuel type', md.fuel_type], ['Remark', md.remark],
      ['Life status', words(v.life_status?.value)], ['Operation status', words(v.operation_status?.value)],
      ['Sharing', sharingText(v.sharing)], ['Last contact', time(v.last_contact_at)],
      ['Tags', (v.tags || []).join(', ')], ['Custom fields', text(v.custom_fields || {})],
      ['Telematics unit', [unit.id, unit.brand, unit.model, unit.type].filter(Boolean).join(' · ')],
      ['Capabilities', (v.capabilities?.vehicle_state || []).map(words).join(', ')],
    ];
    details.textContent = '';
    details.append(h('h2', {id: 'details-h', text: 'Details'}),
      h('dl', {class: 'details'}, entries.map(([k, val]) => [h('dt', {text: k}), h('dd', {text: val || '—'})])));
  }

  function renderState() {
    stateBody.textContent = '';
    const names = Object.keys(state).sort();
    if (!names.length) stateBody.append(row(['No state reported yet', '', '']));
    for (const name of names) stateBody.append(row([words(name), text(state[name].value), time(state[name].timestamp)]));
  }

  async function loadCommands() {
    const page = await api.attempt(() => api.get(`${path}/commands?limit=10`));
    if (!page) return;
    commandsBody.textContent = '';
    for (const c of page.items) {
      commandsBody.append(row([words(c.command), c.status, time(c.created_at), c.issued_by?.client_id || '—']));
    }
    if (!page.items.length) commandsBody.append(row(['No commands yet', '', '', '']));
  }

  async function loadStates() {
    const page = await api.attempt(() => api.get(`${path}/states?limit=10`));
    if (!page) return;
    statesBody.textContent = '';
    for (const s of page.items) statesBody.append(row([time(s.recorded_at), text(Object.fromEntries(
      Object.entries(s.state || {}).map(([k, x]) => [k, x && typeof x === 'object' && 'value' in x ? x.value : x])))]));
    if (!page.items.length) statesBody.append(row(['No recorded states', '']));
  }

  function showStatus(label, status, detail) {
    commandStatus.textContent = `${label}: ${status}${detail ? ` (${detail})` : ''}`;
    commandStatus.dataset.status = status;
  }

  async function send(name) {
    const label = words(name);
    api.clearError();
    if (v.life_status?.value !== 'ONLINE') {
      commandStatus.textContent = '';
      commandStatus.append(`${label}: the unit is offline. `,
        h('button', {type: 'button', text: `Queue "${label}" until the unit connects`, onclick: () => queue(name)}));
      commandStatus.querySelector('button').focus();
      return;
    }
    await queue(name);
  }

  async function queue(name) {
    const label = words(name);
    showStatus(label, 'SENDING');
    const c = await api.attempt(() => api.post(`${path}/commands/${kebab(name)}`, {}, {Prefer: 'respond-async'}));
    if (!c) {
      commandStatus.textContent = '';
      return;
    }
    watched.set(c.command_id, label);
    showStatus(label, c.status, c.detail);
    loadCommands();
    poll(c.command_id, label);
  }

  // the event stream reports every change; polling covers a stream that is reconnecting
  async function poll(commandId, label) {
    for (let i = 0; i < 200 && watched.has(commandId); i++) {
      await new Promise((r) => setTimeout(r, 1500));
      if (!watched.has(commandId) || !root.isConnected) return;
      try {
        const c = await api.get(`${path}/commands/${encodeURIComponent(commandId)}`);
        if (watched.has(commandId)) update(commandId, c.status, c.detail);
      } catch (e) {
        return;
      }
    }
  }

  function update(commandId, status, detail) {
    const label = watched.get(commandId);
    if (!label) return;
    if (commandStatus.dataset.status !== status) {
      showStatus(label, status, detail);
      loadCommands();
    }
    if (TERMINAL.has(status)) watched.delete(commandId);
  }

  function renderEdit() {
    edit.textContent = '';
    if (partner()) return;
    const md = v.master_data || {};
    const plate = h('input', {name: 'license_plate', maxlength: 30, value: md.license_plate || ''});
    const name = h('input', {name: 'custom_name', maxlength: 100, value: md.custom_name || ''});
    const remark = h('input', {name: 'remark', maxlength: 500, value: md.remark || ''});
    const tags = h('input', {name: 'tags', value: (v.tags || []).join(', ')});
    const op = select(OPERATION_STATUSES.map((s) => [s, words(s)]), v.operation_status?.value);
    edit.append(h('h2', {id: 'edit-h', text: 'Edit'}), h('form', {class: 'grid-form', onsubmit: async (e) => {
      e.preventDefault();
      const updated = await api.attempt(() => api.patch(path, {
        master_data: {license_plate: plate.value || null, custom_name: name.value || null, remark: remark.value || null},
        tags: tags.value.split(',').map((t) => t.trim()).filter(Boolean),
        operation_status: {value: op.value}}));
      if (updated) {
        v = updated;
        refresh('Saved.');
      }
    }}, field('License plate', plate), field('Custom name', name), field('Remark', remark), field('Tags', tags),
    field('Operation status', op), h('button', {type: 'submit', text: 'Save'})));
  }

  async function renderShare() {
    share.textContent = '';
    share.append(h('h2', {id: 'share-h', text: 'Sharing'}), h('p', {text: sharingText(v.sharing)}));
    if (v.sharing) {
      const s = v.sharing;
      share.append(h('p', {text: `From ${time(s.starts_at)} until ${s.ends_at ? time(s.ends_at) : 'ended by hand'}`}),
        h('button', {type: 'button', text: 'End sharing', onclick: async () => {
          const done = await api.attempt(() => api.del(partner() ? `${path}/sharing/partner` : `${path}/sharing`)
            .then(() => true));
          if (done && partner()) location.hash = '#/vehicles';
          else if (done) refresh('Sharing ended.');
        }}));
      return;
    }
    const partners = await api.attempt(() => api.get('/sharing-partners?limit=100'));
    const fleet = select([['', 'Choose a partner']].concat((partners?.items || []).map((p) => [p.fleet_id, p.name || p.fleet_id])), '');
    const starts = h('input', {type: 'datetime-local', name: 'starts_at'});
    const ends = h('input', {type: 'datetime-local', name: 'ends_at'});
    share.append(h('form', {class: 'grid-form', onsubmit: async (e) => {
      e.preventDefault();
      const body = {fleet_id: fleet.value};
      if (starts.value) body.starts_at = new Date(starts.value).toISOString();
      if (ends.value) body.ends_at = new Date(ends.value).toISOString();
      const updated = await api.attempt(() => api.post(`${path}/sharing`, body));
      if (updated) {
        v = updated;
        refresh('Shared.');
      }
    }}, field('Partner fleet', fleet), field('Starts at', starts), field('Ends at', ends),
    h('button', {type: 'submit', text: 'Share with partner'})));
  }

  const saved = h('p', {role: 'status', class: 'muted'});
  function refresh(message) {
    heading.textContent = `Vehicle ${v.id}`;
    renderDetails();
    renderEdit();
    renderShare();
    saved.textContent = message || '';
  }

  const commands = (v.capabilities?.commands || []).map((name) =>
    h('button', {type: 'button', 'data-command': name, text: words(name), onclick: () => send(name)}));
  root.append(heading, saved, details,
    h('section', {'aria-labelledby': 'state-h'}, h('h2', {id: 'state-h', text: 'Latest state'}),
      h('div', {class: 'scroll'}, table(null, ['Property', 'Value', 'Timestamp'], stateBody))),
    h('section', {'aria-labelledby': 'commands-h'}, h('h2', {id: 'commands-h', text: 'Commands'}),
      h('div', {class: 'buttons'}, commands.length ? commands : h('p', {text: 'This vehicle takes no commands.'})),
      commandStatus,
      h('div', {class: 'scroll'}, table('Recent commands', ['Command', 'Status', 'Sent', 'Sent by'], commandsBody))),
    h('section', {'aria-labelledby': 'states-h'}, h('h2', {id: 'states-h', text: 'Recent states'}),
      h('div', {class: 'scroll'}, table(null, ['Recorded', 'State'], statesBody))),
    edit, share);
  refresh();
  renderState();
  loadCommands();
  loadStates();

  const unsubscribe = subscribe((e) => {
    const d = e.data || {};
    if (d.vehicle_id !== v.id) return;
    if (e.metadata.type === 'VehicleStateRecorded') {
      Object.assign(state, d.state || {});
      renderState();
    } else if (e.metadata.type === 'VehicleChanged' && d.vehicle) {
      v = d.vehicle;
      if (!d.vehicle.sharing && d.reasons?.includes('SHARING_ENDED') && v.fleet_id !== api.current()?.fleetId) {
        location.hash = '#/vehicles';
        return;
      }
      // re-render only what changed, so that a life status change does not wipe an edit being typed
      const reasons = d.reasons || [];
      renderDetails();
      if (reasons.some((r) => r.startsWith('SHARING_'))) renderShare();
      if (reasons.includes('MASTER_DATA_CHANGED') || reasons.includes('OPERATION_STATUS_CHANGED')) renderEdit();
    } else if (e.metadata.type === 'VehicleCommandStatusChanged') {
      update(d.command_id, d.status, d.detail);
    } else if (e.metadata.type === 'VehicleRemoved') {
      location.hash = '#/archive';
    }
  });
  return () => {
    watched.clear();
    unsubscribe();
  };
}
