-- The change feed of the working set (issue 14, cluster): every committed change of a fleet, API client,
-- vehicle (active or archived) or its unit, partnership or sharing gets a row here in the same transaction,
-- written by the triggers below. Each node keeps its in-memory working set current by reading the rows after
-- the last one it applied and reloading the entity each names (io.fleetgate.cluster.WorkingSetSync).
--
-- seq: the order of commits. A transaction that changes the working set takes one transaction-scoped advisory
-- lock before it touches a row (statement triggers) and keeps it until it commits, so the numbers are handed
-- out and made visible in commit order: a reader that has seen seq n has seen every committed change below n
-- (a rolled-back transaction leaves a gap, never a late row).
-- kind/id: what to reload: fleet (fleets.id), client (api_clients.client_id), vehicle (vehicle id: the
-- vehicle and its unit), partnership (fleet_a || E'\n' || fleet_b), sharing (vehicle id).
CREATE TABLE changes (
  seq  bigserial   PRIMARY KEY,
  kind text        NOT NULL,
  id   text        NOT NULL,
  at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX changes_at ON changes (at);

-- Retention deletes old rows; seq here is the highest one ever deleted. A node that has applied less than
-- that has missed changes it can no longer read (it must be restarted to reload its working set).
CREATE TABLE change_horizon (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  seq bigint  NOT NULL
);
INSERT INTO change_horizon (one, seq) VALUES (true, 0);

-- The nodes reading the feed: each stamps seen_at (the database's clock) on every read that may vouch for its
-- working set. A write's barrier also waits for every node stamped within the last seconds, members of its
-- Hazelcast view or not, so a node split off from the others but still reading the feed is waited for too.
CREATE TABLE cluster_nodes (
  node_id text        PRIMARY KEY,
  seen_at timestamptz NOT NULL
);

-- 0x666c6774 ("flgt"): the one lock every working-set writer takes
CREATE FUNCTION fleetgate_change_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(1718380404);
  RETURN NULL;
END $$;

-- The id of a row: the values of its key columns joined by a newline.
CREATE FUNCTION fleetgate_change_key(r jsonb, columns text[]) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(r ->> c, E'\n' ORDER BY n) FROM unnest(columns) WITH ORDINALITY AS t(c, n)
$$;

-- TG_ARGV[0]: the kind; TG_ARGV[1..]: the key columns. An update that changes the key names both ids.
CREATE FUNCTION fleetgate_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  columns text[] := TG_ARGV[1:];
  new_key text;
  old_key text;
BEGIN
  PERFORM pg_advisory_xact_lock(1718380404); -- held already (statement trigger): nothing to wait for
  IF TG_OP <> 'DELETE' THEN
    new_key := fleetgate_change_key(to_jsonb(NEW), columns);
    INSERT INTO changes (kind, id) VALUES (TG_ARGV[0], new_key);
  END IF;
  IF TG_OP <> 'INSERT' THEN
    old_key := fleetgate_change_key(to_jsonb(OLD), columns);
    IF old_key IS DISTINCT FROM new_key THEN
      INSERT INTO changes (kind, id) VALUES (TG_ARGV[0], old_key);
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER fleets_lock BEFORE INSERT OR UPDATE OR DELETE ON fleets
  FOR EACH STATEMENT EXECUTE FUNCTION fleetgate_change_lock();
CREATE TRIGGER fleets_change AFTER INSERT OR UPDATE OR DELETE ON fleets
  FOR EACH ROW EXECUTE FUNCTION fleetgate_change('fleet', 'id');

CREATE TRIGGER api_clients_lock BEFORE INSERT OR UPDATE OR DELETE ON api_clients
  FOR EACH STATEMENT EXECUTE FUNCTION fleetgate_change_lock();
CREATE TRIGGER api_clients_change AFTER INSERT OR UPDATE OR DELETE ON api_clients
  FOR EACH ROW EXECUTE FUNCTION fleetgate_change('client', 'client_id');

CREATE TRIGGER vehicles_lock BEFORE INSERT OR UPDATE OR DELETE ON vehicles
  FOR EACH STATEMENT EXECUTE FUNCTION fleetgate_change_lock();
CREATE TRIGGER vehicles_change AFTER INSERT OR UPDATE OR DELETE ON vehicles
  FOR EACH ROW EXECUTE FUNCTION fleetgate_change('vehicle', 'id');

-- A unit's keyed verifier (saved after a login, io.fleetgate.auth.KeyedVerifier) is a cache of its password,
-- not a change: saving it takes no lock and writes no row (other nodes derive their own on the next login).
CREATE TRIGGER telematics_units_lock BEFORE INSERT OR DELETE ON telematics_units
  FOR EACH STATEMENT EXECUTE FUNCTION fleetgate_change_lock();
CREATE TRIGGER telematics_units_lock_update
  BEFORE UPDATE OF id, brand, model, manufacturer, type, fleet_id, vehicle_id, password_hash, credential_version,
    created_at, modified_at, archived, reserves_id ON telematics_units
  FOR EACH STATEMENT EXECUTE FUNCTION fleetgate_change_lock();
CREATE TRIGGER telematics_units_change AFTER INSERT OR DELETE ON telematics_units
  FOR EACH ROW EXECUTE FUNCTION fleetgate_change('vehicle', 'vehicle_id');
CREATE TRIGGER telematics_units_change_update AFTER UPDATE ON telematics_units
  FOR EACH ROW WHEN ((to_jsonb(OLD) - 'keyed_verifier') IS DISTINCT FROM (to_jsonb(NEW) - 'keyed_verifier'))
  EXECUTE FUNCTION fleetgate_change('vehicle', 'vehicle_id');

CREATE TRIGGER partnerships_lock BEFORE INSERT OR UPDATE OR DELETE ON partnerships
  FOR EACH STATEMENT EXECUTE FUNCTION fleetgate_change_lock();
CREATE TRIGGER partnerships_change AFTER INSERT OR UPDATE OR DELETE ON partnerships
  FOR EACH ROW EXECUTE FUNCTION fleetgate_change('partnership', 'fleet_a', 'fleet_b');

CREATE TRIGGER sharings_lock BEFORE INSERT OR UPDATE OR DELETE ON sharings
  FOR EACH STATEMENT EXECUTE FUNCTION fleetgate_change_lock();
CREATE TRIGGER sharings_change AFTER INSERT OR UPDATE OR DELETE ON sharings
  FOR EACH ROW EXECUTE FUNCTION fleetgate_change('sharing', 'vehicle_id');
