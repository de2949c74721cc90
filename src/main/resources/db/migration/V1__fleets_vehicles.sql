-- Fleets, API clients, vehicles, telematics units and the vehicle archive (store/pg PgFleetStore, PgVehicleStore).
-- Nested data (master data, custom fields, tags, capabilities) is jsonb; what is constrained has columns.

CREATE TABLE fleets (
  id          text        PRIMARY KEY,
  name        text        NOT NULL,
  created_at  timestamptz NOT NULL,
  modified_at timestamptz NOT NULL
);

-- fleet_id null: a platform client. The secret is kept only as its Argon2id hash.
CREATE TABLE api_clients (
  client_id   text        PRIMARY KEY,
  fleet_id    text,
  name        text        NOT NULL,
  permissions text[]      NOT NULL,
  secret_hash text        NOT NULL,
  created_at  timestamptz NOT NULL
);

-- Every vehicle id ever handed out, with its creation sequence: a row is never deleted, so an id is never
-- reused (not even after a purge) and the sequence continues above every one ever used.
CREATE TABLE vehicle_ids (
  id  text   PRIMARY KEY,
  seq bigint NOT NULL
);

-- Active vehicles (archived_at null) and archived ones; a purge deletes the row (its id stays in vehicle_ids).
CREATE TABLE vehicles (
  id                           text        PRIMARY KEY,
  seq                          bigint      NOT NULL,
  fleet_id                     text        NOT NULL,
  unit_id                      text        NOT NULL,
  created_at                   timestamptz NOT NULL,
  modified_at                  timestamptz NOT NULL,
  attached_at                  timestamptz,
  master_data                  jsonb       NOT NULL,
  -- [[key, value], ...]: a JSON array keeps the order the fields were given in
  custom_fields                jsonb       NOT NULL,
  tags                         jsonb       NOT NULL,
  operation_status             text        NOT NULL,
  operation_status_modified_at timestamptz,
  -- {"commands": [...], "vehicle_state": [...]}
  capabilities                 jsonb       NOT NULL,
  archived_at                  timestamptz,
  -- the order of archiving (archived_at alone can tie within a millisecond)
  archive_order                bigint
);

CREATE SEQUENCE vehicle_archive_order;
CREATE INDEX vehicles_archive_order ON vehicles (archive_order) WHERE archived_at IS NOT NULL;

-- One unit per vehicle, keyed by its vehicle: an archived vehicle keeps its unit (with its password hash) while
-- the unit id is free for another active vehicle; only active units' ids are unique.
CREATE TABLE telematics_units (
  vehicle_id         text        PRIMARY KEY REFERENCES vehicles (id) ON DELETE CASCADE,
  id                 text        NOT NULL,
  brand              text,
  model              text,
  manufacturer       text,
  type               text,
  fleet_id           text        NOT NULL,
  password_hash      text        NOT NULL,
  credential_version bigint      NOT NULL,
  created_at         timestamptz NOT NULL,
  modified_at        timestamptz NOT NULL,
  archived           boolean     NOT NULL DEFAULT false
);

CREATE UNIQUE INDEX telematics_units_active_id ON telematics_units (id) WHERE NOT archived;
