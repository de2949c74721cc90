package io.fleetgate.console;

import static io.fleetgate.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.fleetgate.TestGateway;
import io.fleetgate.vehicle.Property;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Fleets, API clients (with their secrets, to sign in with) and units of the console's browser tests. */
final class ConsoleFleet {
  static final String PASSWORD = "unit-password-0123";
  static final List<String> COMMANDS = List.of("LOCK_CENTRAL_LOCK", "UNLOCK_CENTRAL_LOCK", "DRAW_ATTENTION");
  private static final AtomicInteger NEXT = new AtomicInteger();

  final TestGateway gw;
  final String fleetId;
  final String clientId;
  final String secret;
  final String token;

  ConsoleFleet(TestGateway gw, String fleetId) {
    this.gw = gw;
    this.fleetId = fleetId;
    JsonObject fleet = new JsonObject().put("fleet_id", fleetId).put("name", "Fleet " + fleetId);
    assertEquals(201, call(gw.adminToken(), HttpMethod.POST, "/fleets", fleet).statusCode());
    JsonObject client = call(gw.adminToken(), HttpMethod.POST, "/fleets/" + fleetId + "/api-clients",
        new JsonObject().put("name", "operator").put("permissions", new JsonArray(List.of("vehicles",
            "vehicle-commands", "vehicle-lifecycle", "fleetshare", "events")))).bodyAsJsonObject();
    this.clientId = client.getString("client_id");
    this.secret = client.getString("client_secret");
    this.token = gw.token(fleetId, io.fleetgate.auth.Permission.VEHICLES, io.fleetgate.auth.Permission.VEHICLE_LIFECYCLE,
        io.fleetgate.auth.Permission.FLEETSHARE);
  }

  HttpResponse<Buffer> call(String bearer, HttpMethod method, String path, JsonObject body) {
    var req = gw.http.request(method, path).putHeader("Authorization", "Bearer " + bearer);
    if (body == null) {
      return await(req.send());
    }
    if (method == HttpMethod.PATCH) {
      req.putHeader("Content-Type", "application/merge-patch+json");
      return await(req.sendBuffer(body.toBuffer()));
    }
    return await(req.sendJsonObject(body));
  }

  HttpResponse<Buffer> call(HttpMethod method, String path, JsonObject body) {
    return call(token, method, path, body);
  }

  /** A vehicle with a unit (not connected) and a license plate. */
  Unit vehicle(String plate) {
    String unitId = String.format("CONU%08X", NEXT.incrementAndGet());
    TestGateway.ProvisionedUnit p = gw.provisionUnit(fleetId, unitId, PASSWORD, COMMANDS, Arrays.asList(Property.values()));
    if (plate != null) {
      JsonObject patch = new JsonObject().put("master_data", new JsonObject().put("license_plate", plate));
      assertEquals(200, call(HttpMethod.PATCH, "/vehicles/" + p.vehicleId(), patch).statusCode());
    }
    return new Unit(gw, p.unitId(), p.vehicleId());
  }

  static void partners(TestGateway gw, String a, String b) {
    HttpResponse<Buffer> r = await(gw.http.post("/partnerships").putHeader("Authorization", "Bearer " + gw.adminToken())
        .sendJsonObject(new JsonObject().put("fleet_ids", new JsonArray(List.of(a, b)))));
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  /** A third-party MQTT client playing the unit: connects, publishes state, answers commands SUCCEEDED. */
  static final class Unit implements AutoCloseable {
    final TestGateway gw;
    final String unitId;
    final String vehicleId;
    private Mqtt5BlockingClient client;

    Unit(TestGateway gw, String unitId, String vehicleId) {
      this.gw = gw;
      this.unitId = unitId;
      this.vehicleId = vehicleId;
    }

    Unit connect() {
      client = MqttClient.builder().useMqttVersion5().identifier(unitId).serverHost("127.0.0.1")
          .serverPort(gw.gateway.mqttPort()).buildBlocking();
      client.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> {
        JsonObject command = new JsonObject(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
        JsonObject result = new JsonObject().put("id", command.getString("id")).put("status", "SUCCEEDED");
        client.toAsync().publishWith().topic("units/" + unitId + "/command-results").qos(MqttQos.AT_LEAST_ONCE)
            .payload(result.toBuffer().getBytes()).send();
      });
      client.connectWith().simpleAuth().username(unitId).password(PASSWORD.getBytes(StandardCharsets.UTF_8))
          .applySimpleAuth().send();
      client.subscribeWith().topicFilter("units/" + unitId + "/commands").qos(MqttQos.AT_LEAST_ONCE).send();
      return this;
    }

    /** Publishes a state frame at QoS 1 (returns once the gateway acknowledged it). */
    void publish(JsonObject state) {
      JsonObject frame = new JsonObject().put("ts", Instant.now().toString()).put("state", state);
      client.publishWith().topic("units/" + unitId + "/state").qos(MqttQos.AT_LEAST_ONCE)
          .payload(frame.toBuffer().getBytes()).send();
    }

    void position(double lat, double lon) {
      publish(new JsonObject().put("position", new JsonObject().put("lat", lat).put("lon", lon)));
    }

    @Override
    public void close() {
      if (client != null && client.getState().isConnected()) {
        client.disconnect();
      }
    }
  }
}
