// Partners, invitation codes, and the vehicles shared by and with this fleet.
import * as api from '../api.js';
import {field, h, row, table, time} from '../dom.js';

export async function render(root) {
  const partnersBody = h('tbody');
  const byMeBody = h('tbody');
  const withMeBody = h('tbody');
  const code = h('div', {class: 'secret', role: 'status'});
  const redeemInput = h('input', {name: 'invitation_code', autocomplete: 'off', spellcheck: 'false', required: true});
  const done = h('p', {role: 'status', class: 'muted'});

  async function load() {
    const [partners, byMe, withMe] = await Promise.all([
      api.attempt(() => api.get('/sharing-partners?limit=100')),
      api.attempt(() => api.get('/vehicles?sharing=shared_by_me&limit=100')),
      api.attempt(() => api.get('/vehicles?sharing=shared_with_me&limit=100'))]);
    partnersBody.textContent = '';
    for (const p of partners?.items || []) {
      partnersBody.append(row([p.name || p.fleet_id, p.fleet_id, time(p.since),
        h('button', {type: 'button', class: 'secondary', text: 'End partnership', onclick: () =>
          act(() => api.del(`/sharing-partners/${encodeURIComponent(p.fleet_id)}`), `Partnership with ${p.fleet_id} ended.`)})]));
    }
    if (!partners?.items?.length) partnersBody.append(row(['No partners yet', '', '', '']));
    fill(byMeBody, byMe, (v) => v.sharing?.partner, (v) => `/vehicles/${encodeURIComponent(v.id)}/sharing`);
    fill(withMeBody, withMe, (v) => v.sharing?.owner, (v) => `/vehicles/${encodeURIComponent(v.id)}/sharing/partner`);
  }

  function fill(body, page, other, endPath) {
    body.textContent = '';
    for (const v of page?.items || []) {
      const s = v.sharing || {};
      const fleet = other(v) || {};
      body.append(row([h('a', {href: `#/vehicles/${encodeURIComponent(v.id)}`, text: v.id}),
        fleet.name || fleet.fleet_id || '—', time(s.starts_at), s.ends_at ? time(s.ends_at) : 'Until ended',
        h('button', {type: 'button', class: 'secondary', text: 'End sharing', onclick: () =>
          act(() => api.del(endPath(v)), `Sharing of ${v.id} ended.`)})]));
    }
    if (!page?.items?.length) body.append(row(['None', '', '', '', '']));
  }

  async function act(action, message) {
    const ok = await api.attempt(async () => {
      await action();
      return true;
    });
    if (ok) {
      api.clearError();
      done.textContent = message;
      await load();
    }
  }

  root.append(h('h1', {text: 'Sharing'}), done,
    h('section', {'aria-labelledby': 'partners-h'}, h('h2', {id: 'partners-h', text: 'Partners'}),
      h('div', {class: 'scroll'}, table(null, ['Partner', 'Fleet ID', 'Since', 'Action'], partnersBody)),
      h('div', {class: 'buttons'}, h('button', {type: 'button', text: 'Create invitation code', onclick: async () => {
        const inv = await api.attempt(() => api.post('/sharing-partners/invitations', {}));
        code.textContent = '';
        if (inv) {
          code.append('Invitation code (shown once): ', h('code', {text: inv.code}), ` — expires ${time(inv.expires_at)}`);
        }
      }})), code,
      h('form', {class: 'grid-form', onsubmit: (e) => {
        e.preventDefault();
        act(() => api.post('/sharing-partners', {invitation_code: redeemInput.value.trim()}), 'Invitation redeemed.')
          .then(() => {
            redeemInput.value = '';
          });
      }}, field('Invitation code', redeemInput), h('button', {type: 'submit', text: 'Redeem invitation code'}))),
    h('section', {'aria-labelledby': 'byme-h'}, h('h2', {id: 'byme-h', text: 'Shared by me'}),
      h('div', {class: 'scroll'}, table(null, ['Vehicle', 'Partner', 'Starts', 'Ends', 'Action'], byMeBody))),
    h('section', {'aria-labelledby': 'withme-h'}, h('h2', {id: 'withme-h', text: 'Shared with me'}),
      h('div', {class: 'scroll'}, table(null, ['Vehicle', 'Owner', 'Starts', 'Ends', 'Action'], withMeBody))));
  await load();
}
