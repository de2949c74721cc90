-- An archived vehicle's unit id stays reserved for it until the purge, so that no vehicle (of any fleet) can
-- take the id and block the restore: one unique index over active and archived units (a purge deletes the
-- row and frees the id). Archives made before this migration may share their id with an active unit or
-- with each other; of each such group only the active unit, or else the latest archived one, keeps the
-- reservation (reserves_id); the others restore only if their id is free (a 409 otherwise, as before).
ALTER TABLE telematics_units ADD COLUMN reserves_id boolean NOT NULL DEFAULT true;

UPDATE telematics_units u SET reserves_id = false
  FROM (SELECT t.vehicle_id,
               row_number() OVER (PARTITION BY t.id ORDER BY t.archived, v.archive_order DESC NULLS FIRST) AS rank
          FROM telematics_units t JOIN vehicles v ON v.id = t.vehicle_id) r
 WHERE u.vehicle_id = r.vehicle_id AND r.rank > 1;

DROP INDEX telematics_units_active_id;
CREATE UNIQUE INDEX telematics_units_reserved_id ON telematics_units (id) WHERE reserves_id;
