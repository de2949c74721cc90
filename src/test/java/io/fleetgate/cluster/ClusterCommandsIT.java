package io.fleetgate.cluster;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.vehicle.Capabilities;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Commands reach a unit on whichever node it is connected to; a unit that connects to another node takes its session over. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterCommandsIT {
  private static final String FLEET = "fleet-cluster";
  private static final String PASSWORD = "unit-password-0123";
  private static final AtomicInteger NEXT = new AtomicInteger();

  @Test
  void commandThroughOneNodeReachesTheUnitOnAnotherAndOfflineIs503() throws Exception {
    try (TestCluster cluster = TestCluster.start(3)) {
      TestGateway.ProvisionedUnit u = provision(cluster);
      String token = cluster.token(FLEET, Permission.VEHICLES, Permission.VEHICLE_COMMANDS);
      JsonObject offline = post(cluster.node(0), token, u, false).bodyAsJsonObject();
      assertEquals(503, offline.getInteger("status"), offline.encode());
      try (Unit unit = new Unit(cluster.node(1), u)) {
        eventually("node 0 knows the unit is on node 1", () -> reachable(cluster.node(0), u));
        HttpResponse<Buffer> r = post(cluster.node(0), token, u, false);
        assertEquals(200, r.statusCode(), r.bodyAsString());
        assertEquals("SUCCEEDED", r.bodyAsJsonObject().getString("status"), r.bodyAsString());
        assertTrue(counter(cluster.node(0), "sent") >= 1);
        assertTrue(counter(cluster.node(1), "received") >= 1);
        // through node 2 as well, and through the unit's own node
        assertEquals(200, post(cluster.node(2), token, u, false).statusCode());
        assertEquals(200, post(cluster.node(1), token, u, false).statusCode());
      }
      eventually("the unit's close is known everywhere", () -> !reachable(cluster.node(2), u));
      assertEquals(503, post(cluster.node(2), token, u, false).statusCode());
    }
  }

  @Test
  void unitConnectingToAnotherNodeTakesItsSessionOverWithinOneSecond() throws Exception {
    try (TestCluster cluster = TestCluster.start(3)) {
      TestGateway.ProvisionedUnit u = provision(cluster);
      String token = cluster.token(FLEET, Permission.VEHICLES, Permission.VEHICLE_COMMANDS);
      try (Unit first = new Unit(cluster.node(0), u)) {
        eventually("node 2 knows the unit is on node 0", () -> reachable(cluster.node(2), u));
        assertEquals(200, post(cluster.node(2), token, u, false).statusCode());
        first.received.clear();
        long connected;
        try (Unit second = new Unit(cluster.node(1), u)) {
          connected = System.nanoTime();
          eventually("the first connection is closed", 1_000, () -> first.disconnectReason.get() != null);
          System.out.println("taken over after " + (System.nanoTime() - connected) / 1_000_000 + " ms");
          assertEquals(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER, first.disconnectReason.get());
          assertEquals(200, post(cluster.node(2), token, u, false).statusCode());
          assertEquals(1, second.received.size());
          second.received.clear();
          assertEquals(200, post(cluster.node(0), token, u, false).statusCode());
          assertEquals(1, second.received.size());
          assertTrue(first.received.isEmpty(), "nothing goes to the old connection");
          assertTrue(cluster.node(1).gateway.devices.sessions().current(u.unitId()) != null);
          assertNull(cluster.node(0).gateway.devices.sessions().current(u.unitId()), "node 0 let its session go");
          // the old session's late close undid nothing: node 1 holds the unit, the vehicle stays ONLINE
          assertEquals(1, cluster.database.count("SELECT count(*) FROM unit_owners WHERE vehicle_id = '" + u.vehicleId()
              + "' AND node_id = '" + cluster.nodeId(1) + "'"));
          assertEquals("ONLINE", life(cluster.node(1), token, u));
          assertEquals("ONLINE", life(cluster.node(0), token, u));
        }
      }
    }
  }

  @Test
  void queuedCommandIsDeliveredOnceAfterTheUnitsNodeStopsAndItConnectsToAnother() throws Exception {
    try (TestCluster cluster = TestCluster.start(3)) {
      TestGateway.ProvisionedUnit u = provision(cluster);
      String token = cluster.token(FLEET, Permission.VEHICLES, Permission.VEHICLE_COMMANDS);
      Unit onTwo = new Unit(cluster.node(2), u);
      eventually("node 0 knows the unit is on node 2", () -> reachable(cluster.node(0), u));
      cluster.stop(2);
      eventually("the unit lost its node", () -> !onTwo.client.getState().isConnected());
      eventually("node 0 knows the unit is offline", () -> !reachable(cluster.node(0), u));
      HttpResponse<Buffer> queued = post(cluster.node(0), token, u, true);
      assertEquals(202, queued.statusCode(), queued.bodyAsString());
      String commandId = queued.bodyAsJsonObject().getString("command_id");
      try (Unit onOne = new Unit(cluster.node(1), u)) {
        JsonObject got = onOne.received.poll(10, TimeUnit.SECONDS);
        assertTrue(got != null, "the queued command reached the unit on node 1");
        assertEquals(commandId, got.getString("id"));
        eventually("the command ended", () -> "SUCCEEDED".equals(status(cluster.node(0), token, u, commandId)));
        Thread.sleep(1_000);
        assertTrue(onOne.received.isEmpty(), "delivered once: " + onOne.received);
        assertEquals(1, cluster.database.count("SELECT count(*) FROM commands WHERE id = '" + commandId + "'"));
      }
    }
  }

  @Test
  void departedNodesVehiclesReadOfflineThroughTheOthers() throws Exception {
    try (TestCluster cluster = TestCluster.start(3)) {
      TestGateway.ProvisionedUnit u = provision(cluster);
      String token = cluster.token(FLEET, Permission.VEHICLES, Permission.VEHICLE_COMMANDS);
      try (Unit unit = new Unit(cluster.node(2), u)) {
        eventually("node 0 sees the vehicle ONLINE", () -> "ONLINE".equals(life(cluster.node(0), token, u)));
        cluster.cutOff(2); // as after kill -9: node 2 says nothing, its rows stay behind
        long limitMs = (TestCluster.FAILURE_DETECTION_SECONDS + ClusterSetup.heartbeatSeconds(TestCluster.FAILURE_DETECTION_SECONDS) + 2) * 1000L;
        eventually("node 0 reads it OFFLINE", limitMs, () -> "OFFLINE".equals(life(cluster.node(0), token, u)));
        eventually("node 1 reads it OFFLINE", () -> "OFFLINE".equals(life(cluster.node(1), token, u)));
        assertEquals(0, cluster.database.count("SELECT count(*) FROM unit_owners WHERE vehicle_id = '" + u.vehicleId() + "'"));
      }
    }
  }

  @Test
  void departedNodesVehicleThatReconnectedElsewhereStaysOnline() throws Exception {
    try (TestCluster cluster = TestCluster.start(3)) {
      TestGateway.ProvisionedUnit u = provision(cluster);
      String token = cluster.token(FLEET, Permission.VEHICLES, Permission.VEHICLE_COMMANDS);
      try (Unit onTwo = new Unit(cluster.node(2), u)) {
        eventually("node 0 knows the unit is on node 2", () -> reachable(cluster.node(0), u));
        cluster.cutOff(2);
        try (Unit onOne = new Unit(cluster.node(1), u)) {
          long limitMs = (TestCluster.FAILURE_DETECTION_SECONDS + ClusterSetup.heartbeatSeconds(TestCluster.FAILURE_DETECTION_SECONDS) + 2) * 1000L;
          eventually("node 0 declared node 2 dead", limitMs, () -> cluster.node(0).gateway.cluster.members().size() == 2);
          eventually("node 1 declared node 2 dead", limitMs, () -> cluster.node(1).gateway.cluster.members().size() == 2);
          Thread.sleep(1_000); // the departed node's sweep has run on both survivors
          assertEquals("ONLINE", life(cluster.node(0), token, u));
          assertEquals("ONLINE", life(cluster.node(1), token, u));
          assertEquals(1, cluster.database.count("SELECT count(*) FROM unit_owners WHERE vehicle_id = '" + u.vehicleId()
              + "' AND node_id = '" + cluster.nodeId(1) + "'"));
          assertEquals(200, post(cluster.node(0), token, u, false).statusCode());
          assertEquals(1, onOne.received.size());
        }
      }
    }
  }

  @Test
  void aVehiclesQueueLimitHoldsForSendsRacingThroughEveryNode() {
    int limit = 5;
    try (TestCluster cluster = TestCluster.start(3, java.util.Map.of("command.queuePerVehicle", limit))) {
      TestGateway.ProvisionedUnit u = provision(cluster);
      String token = cluster.token(FLEET, Permission.VEHICLES, Permission.VEHICLE_COMMANDS);
      java.util.List<io.vertx.core.Future<HttpResponse<Buffer>>> sends = new java.util.ArrayList<>();
      for (int i = 0; i < 30; i++) {
        sends.add(cluster.node(i % 3).http.post("/vehicles/" + u.vehicleId() + "/commands/lock-central-lock")
            .putHeader("Authorization", "Bearer " + token).putHeader("Prefer", "respond-async").send());
      }
      int accepted = 0;
      int refused = 0;
      for (io.vertx.core.Future<HttpResponse<Buffer>> f : sends) {
        HttpResponse<Buffer> r = await(f);
        if (r.statusCode() == 202) {
          accepted++;
        } else {
          assertEquals(409, r.statusCode(), r.bodyAsString());
          refused++;
        }
      }
      assertEquals(limit, accepted, "command.queuePerVehicle holds across the nodes");
      assertEquals(30 - limit, refused);
      assertEquals(limit, cluster.database.count("SELECT count(*) FROM commands WHERE vehicle_id = '" + u.vehicleId()
          + "' AND status = 'QUEUED'"));
    }
  }

  private static TestGateway.ProvisionedUnit provision(TestCluster cluster) {
    return cluster.provisionUnit(FLEET, String.format("CLU%08X", NEXT.incrementAndGet()), PASSWORD, Capabilities.ALL_COMMANDS);
  }

  private static HttpResponse<Buffer> post(TestGateway gw, String token, TestGateway.ProvisionedUnit u, boolean async) {
    HttpRequest<Buffer> req = gw.http.post("/vehicles/" + u.vehicleId() + "/commands/lock-central-lock")
        .putHeader("Authorization", "Bearer " + token);
    if (async) {
      req.putHeader("Prefer", "respond-async");
    }
    return await(req.send());
  }

  private static String status(TestGateway gw, String token, TestGateway.ProvisionedUnit u, String commandId) {
    return await(gw.http.get("/vehicles/" + u.vehicleId() + "/commands/" + commandId).putHeader("Authorization", "Bearer " + token)
        .send()).bodyAsJsonObject().getString("status");
  }

  private static String life(TestGateway gw, String token, TestGateway.ProvisionedUnit u) {
    JsonObject v = await(gw.http.get("/vehicles/" + u.vehicleId()).putHeader("Authorization", "Bearer " + token).send()).bodyAsJsonObject();
    return v.getJsonObject("life_status") != null ? v.getJsonObject("life_status").getString("value") : v.getString("life_status");
  }

  private static boolean reachable(TestGateway gw, TestGateway.ProvisionedUnit u) {
    return gw.gateway.clustered.router().reachable(u.vehicleId());
  }

  private static double counter(TestGateway gw, String direction) {
    var c = gw.gateway.metrics.find("fleetgate_cluster_commands").tag("direction", direction).counter();
    return c == null ? -1 : c.count();
  }

  /** The unit as a HiveMQ MQTT 5 client on one node: answers every command SUCCEEDED, remembers why it was disconnected. */
  static final class Unit implements AutoCloseable {
    final Mqtt5BlockingClient client;
    final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
    final AtomicReference<Mqtt5DisconnectReasonCode> disconnectReason = new AtomicReference<>();
    private final String unitId;

    Unit(TestGateway gw, TestGateway.ProvisionedUnit u) {
      this.unitId = u.unitId();
      this.client = Mqtt5Client.builder().identifier(u.unitId()).serverHost("127.0.0.1").serverPort(gw.gateway.mqttPort())
          .addDisconnectedListener(ctx -> {
            if (ctx.getCause() instanceof Mqtt5DisconnectException d) {
              disconnectReason.compareAndSet(null, d.getMqttMessage().getReasonCode());
            }
          })
          .buildBlocking();
      client.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> {
        JsonObject command = new JsonObject(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
        received.add(command);
        client.toAsync().publishWith().topic("units/" + unitId + "/command-results").qos(MqttQos.AT_LEAST_ONCE)
            .payload(new JsonObject().put("id", command.getString("id")).put("status", "SUCCEEDED").toBuffer().getBytes()).send();
      });
      client.connectWith().simpleAuth().username(u.unitId()).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
      client.subscribeWith().topicFilter("units/" + unitId + "/commands").qos(MqttQos.AT_LEAST_ONCE).send();
    }

    @Override
    public void close() {
      if (client.getState().isConnected()) {
        client.disconnect();
      }
    }
  }
}
