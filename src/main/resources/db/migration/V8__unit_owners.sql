-- Cluster (cluster.members): which node holds each connected vehicle's unit session, and since which epoch.
-- The newest connection wins: a login takes the next epoch and overwrites the row; a close deletes the row
-- only while it still holds its own (node, epoch), so a late close of a taken-over session never undoes the
-- newer one. Rows of a node that left the cluster are deleted by one survivor (the DELETE decides which).
-- Single-node gateways never write here.
CREATE SEQUENCE unit_owner_epoch;

CREATE TABLE unit_owners (
  vehicle_id text        PRIMARY KEY,
  unit_id    text        NOT NULL,
  node_id    text        NOT NULL,
  epoch      bigint      NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX unit_owners_node ON unit_owners (node_id);

-- Command seqs in a cluster: one counter for every node (each process counted on its own before), kept above
-- the seqs already stored (a node's start moves it past any a single-node gateway handed out meanwhile).
CREATE SEQUENCE command_seq;
SELECT setval('command_seq', GREATEST(1, (SELECT COALESCE(max(seq), 0) FROM commands)));
