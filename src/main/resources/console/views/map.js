// Every visible vehicle with a position, moving live. Without a tile server the markers stand on a drawn
// coordinate grid (works offline, sends positions nowhere); console.tileUrl adds a base map. Markers are SVG
// circles with the vehicle id as their accessible name; no HTML strings reach Leaflet.
import * as api from '../api.js';
import {h} from '../dom.js';
import {subscribe} from '../stream.js';

let settings = null;

async function loadSettings() {
  if (!settings) settings = await api.get('/console/settings.json');
  return settings;
}

async function allVehicles() {
  const out = [];
  let path = '/vehicles?limit=500';
  for (let i = 0; i < 20 && path; i++) {
    const page = await api.get(path);
    out.push(...page.items);
    path = page.cursors?.next ? `/vehicles?cursor=${encodeURIComponent(page.cursors.next)}` : null;
  }
  return out;
}

function position(v) {
  const p = v.latest_state?.position?.value;
  return p && typeof p.lat === 'number' && typeof p.lon === 'number' ? [p.lat, p.lon] : null;
}

export async function render(root) {
  const L = window.L;
  const container = h('div', {id: 'map', class: 'map', role: 'region', 'aria-label': 'Map of vehicles'});
  const summary = h('p', {class: 'muted', 'aria-live': 'polite'});
  root.append(h('h1', {text: 'Map'}), summary, container);
  const [cfg, vehicles] = await Promise.all([loadSettings(), allVehicles()]);
  const map = L.map(container, {attributionControl: false, zoomSnap: 0.25, keyboard: true});
  if (cfg.tile_url) {
    L.tileLayer(cfg.tile_url, {maxZoom: 19}).addTo(map);
    if (cfg.tile_attribution) {
      const attribution = L.control({position: 'bottomright'});
      attribution.onAdd = () => h('div', {class: 'leaflet-control-attribution', text: cfg.tile_attribution});
      attribution.addTo(map);
    }
  }
  L.control.scale().addTo(map);
  const markers = new Map();
  const grid = L.layerGroup().addTo(map);

  function add(v, latlng) {
    const m = L.circleMarker(latlng, {radius: 8, weight: 2, className: `vehicle ${(v.life_status?.value || '').toLowerCase()}`,
      bubblingMouseEvents: false}).addTo(map);
    const el = m.getElement();
    el.setAttribute('role', 'link');
    el.setAttribute('tabindex', '0');
    el.setAttribute('aria-label', `Vehicle ${v.id}${v.master_data?.license_plate ? `, ${v.master_data.license_plate}` : ''}`);
    el.dataset.vehicle = v.id;
    const open = () => {
      location.hash = `#/vehicles/${encodeURIComponent(v.id)}`;
    };
    m.on('click', open);
    el.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        open();
      }
    });
    markers.set(v.id, m);
  }

  // the view first: a map without one has no renderer yet, and markers would have no SVG element
  const placed = vehicles.map((v) => [v, position(v)]).filter(([, p]) => p);
  if (placed.length) map.fitBounds(L.latLngBounds(placed.map(([, p]) => p)).pad(0.2), {maxZoom: 16});
  else map.setView([52.52, 13.405], 11);
  for (const [v, p] of placed) add(v, p);
  summary.textContent = `${markers.size} of ${vehicles.length} vehicles have a position.`;

  // a grid of lines at a round step that gives a handful of lines across the view
  function drawGrid() {
    grid.clearLayers();
    const b = map.getBounds();
    const span = Math.max(b.getNorth() - b.getSouth(), b.getEast() - b.getWest());
    const step = [10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001].find((s) => span / s >= 4) || 0.001;
    const style = {color: '#8888', weight: 1, interactive: false};
    for (let lat = Math.floor(b.getSouth() / step) * step; lat <= b.getNorth(); lat += step) {
      grid.addLayer(L.polyline([[lat, b.getWest() - span], [lat, b.getEast() + span]], style));
    }
    for (let lon = Math.floor(b.getWest() / step) * step; lon <= b.getEast(); lon += step) {
      grid.addLayer(L.polyline([[b.getSouth() - span, lon], [b.getNorth() + span, lon]], style));
    }
  }
  if (!cfg.tile_url) {
    map.on('moveend', drawGrid);
    drawGrid();
  }

  const unsubscribe = subscribe((e) => {
    const d = e.data || {};
    if (e.metadata.type !== 'VehicleStateRecorded' || !d.state?.position) return;
    const p = d.state.position.value;
    if (!p) return;
    const m = markers.get(d.vehicle_id);
    if (m) m.setLatLng([p.lat, p.lon]);
    else add({id: d.vehicle_id}, [p.lat, p.lon]); // its first position since the page opened
  });
  return () => {
    unsubscribe();
    map.remove();
  };
}
