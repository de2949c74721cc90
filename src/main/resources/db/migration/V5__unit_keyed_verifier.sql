-- The fast keyed verifier of a unit's password (io.fleetgate.auth.KeyedVerifier): hv1$<key id>$<HMAC-SHA256>.
-- Its key is kept outside the database (hash.verifierKey or derived from jwt.key), so this column alone
-- reveals nothing the Argon2 hash in password_hash does not. Null until one is derived: rows written before
-- this migration get theirs after the unit's next successful (Argon2) login.
ALTER TABLE telematics_units ADD COLUMN keyed_verifier text;
