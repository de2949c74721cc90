import * as api from '../api.js';
import {field, h} from '../dom.js';

/** Fields "Client ID" and "Client secret", button "Sign in"; the secret is dropped once the token is issued. */
export function renderSignIn(root, done) {
  root.textContent = '';
  const id = h('input', {name: 'client_id', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false'});
  const secret = h('input', {name: 'client_secret', type: 'password', autocomplete: 'current-password', required: true});
  const button = h('button', {type: 'submit', text: 'Sign in'});
  const form = h('form', {class: 'signin', onsubmit: async (e) => {
    e.preventDefault();
    performance.mark('fleetgate:sign-in');
    button.disabled = true;
    try {
      await api.signIn(id.value.trim(), secret.value);
      secret.value = '';
      api.clearError();
      done();
    } catch (err) {
      api.showError(err);
      secret.select();
    } finally {
      button.disabled = false;
    }
  }},
  h('h1', {text: 'Sign in to fleetgate'}),
  h('p', {text: 'Sign in as an API client of your fleet.'}),
  field('Client ID', id), field('Client secret', secret), button);
  root.append(form);
  id.focus();
  performance.mark('fleetgate:sign-in-ready');
}
