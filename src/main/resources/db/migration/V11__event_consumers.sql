-- Event consumers (POST /event-consumers): their registrations, so they outlive a restart and every node of a
-- cluster lists, counts (amqp.maxConsumersPerFleet) and deletes the same ones. Their queues live on the broker.
CREATE TABLE event_consumers (
  id         text        PRIMARY KEY,
  fleet_id   text        NOT NULL,
  name       text        NOT NULL,
  topics     text        NOT NULL, -- event types, comma-separated, in the order asked for
  created_at timestamptz NOT NULL
);
CREATE INDEX event_consumers_fleet ON event_consumers (fleet_id, created_at, id);
