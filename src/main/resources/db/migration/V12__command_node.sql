-- Cluster (cluster.members): the node that created a command, which holds what a stored row cannot (a
-- synchronous command's waiting sender, an asynchronous one's expiry timer). When that node leaves the cluster,
-- one survivor adopts its QUEUED commands with one conditional UPDATE (each row goes to exactly one survivor)
-- and ends or takes them over. Null for commands of a single-node gateway.
ALTER TABLE commands ADD COLUMN node_id text;

CREATE INDEX commands_node_queued ON commands (node_id) WHERE status = 'QUEUED';
