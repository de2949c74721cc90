// Removed vehicles, restorable until their purge.
import * as api from '../api.js';
import {h, row, table, time} from '../dom.js';

export async function render(root) {
  const body = h('tbody');
  const done = h('p', {role: 'status', class: 'muted'});

  async function load() {
    const page = await api.attempt(() => api.get('/archived-vehicles?limit=100'));
    body.textContent = '';
    for (const v of page?.items || []) {
      body.append(row([v.id, v.master_data?.license_plate || '—', time(v.archived_at), time(v.expires_at),
        h('button', {type: 'button', class: 'secondary', text: 'Restore', onclick: async () => {
          const restored = await api.attempt(() => api.post(`/archived-vehicles/${encodeURIComponent(v.id)}/restore`, {}));
          if (restored) {
            api.clearError();
            done.textContent = '';
            done.append(`Vehicle ${restored.id} restored: `,
              h('a', {href: `#/vehicles/${encodeURIComponent(restored.id)}`, text: `open ${restored.id}`}));
            await load();
          }
        }})]));
    }
    if (!page?.items?.length) body.append(row(['The archive is empty', '', '', '', '']));
  }

  root.append(h('h1', {text: 'Archive'}), done,
    h('div', {class: 'scroll'}, table(null, ['Vehicle', 'License plate', 'Removed', 'Purged on', 'Action'], body)));
  await load();
}
