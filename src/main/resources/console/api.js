// The API client: the bearer token lives in this module only (never in storage, a cookie or a URL), so a
// reload asks to sign in again. Every failure becomes an ApiError carrying the problem JSON.

let session = null;
const expiredListeners = [];

export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

export function current() {
  return session;
}

export function isAdmin() {
  return !!session && session.scope.includes('admin');
}

export function onExpired(fn) {
  expiredListeners.push(fn);
}

export function signOut() {
  session = null;
}

/** The token expired or was refused: forget it and let the shell ask to sign in again. */
export function expire() {
  session = null;
  expiredListeners.forEach((fn) => fn());
}

/** The claims of our own token, for display only (the server checks it). */
function claims(token) {
  const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(part + '='.repeat((4 - part.length % 4) % 4)));
}

/** POST /auth/oauth/token with the credentials in the form body (no Basic header, so no browser dialog). */
export async function signIn(clientId, clientSecret) {
  const body = new URLSearchParams({grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret});
  const res = await fetch('/auth/oauth/token', {method: 'POST', body, credentials: 'omit'});
  if (!res.ok) throw await failure(res);
  const answer = await res.json();
  const c = claims(answer.access_token);
  session = {token: answer.access_token, clientId: c.sub, fleetId: c.fleet_id || null,
    scope: String(answer.scope || c.scope || '').split(' '), expiresAt: Date.now() + answer.expires_in * 1000};
  return session;
}

async function failure(res) {
  let problem;
  try {
    problem = await res.json();
  } catch (e) {
    problem = {title: `HTTP ${res.status}`, detail: res.statusText};
  }
  const retry = res.headers.get('Retry-After');
  return new ApiError(res.status, problem, retry === null ? null : Number(retry));
}

export function authHeader() {
  return session ? {Authorization: `Bearer ${session.token}`} : {};
}

/** A call with the token; JSON in and out. A 401 means the token expired or was revoked: sign in again. */
export async function call(method, path, body, extraHeaders) {
  const headers = {...authHeader(), Accept: 'application/json', ...(extraHeaders || {})};
  const init = {method, headers, credentials: 'omit'};
  if (body !== undefined) {
    headers['Content-Type'] = headers['Content-Type'] || 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 401 && session) expire();
  if (!res.ok) throw await failure(res);
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  return type.includes('json') ? res.json() : null;
}

export const get = (path) => call('GET', path);
export const post = (path, body, headers) => call('POST', path, body === undefined ? {} : body, headers);
export const patch = (path, body) => call('PATCH', path, body, {'Content-Type': 'application/merge-patch+json'});
export const del = (path) => call('DELETE', path);

/** A query string of the non-empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Shows a failure in the page's alert region: the problem's title and detail, and for a 429 when to retry. */
export function showError(err) {
  const box = document.getElementById('alert');
  box.textContent = '';
  if (!err) return;
  const p = err.problem || {title: 'Error', detail: String(err.message || err)};
  const title = document.createElement('strong');
  title.textContent = p.title || 'Error';
  box.append(title);
  if (p.detail) box.append(document.createTextNode(`: ${p.detail}`));
  if (err.status === 429) {
    const wait = err.retryAfter ?? 1;
    box.append(document.createTextNode(` Try again in ${wait} second${wait === 1 ? '' : 's'}.`));
  }
  box.classList.add('shown');
}

export function clearError() {
  const box = document.getElementById('alert');
  box.textContent = '';
  box.classList.remove('shown');
}

/** Runs an action, showing its failure; returns its result or undefined. */
export async function attempt(action) {
  try {
    const r = await action();
    return r;
  } catch (e) {
    showError(e);
    return undefined;
  }
}
