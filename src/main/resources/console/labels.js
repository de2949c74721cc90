// Words for the API's enumerations.

/** LOCK_CENTRAL_LOCK → "Lock central lock". */
export function words(name) {
  const s = String(name || '').toLowerCase().replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** LOCK_CENTRAL_LOCK → "lock-central-lock" (the command's path segment). */
export function kebab(name) {
  return String(name).toLowerCase().replace(/_/g, '-');
}

export const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'REJECTED', 'EXPIRED', 'CANCELED', 'TIMEOUT']);

export const EVENT_TYPES = ['VehicleChanged', 'VehicleAdded', 'VehicleRemoved', 'VehicleCommandStatusChanged',
  'VehicleStateRecorded'];

export const OPERATION_STATUSES = ['OPERATING', 'GARAGE', 'MAINTENANCE', 'OUT_OF_SERVICE'];

export function sharingText(s) {
  if (!s) return 'Not shared';
  if (s.status === 'SHARED_PARTNER_VEHICLE') return `Shared with me by ${s.owner?.name || s.owner?.fleet_id}`;
  if (s.status === 'SHARING_SCHEDULED') return `Scheduled for ${s.partner?.name || s.partner?.fleet_id}`;
  return `Shared with ${s.partner?.name || s.partner?.fleet_id}`;
}
