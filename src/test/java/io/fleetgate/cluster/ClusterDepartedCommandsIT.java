package io.fleetgate.cluster;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.vehicle.Capabilities;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Contract point 7: a command a dead node had sent without proof of delivery ends in exactly one terminal status
 * (or is delivered again, same id). The rows are what a node killed mid-flight leaves behind: QUEUED, created
 * by it (its sender waited there, its expiry timer ran there).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterDepartedCommandsIT {
  private static final String FLEET = "fleet-departed";
  private static final String PASSWORD = "unit-password-0123";

  @Test
  void departedNodesQueuedCommandsEndOnceOrWaitForTheirUnit() throws Exception {
    try (TestCluster cluster = TestCluster.start(3)) {
      TestGateway.ProvisionedUnit u = cluster.provisionUnit(FLEET, "DEPART01", PASSWORD, Capabilities.ALL_COMMANDS);
      String token = cluster.token(FLEET, Permission.VEHICLES, Permission.VEHICLE_COMMANDS);
      String dead = cluster.nodeId(2);
      UUID sync = insert(cluster, u, false, 3600, dead);
      UUID expiring = insert(cluster, u, true, 8, dead);
      UUID waiting = insert(cluster, u, true, 3600, dead);
      UUID othersSync = insert(cluster, u, false, 3600, cluster.nodeId(1)); // a live node's: not touched
      cluster.cutOff(2); // as after kill -9: it says nothing, and is never asked again
      cluster.stop(2);
      long detectMs = (TestCluster.FAILURE_DETECTION_SECONDS + ClusterSetup.heartbeatSeconds(TestCluster.FAILURE_DETECTION_SECONDS) + 5) * 1000L;
      eventually("the synchronous command whose sender died ended", detectMs, () -> "EXPIRED".equals(status(cluster, sync)));
      eventually("the asynchronous one expired at its expires_at on a survivor", 15_000, () -> "EXPIRED".equals(status(cluster, expiring)));
      Thread.sleep(1_500); // both survivors' sweeps and any second timer have run
      assertEquals(1, events(cluster, sync), "one status event for the ended command");
      assertEquals(1, events(cluster, expiring), "one status event for the expired command");
      assertEquals("QUEUED", status(cluster, waiting));
      assertEquals("QUEUED", status(cluster, othersSync), "a live node's command is its own");
      assertEquals(1, cluster.database.count("SELECT count(*) FROM commands WHERE node_id IN ('" + cluster.nodeId(0) + "', '"
          + cluster.nodeId(1) + "') AND id = '" + waiting + "'"), "adopted by exactly one survivor");
      // delivered when its unit connects to any node, with the same id
      try (ClusterCommandsIT.Unit unit = new ClusterCommandsIT.Unit(cluster.node(0), u)) {
        JsonObject got = unit.received.poll(10, TimeUnit.SECONDS);
        assertEquals(waiting.toString(), got == null ? null : got.getString("id"));
        eventually("the redelivered command ended", () -> "SUCCEEDED".equals(status(cluster, waiting)));
      }
      JsonObject read = await(cluster.node(1).http.get("/vehicles/" + u.vehicleId() + "/commands/" + sync)
          .putHeader("Authorization", "Bearer " + token).send()).bodyAsJsonObject();
      assertEquals("EXPIRED", read.getString("status"), read.encode());
    }
  }

  private static UUID insert(TestCluster cluster, TestGateway.ProvisionedUnit u, boolean async, int ttlSeconds, String nodeId) {
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    long seq = cluster.database.count("SELECT nextval('command_seq')");
    cluster.database.execute("INSERT INTO commands (id, seq, vehicle_id, client_id, fleet_id, name, async, status, created_at, "
        + "expires_at, updated_at, detail, node_id) VALUES ('" + id + "', " + seq + ", '" + u.vehicleId() + "', 'c-test', '" + FLEET
        + "', 'LOCK_CENTRAL_LOCK', " + async + ", 'QUEUED', '" + now + "', '" + now.plusSeconds(ttlSeconds) + "', '" + now
        + "', NULL, '" + nodeId + "')");
    return id;
  }

  private static String status(TestCluster cluster, UUID id) {
    return cluster.database.count("SELECT count(*) FROM commands WHERE id = '" + id + "' AND status = 'EXPIRED'") == 1 ? "EXPIRED"
        : cluster.database.count("SELECT count(*) FROM commands WHERE id = '" + id + "' AND status = 'SUCCEEDED'") == 1 ? "SUCCEEDED"
        : cluster.database.count("SELECT count(*) FROM commands WHERE id = '" + id + "' AND status = 'QUEUED'") == 1 ? "QUEUED" : "?";
  }

  private static long events(TestCluster cluster, UUID id) {
    return cluster.database.count("SELECT count(*) FROM event_log WHERE type = 'VehicleCommandStatusChanged' AND envelope LIKE '%"
        + id + "%'");
  }
}
