-- The fleets' event log (GET /events, the resume of an event stream): every event a fleet received except
-- VehicleStateRecorded, as the envelope it received. No foreign keys to other migrations' tables.
-- message_id: the ULID of the envelope, ordered like the publication on one node; the keyset of the listing.
-- occurred_at: epoch milliseconds (the envelope's occurred_at), what retention (events.logRetentionDays) and
-- the from/to filters compare.
CREATE TABLE event_log (
  fleet_id    text   NOT NULL,
  message_id  text   NOT NULL,
  type        text   NOT NULL,
  vehicle_id  text,
  occurred_at bigint NOT NULL,
  envelope    text   NOT NULL,
  PRIMARY KEY (fleet_id, message_id)
);

-- A fleet's log newest first is the primary key read backwards; this one is for the hourly retention delete.
CREATE INDEX event_log_occurred_at ON event_log (occurred_at);
