// The fleet's event stream, read with fetch (EventSource cannot send the Authorization header; a token in a
// URL would end up in logs). Reconnects with Last-Event-ID so that the gateway resends what was missed.
import {authHeader, current} from './api.js';

const listeners = new Set();
let controller = null;
let lastId = null;

export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function start() {
  stop();
  const c = new AbortController();
  controller = c;
  run(c);
}

export function stop() {
  if (controller) controller.abort();
  controller = null;
}

async function run(c) {
  let delay = 500;
  while (!c.signal.aborted && current()) {
    try {
      const headers = {...authHeader(), Accept: 'text/event-stream'};
      if (lastId) headers['Last-Event-ID'] = lastId;
      const res = await fetch('/events/stream', {headers, signal: c.signal, credentials: 'omit', cache: 'no-store'});
      if (res.ok && res.body) {
        delay = 500;
        await read(res.body.getReader());
      } else if (res.status === 401 || res.status === 403) {
        return; // signed out or no 'events' permission: the pages still work, without live updates
      }
    } catch (e) {
      if (c.signal.aborted) return;
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 15000);
  }
}

async function read(reader) {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = {data: []};
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, {stream: true});
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      if (line === '') {
        if (event.data.length) dispatch(event);
        event = {data: []};
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const name = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (name === 'data') event.data.push(val);
        else if (name === 'id') event.id = val;
        else if (name === 'event') event.type = val;
      }
    }
  }
}

function dispatch(event) {
  if (event.id) lastId = event.id;
  let envelope;
  try {
    envelope = JSON.parse(event.data.join('\n'));
  } catch (e) {
    return;
  }
  for (const fn of [...listeners]) {
    try {
      fn(envelope);
    } catch (e) {
      console.warn('event listener failed', e);
    }
  }
}
