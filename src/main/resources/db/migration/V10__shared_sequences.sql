-- Creation sequences of vehicles, sharings and partnerships in a cluster: one counter for every node (each
-- process counted on its own before, and two nodes could hand out the same value at once), started above the
-- values already stored. A node's start moves each past any that a single-node gateway handed out meanwhile.
CREATE SEQUENCE vehicle_seq;
SELECT setval('vehicle_seq', GREATEST(1, (SELECT COALESCE(max(seq), 0) FROM vehicle_ids)));
CREATE SEQUENCE sharing_id_seq;
SELECT setval('sharing_id_seq', GREATEST(1, (SELECT COALESCE(max(id), 0) FROM sharings)));
CREATE SEQUENCE partnership_seq;
SELECT setval('partnership_seq', GREATEST(1, (SELECT COALESCE(max(seq), 0) FROM partnerships)));
