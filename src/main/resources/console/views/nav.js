import * as api from '../api.js';
import {h} from '../dom.js';

/** Links to every page (Fleets for a platform administrator), who is signed in, and "Sign out". */
export function renderNav(root, hash, signOut) {
  root.textContent = '';
  const s = api.current();
  const links = [['#/vehicles', 'Vehicles'], ['#/map', 'Map'], ['#/sharing', 'Sharing'], ['#/archive', 'Archive'],
    ['#/events', 'Events']];
  if (api.isAdmin()) links.push(['#/fleets', 'Fleets']);
  root.append(h('nav', {'aria-label': 'Console'},
    h('span', {class: 'brand', text: 'fleetgate'}),
    h('ul', {}, links.map(([href, text]) => h('li', {}, h('a', {href, text,
      'aria-current': hash === href || hash.startsWith(href + '/') ? 'page' : null})))),
    h('p', {class: 'who'}, 'Signed in as ', h('strong', {text: s.clientId}),
      s.fleetId ? [' of fleet ', h('strong', {text: s.fleetId})] : ' (platform)'),
    h('button', {type: 'button', class: 'secondary', onclick: signOut, text: 'Sign out'})));
}
