package io.fleetgate.cluster;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.core.buffer.Buffer;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Three gateway nodes form one cluster: each sees the others, says so in /metrics and /health/ready, and notices one leaving. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterMembershipIT {

  @Test
  void threeNodesSeeThreeMembersInMetricsAndReadiness() {
    try (TestCluster cluster = TestCluster.start(3)) {
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        TestGateway node = cluster.node(i);
        assertTrue(node.vertx.isClustered(), "node " + i + " is clustered");
        ids.add(cluster.nodeId(i));
        eventually("node " + i + " sees 3 members", () -> members(node) == 3);
        assertEquals(3, node.gateway.cluster.members().size());
        JsonObject check = clusterCheck(node);
        assertEquals("UP", check.getString("status"), check.encode());
        assertTrue(check.getString("detail").contains("3 members"), check.encode());
      }
      assertEquals(3, ids.size(), "distinct node ids");
      // each node answers on its own fixed control address, from any other node
      for (int from = 0; from < 3; from++) {
        for (int to = 0; to < 3; to++) {
          JsonObject pong = await(cluster.node(from).vertx.eventBus().<JsonObject>request(
              ClusterNode.address(cluster.nodeId(to), ClusterNode.Channel.CONTROL), new JsonObject().put("op", "ping"),
              new DeliveryOptions().setSendTimeout(5_000))).body();
          assertEquals(cluster.nodeId(to), pong.getString("node"));
        }
      }
    }
  }

  @Test
  void stoppedNodeIsGoneFromTheOthersWithinFailureDetection() {
    try (TestCluster cluster = TestCluster.start(3)) {
      for (int i = 0; i < 3; i++) {
        TestGateway node = cluster.node(i);
        eventually("node " + i + " sees 3 members", () -> members(node) == 3);
      }
      String stopped = cluster.nodeId(2);
      java.util.List<String> left = new java.util.concurrent.CopyOnWriteArrayList<>();
      cluster.node(0).gateway.cluster.addListener(new ClusterNode.MembershipListener() {
        @Override
        public void memberLeft(String nodeId) {
          left.add(nodeId);
        }
      });
      cluster.stop(2); // graceful: Vert.x leaves the cluster
      long limitMs = TestCluster.FAILURE_DETECTION_SECONDS * 1000L;
      for (int i = 0; i < 2; i++) {
        TestGateway node = cluster.node(i);
        eventually("node " + i + " sees 2 members", limitMs, () -> members(node) == 2);
        assertFalse(node.gateway.cluster.isMember(stopped));
        assertEquals("UP", clusterCheck(node).getString("status"));
      }
      eventually("node 0's listener told of the leave", () -> left.contains(stopped));
    }
  }

  @Test
  void memberThatVanishesIsDeclaredDeadAndItsNodeIsNotReady() {
    try (TestCluster cluster = TestCluster.start(3)) {
      for (int i = 0; i < 3; i++) {
        TestGateway node = cluster.node(i);
        eventually("node " + i + " sees 3 members", () -> members(node) == 3);
      }
      long start = System.nanoTime();
      cluster.cutOff(1); // no goodbye: as after kill -9
      // heartbeats are checked once per interval: the deadline plus one interval, plus a second of slack
      long limitMs = (TestCluster.FAILURE_DETECTION_SECONDS + ClusterSetup.heartbeatSeconds(TestCluster.FAILURE_DETECTION_SECONDS) + 1) * 1000L;
      for (int i : new int[] {0, 2}) {
        TestGateway node = cluster.node(i);
        eventually("node " + i + " sees 2 members", limitMs, () -> members(node) == 2);
      }
      System.out.println("vanished member gone from both survivors after " + (System.nanoTime() - start) / 1_000_000 + " ms");
      HttpResponse<Buffer> ready = await(cluster.node(1).http.get("/health/ready").send());
      assertEquals(503, ready.statusCode(), ready.bodyAsString());
      assertTrue(ready.bodyAsString().contains("\"cluster\""), ready.bodyAsString());
      assertEquals(200, await(cluster.node(0).http.get("/health/ready").send()).statusCode());
    }
  }

  @Test
  void singleNodeHasNoClusterManager() {
    try (TestGateway node = TestGateway.start()) {
      assertFalse(node.vertx.isClustered());
      assertEquals(null, node.gateway.cluster);
      assertFalse(node.gateway.metrics.scrape().contains("fleetgate_cluster_members"));
      assertNotEquals(null, node.gateway);
    }
  }

  /** fleetgate_cluster_members as /metrics shows it. */
  static int members(TestGateway node) {
    String body = await(node.http.get("/metrics").send()).bodyAsString();
    for (String line : body.split("\n")) {
      if (line.startsWith("fleetgate_cluster_members ")) {
        return (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
      }
    }
    return -1;
  }

  /** The cluster check of /health/ready (every check is listed when the node is up). */
  static JsonObject clusterCheck(TestGateway node) {
    JsonObject body = await(node.http.get("/health/ready").send()).bodyAsJsonObject();
    JsonArray checks = body.getJsonArray("checks");
    for (int i = 0; i < checks.size(); i++) {
      if ("cluster".equals(checks.getJsonObject(i).getString("name"))) {
        return checks.getJsonObject(i);
      }
    }
    return new JsonObject().put("status", "ABSENT").put("body", body);
  }
}
