-- State history partitioned by day of recorded_at (issue 13): at fleet scale retention must drop a whole
-- day's partition, not delete rows. The gateway (store/pg PgHistoryPartitions) creates the partitions of
-- today and the next db.historyPartitionsAhead days, named state_history_pYYYYMMDD (UTC days, bounds in
-- epoch milliseconds), and drops those wholly past db.historyRetentionDays.
--
-- An existing table is not copied: it becomes one partition (state_history_legacy) covering everything before
-- the end of the current UTC day, so the upgrade costs one read of it (the range check of ATTACH) and two
-- index builds, not a rewrite. Its rows are deleted in small batches as they pass retention (walking an index
-- on id, oldest first, as before this migration) until the whole partition has passed, then it is dropped.

ALTER TABLE state_history RENAME TO state_history_legacy;
DROP INDEX state_history_vehicle_id; -- superseded by the key below
-- a partition has no primary key of its own: ATTACH builds the parent's key index on it instead
ALTER TABLE state_history_legacy DROP CONSTRAINT state_history_pkey;

-- The identity moves to the new table and continues where the old one stopped (ids are cursors).
CREATE TEMPORARY TABLE state_history_next_id ON COMMIT DROP AS
  SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END AS id FROM state_history_id_seq;
ALTER TABLE state_history_legacy ALTER COLUMN id DROP IDENTITY;

-- A unique key of a partitioned table must contain the partition key. Putting vehicle_id first makes the key
-- also the index of a vehicle's history page (vehicle_id = ? AND id < ? ORDER BY id DESC, recorded_at checked
-- in the index) and of the purge of a vehicle: one index per row instead of two. Ids stay unique by their
-- identity sequence (as no index of a partitioned table can make a column unique across partitions).
CREATE TABLE state_history (
  id          bigint GENERATED ALWAYS AS IDENTITY,
  vehicle_id  text   NOT NULL,
  recorded_at bigint NOT NULL,
  readings    bytea  NOT NULL,
  CONSTRAINT state_history_pkey PRIMARY KEY (vehicle_id, id, recorded_at)
) PARTITION BY RANGE (recorded_at);

SELECT setval(pg_get_serial_sequence('state_history', 'id'), id, false) FROM state_history_next_id;

DO $$
DECLARE
  day_ms CONSTANT bigint := 86400000;
  upper_ms bigint;
BEGIN
  IF EXISTS (SELECT 1 FROM state_history_legacy) THEN
    -- the end of the UTC day of the newest row or of now, whichever is later
    SELECT (greatest(max(recorded_at) + 1, (extract(epoch FROM clock_timestamp()) * 1000)::bigint) / day_ms + 1) * day_ms
      INTO upper_ms FROM state_history_legacy;
    CREATE INDEX state_history_legacy_id ON state_history_legacy (id);
    EXECUTE format('ALTER TABLE state_history ATTACH PARTITION state_history_legacy FOR VALUES FROM (MINVALUE) TO (%s)', upper_ms);
  ELSE
    DROP TABLE state_history_legacy;
  END IF;
END $$;

-- Rows no day partition covers (the gateway's clock far off, or partitions not created ahead because
-- maintenance failed for days) land here instead of failing their whole batch. Maintenance moves them into a
-- day's partition when it creates it, and deletes them past retention (by the index on time).
CREATE TABLE state_history_default PARTITION OF state_history DEFAULT;
CREATE INDEX state_history_default_recorded_at ON state_history_default (recorded_at);
