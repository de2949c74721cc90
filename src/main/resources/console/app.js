// The console's shell: hash routes (#/vehicles/JQ7RP: ids only, never a secret), the navigation, and the
// sign-in that a missing or expired token leads to. Each view renders into <main> and returns a clean-up.
import * as api from './api.js';
import * as stream from './stream.js';
import {renderNav} from './views/nav.js';
import {renderSignIn} from './views/signin.js';
import * as vehicles from './views/vehicles.js';
import * as vehicle from './views/vehicle.js';
import * as map from './views/map.js';
import * as sharing from './views/sharing.js';
import * as archive from './views/archive.js';
import * as events from './views/events.js';
import * as fleets from './views/fleets.js';

const main = document.getElementById('main');
const top = document.getElementById('top');
let cleanup = null;

const routes = [
  [/^#\/vehicles\/([^/]+)$/, vehicle.render],
  [/^#\/vehicles$/, vehicles.render],
  [/^#\/map$/, map.render],
  [/^#\/sharing$/, sharing.render],
  [/^#\/archive$/, archive.render],
  [/^#\/events$/, events.render],
  [/^#\/fleets\/([^/]+)$/, fleets.renderFleet],
  [/^#\/fleets$/, fleets.render],
];

function defaultRoute() {
  return api.isAdmin() && !api.current().fleetId ? '#/fleets' : '#/vehicles';
}

async function route() {
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  api.clearError();
  if (!api.current()) {
    top.textContent = '';
    renderSignIn(main, signedIn);
    return;
  }
  const hash = location.hash || '';
  const found = routes.find(([re]) => re.test(hash));
  if (!found) {
    location.replace(defaultRoute());
    return;
  }
  renderNav(top, hash, signOut);
  main.textContent = '';
  const args = hash.match(found[0]).slice(1).map(decodeURIComponent);
  try {
    cleanup = (await found[1](main, ...args)) || null;
  } catch (e) {
    api.showError(e);
  }
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

let expiry = null;

function signedIn() {
  if (api.current().scope.includes('events')) stream.start();
  // the token cannot be refreshed (client credentials): when it runs out, ask again on the same page
  clearTimeout(expiry);
  const session = api.current();
  expiry = setTimeout(() => {
    if (api.current() === session) api.expire();
  }, Math.max(0, session.expiresAt - Date.now() - 5000));
  if (!location.hash || location.hash === '#/') location.replace(defaultRoute());
  else route();
}

function signOut() {
  clearTimeout(expiry);
  stream.stop();
  api.signOut();
  location.hash = '';
  route();
}

api.onExpired(() => {
  // keep the hash: after signing in again the same page comes back
  stream.stop();
  route().then(() => api.showError({problem: {title: 'Signed out', detail: 'the session has ended: sign in again'}}));
});

window.addEventListener('hashchange', route);
route();
