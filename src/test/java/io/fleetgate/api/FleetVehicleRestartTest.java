package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import io.fleetgate.TestClock;
import io.fleetgate.TestGateway;
import io.fleetgate.TestKeys;
import io.fleetgate.problem.DuplicateKeyException;
import io.fleetgate.store.PgTestDatabase;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.TelematicsUnit;
import io.fleetgate.vehicle.Vehicle;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleets, API clients, vehicles, units and the archive survive a restart on the same PostgreSQL database: a
 * second gateway answers exactly as the first did, with the clients' secrets, the units' passwords and the
 * tokens issued before (the signing key is configured). Always on PostgreSQL, so it runs once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FleetVehicleRestartTest {
  static final String UNIT_PASSWORD = "correct-horse-battery";

  @TempDir
  Path dir;
  PgTestDatabase database;
  Map<String, Object> settings;
  final TestClock clock = TestClock.flowing();

  @BeforeEach
  void setUp() throws Exception {
    Assumptions.assumeFalse(PgTestDatabase.selected(), "always on PostgreSQL: runs in the default suite");
    database = PgTestDatabase.create();
    settings = new HashMap<>();
    settings.put("db.url", database.url);
    settings.put("jwt.key", TestKeys.write(dir, "jwt.pem", TestKeys.ecP256()).toString());
  }

  @AfterEach
  void tearDown() {
    if (database != null) {
      database.close();
    }
  }

  TestGateway start() {
    return TestGateway.start(settings, clock);
  }

  static JsonObject json(HttpResponse<Buffer> r, int status) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static String clientToken(TestGateway gw, String clientId, String secret) {
    HttpResponse<Buffer> r = await(gw.http.post("/auth/oauth/token").sendForm(MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "client_credentials").add("client_id", clientId).add("client_secret", secret)));
    return json(r, 200).getString("access_token");
  }

  static JsonObject vehicleBody(String unitId, int i) {
    JsonObject custom = new JsonObject(new LinkedHashMap<>());
    custom.put("zone", "z" + i).put("agent", "ä ✓").put("b-first", "kept in the order given");
    return VehicleApi.newVehicle()
        .put("telematics_unit", VehicleApi.newVehicle().getJsonObject("telematics_unit").put("id", unitId))
        .put("master_data", new JsonObject().put("vin", "WVWZZZ1JZXW00000" + i).put("license_plate", "B-FG " + i)
            .put("year_of_production", "2021").put("remark", "restart test"))
        .put("custom_fields", custom)
        .put("tags", new JsonArray().add("t" + i).add("night"))
        .put("operation_status", new JsonObject().put("value", i % 2 == 0 ? "GARAGE" : "OPERATING"));
  }

  /** Every page of GET /vehicles?limit=2 from the first, with the cursor that led to each. */
  static List<JsonObject> pages(VehicleApi api, String token) throws Exception {
    List<JsonObject> out = new ArrayList<>();
    JsonObject p = json(api.get(token, "/vehicles?limit=2"), 200);
    out.add(p);
    while (p.getJsonObject("cursors").getString("next") != null) {
      p = json(api.get(token, "/vehicles?cursor=" + p.getJsonObject("cursors").getString("next")), 200);
      out.add(p);
    }
    return out;
  }

  static Mqtt5BlockingClient mqtt(TestGateway gw, String unitId, String password) {
    Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(unitId).serverHost("127.0.0.1")
        .serverPort(gw.gateway.mqttPort()).buildBlocking();
    c.connectWith().simpleAuth().username(unitId).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    return c;
  }

  @Test
  void whatTheApiAnsweredIsThereAfterARestart() throws Exception {
    String fleet = "f-" + UUID.randomUUID().toString().substring(0, 8);
    String admin;
    String clientId;
    String secret;
    String tokenBefore;
    String deletedClient;
    List<String> vehicleIds = new ArrayList<>();
    List<String> unitIds = new ArrayList<>();
    Map<String, JsonObject> resources = new LinkedHashMap<>();
    List<JsonObject> pagesBefore;
    JsonObject archivedBefore;
    JsonObject unitsBefore;
    JsonObject fleetsBefore;
    JsonObject clientsBefore;

    try (TestGateway gw = start()) {
      VehicleApi api = new VehicleApi(gw);
      admin = gw.adminToken();
      json(api.post(admin, "/fleets", new JsonObject().put("fleet_id", fleet).put("name", "Before")), 201);
      json(api.patch(admin, "/fleets/" + fleet, new JsonObject().put("name", "Renamed")), 200);
      json(api.post(admin, "/fleets", new JsonObject().put("fleet_id", fleet + "-b").put("name", "Second")), 201);
      JsonObject client = json(api.post(admin, "/fleets/" + fleet + "/api-clients", new JsonObject().put("name", "ops")
          .put("permissions", new JsonArray().add("vehicles").add("vehicle-lifecycle").add("events"))), 201);
      clientId = client.getString("client_id");
      secret = client.getString("client_secret");
      deletedClient = json(api.post(admin, "/fleets/" + fleet + "/api-clients", new JsonObject().put("name", "gone")
          .put("permissions", new JsonArray().add("vehicles"))), 201).getString("client_id");
      assertEquals(204, api.delete(admin, "/fleets/" + fleet + "/api-clients/" + deletedClient).statusCode());
      tokenBefore = clientToken(gw, clientId, secret);

      for (int i = 0; i < 5; i++) {
        String unitId = "RU-" + UUID.randomUUID().toString().substring(0, 12) + "-" + i;
        JsonObject v = api.add(tokenBefore, vehicleBody(unitId, i));
        vehicleIds.add(v.getString("id"));
        unitIds.add(unitId);
      }
      json(api.patch(tokenBefore, "/vehicles/" + vehicleIds.get(0), new JsonObject()
          .put("custom_fields", new JsonObject().put("zone", null).put("added", "later"))
          .put("master_data", new JsonObject().put("remark", null).put("custom_name", "Patched"))
          .put("operation_status", new JsonObject().put("value", "MAINTENANCE"))), 200);
      assertEquals(204, api.put(tokenBefore, "/telematics-units/" + unitIds.get(1) + "/password",
          new JsonObject().put("password", "a-new-password-1")).statusCode());
      assertEquals(204, api.delete(tokenBefore, "/vehicles/" + vehicleIds.get(2)).statusCode());
      assertEquals(204, api.delete(tokenBefore, "/vehicles/" + vehicleIds.get(3)).statusCode());

      for (String id : List.of(vehicleIds.get(0), vehicleIds.get(1), vehicleIds.get(4))) {
        resources.put(id, json(api.get(tokenBefore, "/vehicles/" + id), 200));
      }
      pagesBefore = pages(api, tokenBefore);
      archivedBefore = json(api.get(tokenBefore, "/archived-vehicles"), 200);
      unitsBefore = json(api.get(tokenBefore, "/telematics-units"), 200);
      fleetsBefore = json(api.get(admin, "/fleets"), 200);
      clientsBefore = json(api.get(admin, "/fleets/" + fleet + "/api-clients"), 200);
    }

    try (TestGateway gw = start()) {
      VehicleApi api = new VehicleApi(gw);
      // tokens issued before still verify; the client's secret still gets new ones; the deleted client stays gone
      json(api.get(tokenBefore, "/vehicles/" + vehicleIds.get(0)), 200);
      String token = clientToken(gw, clientId, secret);
      assertEquals(401, await(gw.http.post("/auth/oauth/token").sendForm(MultiMap.caseInsensitiveMultiMap()
          .add("grant_type", "client_credentials").add("client_id", deletedClient).add("client_secret", secret))).statusCode());
      assertEquals(fleetsBefore, json(api.get(gw.adminToken(), "/fleets"), 200));
      assertEquals(clientsBefore, json(api.get(admin, "/fleets/" + fleet + "/api-clients"), 200));

      for (Map.Entry<String, JsonObject> e : resources.entrySet()) {
        assertEquals(e.getValue(), json(api.get(token, "/vehicles/" + e.getKey()), 200), "vehicle " + e.getKey());
      }
      assertEquals(List.of("agent", "b-first", "added"),
          List.copyOf(json(api.get(token, "/vehicles/" + vehicleIds.get(0)), 200).getJsonObject("custom_fields").fieldNames()));
      assertEquals(pagesBefore, pages(api, token));
      // a cursor handed out before the restart continues where it did
      String next = pagesBefore.get(0).getJsonObject("cursors").getString("next");
      assertEquals(pagesBefore.get(1), json(api.get(token, "/vehicles?cursor=" + next), 200));
      assertEquals(archivedBefore, json(api.get(token, "/archived-vehicles"), 200));
      assertEquals(unitsBefore, json(api.get(token, "/telematics-units"), 200));

      // units log in with their passwords (the changed one with its new password only)
      mqtt(gw, unitIds.get(0), UNIT_PASSWORD).disconnect();
      mqtt(gw, unitIds.get(1), "a-new-password-1").disconnect();
      assertThrows(Mqtt5ConnAckException.class, () -> mqtt(gw, unitIds.get(1), UNIT_PASSWORD));

      // archived vehicles are restorable, with the password their unit had
      json(api.post(token, "/archived-vehicles/" + vehicleIds.get(2) + "/restore", new JsonObject()), 200);
      mqtt(gw, unitIds.get(2), UNIT_PASSWORD).disconnect();

      // a new vehicle gets an id never used and comes after every vehicle ever created in listings
      String added = api.add(token).getString("id");
      assertFalse(vehicleIds.contains(added));
      List<JsonObject> after = pages(api, token);
      JsonArray lastItems = after.get(after.size() - 1).getJsonArray("items");
      assertEquals(added, lastItems.getJsonObject(lastItems.size() - 1).getString("id"));
    }

    // past the retention: the archive entry left is purged at start-up, its id stays taken
    clock.advance(Duration.ofDays(91));
    try (TestGateway gw = start()) {
      String purged = vehicleIds.get(3);
      eventually("the expired archive entry is purged", () -> gw.gateway.archive.size() == 0);
      eventually("purged in the database", () -> database.count("SELECT count(*) FROM vehicles WHERE id = '" + purged + "'") == 0);
      assertEquals(1, database.count("SELECT count(*) FROM vehicle_ids WHERE id = '" + purged + "'"));
      String token = clientToken(gw, clientId, secret);
      VehicleApi api = new VehicleApi(gw);
      assertEquals(404, api.get(token, "/vehicles/" + purged).statusCode());
      json(api.get(token, "/vehicles/" + vehicleIds.get(2)), 200); // restored before: still there
      Instant now = Instant.now();
      Vehicle again = new Vehicle(purged, gw.gateway.registry.nextSeq(), fleet, "RU-again", now, now, now, Map.of(),
          Map.of(), List.of(), "OPERATING", now, Capabilities.of(List.of(), List.of()));
      TelematicsUnit unit = new TelematicsUnit("RU-again", null, null, null, "RETROFIT", fleet, purged, "x", 1, now, now);
      DuplicateKeyException taken = assertThrows(DuplicateKeyException.class,
          () -> await(gw.gateway.stores.vehicles().insertVehicle(again, unit)));
      assertEquals(DuplicateKeyException.VEHICLE, taken.kind);
    }
    assertNotNull(database);
    assertTrue(database.count("SELECT count(*) FROM fleets") >= 2);
  }
}
