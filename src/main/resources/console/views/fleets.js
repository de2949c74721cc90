// Platform administration: fleets (create, rename), their API clients (create with the secret shown once,
// delete) and partnerships.
import * as api from '../api.js';
import {field, h, row, table, time} from '../dom.js';

const PERMISSIONS = ['vehicles', 'vehicles.ro', 'vehicle-commands', 'vehicle-lifecycle', 'fleetshare', 'events'];

export async function render(root) {
  const body = h('tbody');
  const done = h('p', {role: 'status', class: 'muted'});
  const id = h('input', {name: 'fleet_id', required: true, maxlength: 64, autocomplete: 'off'});
  const name = h('input', {name: 'name', required: true, maxlength: 200});
  const a = h('input', {name: 'fleet_a', required: true, autocomplete: 'off'});
  const b = h('input', {name: 'fleet_b', required: true, autocomplete: 'off'});

  async function load() {
    const page = await api.attempt(() => api.get('/fleets?limit=500'));
    body.textContent = '';
    for (const f of page?.items || []) {
      body.append(row([h('a', {href: `#/fleets/${encodeURIComponent(f.fleet_id)}`, text: f.fleet_id}), f.name, time(f.created_at)]));
    }
  }

  async function partnership(method) {
    const ok = await api.attempt(async () => {
      if (method === 'POST') await api.post('/partnerships', {fleet_ids: [a.value.trim(), b.value.trim()]});
      else await api.del(`/partnerships/${encodeURIComponent(a.value.trim())}/${encodeURIComponent(b.value.trim())}`);
      return true;
    });
    if (ok) {
      api.clearError();
      done.textContent = method === 'POST' ? 'Partnership created.' : 'Partnership ended.';
    }
  }

  root.append(h('h1', {text: 'Fleets'}), done,
    h('form', {class: 'grid-form', onsubmit: async (e) => {
      e.preventDefault();
      const f = await api.attempt(() => api.post('/fleets', {fleet_id: id.value.trim(), name: name.value.trim()}));
      if (f) {
        api.clearError();
        done.textContent = `Fleet ${f.fleet_id} created.`;
        id.value = '';
        name.value = '';
        await load();
      }
    }}, h('h2', {text: 'New fleet'}), field('Fleet ID', id), field('Name', name),
    h('button', {type: 'submit', text: 'Create fleet'})),
    h('div', {class: 'scroll'}, table('Fleets', ['Fleet', 'Name', 'Created'], body)),
    h('form', {class: 'grid-form', onsubmit: (e) => {
      e.preventDefault();
      partnership('POST');
    }}, h('h2', {text: 'Partnerships'}), field('First fleet', a), field('Second fleet', b),
    h('button', {type: 'submit', text: 'Create partnership'}),
    h('button', {type: 'button', class: 'secondary', text: 'End partnership', onclick: () => partnership('DELETE')})));
  await load();
}

export async function renderFleet(root, fleetId) {
  const path = `/fleets/${encodeURIComponent(fleetId)}`;
  const fleet = await api.get(path);
  const heading = h('h1', {text: `Fleet ${fleet.fleet_id}`});
  const done = h('p', {role: 'status', class: 'muted'});
  const secret = h('div', {class: 'secret', role: 'status'});
  const body = h('tbody');
  const rename = h('input', {name: 'name', required: true, maxlength: 200, value: fleet.name});
  const clientName = h('input', {name: 'client_name', required: true, maxlength: 200});
  const boxes = PERMISSIONS.map((p) => h('label', {class: 'check'}, h('input', {type: 'checkbox', value: p,
    checked: p === 'vehicles' || p === 'vehicle-commands' || p === 'events'}), ` ${p}`));

  async function load() {
    const page = await api.attempt(() => api.get(`${path}/api-clients?limit=500`));
    body.textContent = '';
    for (const c of page?.items || []) {
      body.append(row([c.client_id, c.name, (c.permissions || []).join(', '), time(c.created_at),
        h('button', {type: 'button', class: 'secondary', text: 'Delete', 'aria-label': `Delete ${c.client_id}`, onclick: async () => {
          const ok = await api.attempt(() => api.del(`${path}/api-clients/${encodeURIComponent(c.client_id)}`).then(() => true));
          if (ok) {
            done.textContent = `Client ${c.client_id} deleted.`;
            await load();
          }
        }})]));
    }
    if (!page?.items?.length) body.append(row(['No API clients', '', '', '', '']));
  }

  root.append(h('p', {}, h('a', {href: '#/fleets', text: 'All fleets'})), heading, done,
    h('form', {class: 'grid-form', onsubmit: async (e) => {
      e.preventDefault();
      const f = await api.attempt(() => api.call('PATCH', path, {name: rename.value.trim()}));
      if (f) {
        api.clearError();
        done.textContent = `Renamed to ${f.name}.`;
      }
    }}, field('Name', rename), h('button', {type: 'submit', text: 'Rename'})),
    h('section', {'aria-labelledby': 'clients-h'}, h('h2', {id: 'clients-h', text: 'API clients'}),
      h('div', {class: 'scroll'}, table(null, ['Client ID', 'Name', 'Permissions', 'Created', 'Action'], body)),
      h('form', {class: 'grid-form', onsubmit: async (e) => {
        e.preventDefault();
        const permissions = boxes.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
        const c = await api.attempt(() => api.post(`${path}/api-clients`, {name: clientName.value.trim(), permissions}));
        secret.textContent = '';
        if (c) {
          api.clearError();
          secret.append('Client ', h('code', {text: c.client_id}), ' created. Its secret is shown only now: ',
            h('code', {class: 'client-secret', text: c.client_secret}));
          clientName.value = '';
          await load();
        }
      }}, h('h3', {text: 'New API client'}), field('Client name', clientName),
      h('fieldset', {}, h('legend', {text: 'Permissions'}), boxes),
      h('button', {type: 'submit', text: 'Create API client'})), secret));
  await load();
}
