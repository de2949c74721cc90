package io.fleetgate.cluster;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.RabbitVhost;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Contract points 1 and 6 for event consumers: a consumer created through one node is listed and deleted
 * through the others, and {@code amqp.maxConsumersPerFleet} holds for creations racing through every node.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterEventConsumersIT {
  private static final int MAX = 3;

  @Test
  void consumersAreOneSetAcrossTheNodesAndTheirLimitHoldsForRacingCreations() {
    try (RabbitVhost rabbit = RabbitVhost.create();
        TestCluster cluster = TestCluster.start(3, Map.of("amqp.url", rabbit.url, "amqp.maxConsumersPerFleet", MAX))) {
      for (int i = 0; i < 3; i++) {
        TestGateway n = cluster.node(i);
        eventually("node " + i + " sees 3 members", 20_000, () -> n.gateway.cluster.members().size() == 3);
      }
      String fleet = "fleet-consumers";
      String token = cluster.token(fleet, Permission.EVENTS);
      JsonObject body = new JsonObject().put("name", "billing").put("topics", new JsonArray().add("VehicleAdded"));

      HttpResponse<Buffer> created = await(post(cluster.node(0), token, body));
      assertEquals(201, created.statusCode(), created.bodyAsString());
      String id = created.bodyAsJsonObject().getString("consumer_id");
      String queue = "fleetgate." + fleet + "." + id + ".VehicleAdded";
      for (int i = 1; i < 3; i++) {
        JsonArray items = list(cluster.node(i), token);
        assertEquals(1, items.size(), "listed through node " + i + ": " + items);
        assertEquals(created.bodyAsJsonObject(), items.getJsonObject(0));
      }
      HttpResponse<Buffer> deleted = await(cluster.node(2).http.delete("/event-consumers/" + id)
          .putHeader("Authorization", "Bearer " + token).send());
      assertEquals(204, deleted.statusCode(), "deleted through another node: " + deleted.bodyAsString());
      assertFalse(rabbit.queueExists(queue), "its queue deleted");
      assertEquals(0, list(cluster.node(0), token).size());

      // 12 creations at once through the three nodes: exactly MAX get in
      List<Future<HttpResponse<Buffer>>> racing = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        racing.add(post(cluster.node(i % 3), token, body));
      }
      int accepted = 0;
      for (Future<HttpResponse<Buffer>> f : racing) {
        HttpResponse<Buffer> r = await(f);
        if (r.statusCode() == 201) {
          accepted++;
        } else {
          assertEquals(409, r.statusCode(), r.bodyAsString());
        }
      }
      assertEquals(MAX, accepted, "amqp.maxConsumersPerFleet across the nodes");
      for (int i = 0; i < 3; i++) {
        assertEquals(MAX, list(cluster.node(i), token).size());
      }
      String queues = RabbitVhost.ctl("list_queues", "-p", rabbit.name, "name");
      assertEquals(MAX, queues.lines().filter(l -> l.startsWith("fleetgate." + fleet + ".")).count(),
          "the refused creations' queues are deleted again: " + queues);
      assertTrue(cluster.database.count("SELECT count(*) FROM event_consumers WHERE fleet_id = '" + fleet + "'") == MAX);
    }
  }

  private static Future<HttpResponse<Buffer>> post(TestGateway node, String token, JsonObject body) {
    return node.http.post("/event-consumers").putHeader("Authorization", "Bearer " + token)
        .putHeader("Content-Type", "application/json").sendBuffer(body.toBuffer());
  }

  private static JsonArray list(TestGateway node, String token) {
    return await(node.http.get("/event-consumers").putHeader("Authorization", "Bearer " + token).send())
        .bodyAsJsonObject().getJsonArray("items");
  }
}
