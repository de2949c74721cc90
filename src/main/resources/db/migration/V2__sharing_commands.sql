-- Partnerships, invitation codes, vehicle sharings and commands (queue and history).
-- No foreign keys to the fleet and vehicle tables: each store's schema stands on its own, the gateway keeps
-- them consistent (a fleet or vehicle is never deleted while it is partnered or shared).

-- Two fleets that may share vehicles; fleet_a is the lower id of the pair, so a pair has one row.
CREATE TABLE partnerships (
  fleet_a text        NOT NULL,
  fleet_b text        NOT NULL,
  seq     bigint      NOT NULL,
  since   timestamptz NOT NULL,
  PRIMARY KEY (fleet_a, fleet_b),
  CHECK (fleet_a < fleet_b)
);

-- Outstanding invitation codes, only as the SHA-256 of the code; id is the public handle.
CREATE TABLE invitations (
  code_hash  text        PRIMARY KEY,
  id         text        NOT NULL UNIQUE,
  fleet_id   text        NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX invitations_fleet ON invitations (fleet_id, created_at, id);
CREATE INDEX invitations_expiry ON invitations (expires_at);

-- At most one sharing per vehicle (the primary key arbitrates racing starts). Times in epoch ms, as the
-- domain keeps them; ends_at_ms NULL is an open end.
CREATE TABLE sharings (
  vehicle_id       text        PRIMARY KEY,
  id               bigint      NOT NULL UNIQUE,
  vehicle_seq      bigint      NOT NULL,
  owner_fleet_id   text        NOT NULL,
  partner_fleet_id text        NOT NULL,
  starts_at_ms     bigint      NOT NULL,
  ends_at_ms       bigint,
  started          boolean     NOT NULL,
  created_at       timestamptz NOT NULL
);

-- Commands: the durable queue (status QUEUED) and the bounded history per vehicle. A status change is a
-- compare-and-set on (status, updated_at).
CREATE TABLE commands (
  id         uuid        PRIMARY KEY,
  seq        bigint      NOT NULL UNIQUE,
  vehicle_id text        NOT NULL,
  client_id  text,
  fleet_id   text,
  name       text        NOT NULL,
  async      boolean     NOT NULL,
  status     text        NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  detail     text
);
CREATE INDEX commands_vehicle ON commands (vehicle_id, seq);
CREATE INDEX commands_queued ON commands (vehicle_id, seq) WHERE status = 'QUEUED';
