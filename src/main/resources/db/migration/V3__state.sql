-- State history and latest state (pg-state). No foreign keys to other migrations' tables.

-- One row per applied frame. The identity id orders a vehicle's history (newest first = id descending) and
-- is the keyset of GET /vehicles/{id}/states; rows are inserted in arrival order, one batch at a time.
-- recorded_at: epoch milliseconds (the gateway's clock when it applied the frame).
-- readings: the applied readings in the compact binary form of PgReadingCodec (property id, capture time,
-- value), not jsonb: encoding and inserting it is the ingest hot path.
CREATE TABLE state_history (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  vehicle_id  text   NOT NULL,
  recorded_at bigint NOT NULL,
  readings    bytea  NOT NULL
);

-- A vehicle's history page and the purge of a vehicle. Retention walks the primary key (oldest ids first),
-- so recorded_at needs no index of its own.
CREATE INDEX state_history_vehicle_id ON state_history (vehicle_id, id);

-- The latest state of each vehicle, written behind (coalesced per vehicle, at most db.writeBehindMs late).
-- readings: every held property (PgReadingCodec); life status and last contact in epoch milliseconds,
-- last_contact_at 0 = the unit never spoke.
CREATE TABLE latest_state (
  vehicle_id        text    PRIMARY KEY,
  readings          bytea   NOT NULL,
  online            boolean NOT NULL,
  life_modified_at  bigint  NOT NULL,
  last_contact_at   bigint  NOT NULL DEFAULT 0
);
