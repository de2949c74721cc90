package io.fleetgate.cluster;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.vehicle.Capabilities;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Contract point 3: latest state and life status read through any node are the unit's node's, at most 100 ms behind an acknowledged frame. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterLiveStateIT {
  private static final String FLEET = "fleet-live";
  private static final String PASSWORD = "unit-password-0123";
  private static final int TRIALS = 60;
  private static final long WITHIN_MS = 100;

  @Test
  void stateReadThroughAnotherNodeRightAfterEachPubackIsTheUnitsNodes() throws Exception {
    try (TestCluster cluster = TestCluster.start(2)) {
      TestGateway.ProvisionedUnit u = cluster.provisionUnit(FLEET, "LIVE0001", PASSWORD, Capabilities.ALL_COMMANDS);
      String token = cluster.token(FLEET, Permission.VEHICLES_RO);
      TestGateway a = cluster.node(0);
      TestGateway b = cluster.node(1);
      Mqtt5BlockingClient unit = Mqtt5Client.builder().identifier(u.unitId()).serverHost("127.0.0.1")
          .serverPort(a.gateway.mqttPort()).buildBlocking();
      unit.connectWith().simpleAuth().username(u.unitId()).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
      try {
        eventually("node 1 reads the vehicle ONLINE", () -> "ONLINE".equals(vehicle(b, token, u).getJsonObject("life_status").getString("value")));
        long base = System.currentTimeMillis();
        List<String> late = new ArrayList<>();
        int stale = 0;
        for (int i = 1; i <= TRIALS; i++) {
          Instant ts = Instant.ofEpochMilli(base + i);
          String frame = "{\"ts\": \"" + ts + "\", \"seq\": " + i + ", \"state\": {\"mileage_in_kilometers\": {\"value\": " + i
              + ", \"timestamp\": \"" + ts + "\"}}}";
          unit.publishWith().topic("units/" + u.unitId() + "/state").qos(MqttQos.AT_LEAST_ONCE)
              .payload(frame.getBytes(StandardCharsets.UTF_8)).send(); // returns on PUBACK
          long acked = System.nanoTime();
          // each kind of read in turn, right after the PUBACK, through the node the unit is not on
          int kind = i % 3;
          int seen = mileage(b, token, u, kind);
          if (seen != i) {
            stale++;
            final int want = i;
            while (mileage(b, token, u, kind) != want) {
              if ((System.nanoTime() - acked) / 1_000_000 > WITHIN_MS) {
                late.add("frame " + i + " (read " + kind + "): still " + seen + " after " + WITHIN_MS + " ms");
                break;
              }
            }
          }
        }
        System.out.println("live state through the other node: " + stale + " of " + TRIALS + " first reads behind, "
            + late.size() + " beyond " + WITHIN_MS + " ms");
        assertTrue(late.isEmpty(), late.toString());
        JsonObject v = vehicle(b, token, u);
        assertEquals("ONLINE", v.getJsonObject("life_status").getString("value"));
        assertTrue(v.getString("last_contact_at") != null, v.encode());
      } finally {
        unit.disconnect();
      }
      eventually("node 1 reads the vehicle OFFLINE once the unit left", () -> "OFFLINE".equals(vehicle(b, token, u).getJsonObject("life_status").getString("value")));
      assertEquals(TRIALS, mileage(b, token, u, 0), "the last state stays readable through node 1");
    }
  }

  /** The mileage read through {@code gw}: 0 the state endpoint, 1 the vehicle, 2 the list. */
  private static int mileage(TestGateway gw, String token, TestGateway.ProvisionedUnit u, int kind) {
    JsonObject state;
    if (kind == 0) {
      state = await(gw.http.get("/vehicles/" + u.vehicleId() + "/state").putHeader("Authorization", "Bearer " + token).send()).bodyAsJsonObject();
    } else if (kind == 1) {
      state = vehicle(gw, token, u).getJsonObject("latest_state");
    } else {
      JsonArray items = await(gw.http.get("/vehicles").putHeader("Authorization", "Bearer " + token).send()).bodyAsJsonObject().getJsonArray("items");
      state = new JsonObject();
      for (int i = 0; i < items.size(); i++) {
        if (u.vehicleId().equals(items.getJsonObject(i).getString("id"))) {
          state = items.getJsonObject(i).getJsonObject("latest_state");
        }
      }
    }
    JsonObject m = state.getJsonObject("mileage_in_kilometers");
    return m == null ? 0 : m.getNumber("value").intValue();
  }

  private static JsonObject vehicle(TestGateway gw, String token, TestGateway.ProvisionedUnit u) {
    return await(gw.http.get("/vehicles/" + u.vehicleId()).putHeader("Authorization", "Bearer " + token).send()).bodyAsJsonObject();
  }
}
