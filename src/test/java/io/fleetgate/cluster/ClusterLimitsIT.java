package io.fleetgate.cluster;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Contract point 6 on three nodes: a client's rate limit and its event-stream maximum hold across nodes. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterLimitsIT {
  static final int RATE = 20;
  static final int BURST = 30;

  @Test
  void clientSpreadingRequestsOverThreeNodesGetsAboutItsOneNodeRateAndItsStreamMaximum() {
    try (TestCluster cluster = TestCluster.start(3, Map.of("rate.requestsPerSecond", RATE, "rate.burst", BURST,
        "events.maxStreamsPerClient", 2))) {
      for (int i = 0; i < 3; i++) {
        TestGateway node = cluster.node(i);
        eventually("node " + i + " sees 3 members", 10_000, () -> node.gateway.cluster.members().size() == 3);
        eventually("node " + i + " enforces a third of the burst", () -> node.gateway.apiRate.limit() == BURST / 3);
      }
      ClusterEventsIT.Everywhere all = new ClusterEventsIT.Everywhere(cluster);
      String token = all.token("fl-" + ClusterEventsIT.tag());

      // round robin over the nodes, as fast as one caller can, for 3 s
      int allowed = 0;
      int refused = 0;
      long start = System.nanoTime();
      long end = start + TimeUnit.SECONDS.toNanos(3);
      for (int i = 0; System.nanoTime() < end; i++) {
        int status = await(cluster.node(i % 3).http.get("/vehicles?limit=1").putHeader("Authorization", "Bearer " + token).send())
            .statusCode();
        if (status == 200) {
          allowed++;
        } else {
          assertEquals(429, status);
          refused++;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double oneNode = BURST + RATE * seconds;
      System.out.printf("rate over 3 nodes: %d allowed, %d refused in %.2f s; one node's limit allows %.0f%n",
          allowed, refused, seconds, oneNode);
      assertTrue(refused > 0, "the caller went faster than its limit");
      assertTrue(allowed <= oneNode * 1.15, allowed + " allowed, one node's limit " + oneNode);
      assertTrue(allowed >= oneNode * 0.6, allowed + " allowed: the spread client gets about its rate, " + oneNode);

      // events.maxStreamsPerClient = 2, wherever the streams are (another client: this one's rate is spent)
      token = all.token("fl-" + ClusterEventsIT.tag());
      try (StreamReader first = StreamReader.open(cluster.node(0), token, null);
           StreamReader second = StreamReader.open(cluster.node(1), token, null)) {
        assertEquals(200, first.status);
        assertEquals(200, second.status);
        try (StreamReader third = StreamReader.open(cluster.node(2), token, null)) {
          assertEquals(429, third.status, "a third stream on a third node");
        }
        first.close();
        eventually("the first stream's node has let it go", () -> cluster.node(0).gateway.sse.reservations(all.lastClientId) == 0);
        try (StreamReader third = StreamReader.open(cluster.node(2), token, null)) {
          assertEquals(200, third.status, "room again once one closed");
        }
      }
    }
  }
}
