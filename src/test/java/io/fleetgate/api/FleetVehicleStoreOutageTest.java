package io.fleetgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.store.PgTestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL too slow to answer (its tables locked by another session): every admin and vehicle write answers
 * 503 {@code service-unavailable} with {@code Retry-After}, the working set is unchanged (reads and unit logins
 * carry on as before), nothing is committed late, and the same writes succeed once the database answers again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FleetVehicleStoreOutageTest {
  static final String TABLES = "fleets, api_clients, vehicle_ids, vehicles, telematics_units";

  PgTestDatabase database;
  TestGateway gw;
  VehicleApi api;

  @BeforeEach
  void setUp() {
    Assumptions.assumeFalse(PgTestDatabase.selected(), "always on PostgreSQL: runs in the default suite");
    database = PgTestDatabase.create();
    gw = TestGateway.start(Map.of("db.url", database.url, "db.timeoutMs", 800));
    api = new VehicleApi(gw);
  }

  @AfterEach
  void tearDown() {
    try {
      if (gw != null) {
        gw.close();
      }
    } finally {
      if (database != null) {
        database.close();
      }
    }
  }

  /** A session of the test's that holds every table of the fleet and vehicle stores until it is closed. */
  Connection lockTables() throws Exception {
    URI u = URI.create(database.url);
    Connection c = DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 5432)
        + u.getPath(), "postgres", null);
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("LOCK TABLE " + TABLES + " IN ACCESS EXCLUSIVE MODE");
    }
    return c;
  }

  static void assertUnavailable(HttpResponse<Buffer> r) {
    assertEquals(503, r.statusCode(), r.bodyAsString());
    assertEquals("/problems/service-unavailable", r.bodyAsJsonObject().getString("type"));
    assertNotNull(r.getHeader("Retry-After"));
  }

  Mqtt5BlockingClient login(String unitId, String password) {
    Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(unitId).serverHost("127.0.0.1")
        .serverPort(gw.gateway.mqttPort()).buildBlocking();
    c.connectWith().simpleAuth().username(unitId).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    return c;
  }

  @Test
  void writesAnswer503AndChangeNothingThenSucceedOnceTheDatabaseAnswers() throws Exception {
    String admin = gw.adminToken();
    assertEquals(201, api.post(admin, "/fleets", new JsonObject().put("fleet_id", "acme").put("name", "Acme")).statusCode());
    JsonObject client = api.post(admin, "/fleets/acme/api-clients", new JsonObject().put("name", "ops")
        .put("permissions", new JsonArray().add("vehicles"))).bodyAsJsonObject();
    String token = gw.token("acme", Permission.VEHICLES, Permission.VEHICLE_LIFECYCLE);
    JsonObject body = VehicleApi.newVehicle();
    String unitId = body.getJsonObject("telematics_unit").getString("id");
    String vehicleId = api.add(token, body).getString("id");
    String archived = api.add(token).getString("id");
    assertEquals(204, api.delete(token, "/vehicles/" + archived).statusCode());
    JsonObject vehicleBefore = api.get(token, "/vehicles/" + vehicleId).bodyAsJsonObject();
    JsonObject fleetBefore = api.get(admin, "/fleets/acme").bodyAsJsonObject();
    JsonObject clientsBefore = api.get(admin, "/fleets/acme/api-clients").bodyAsJsonObject();
    JsonObject archiveBefore = api.get(token, "/archived-vehicles").bodyAsJsonObject();
    long vehicleRows = database.count("SELECT count(*) FROM vehicles");

    Map<String, Supplier<HttpResponse<Buffer>>> writes = new java.util.LinkedHashMap<>();
    writes.put("create fleet", call(() -> api.post(admin, "/fleets", new JsonObject().put("fleet_id", "late").put("name", "Late"))));
    writes.put("rename fleet", call(() -> api.patch(admin, "/fleets/acme", new JsonObject().put("name", "Renamed"))));
    writes.put("create client", call(() -> api.post(admin, "/fleets/acme/api-clients", new JsonObject().put("name", "x")
        .put("permissions", new JsonArray()))));
    writes.put("delete client", call(() -> api.delete(admin, "/fleets/acme/api-clients/" + client.getString("client_id"))));
    writes.put("add vehicle", call(() -> api.post(token, "/vehicles", VehicleApi.newVehicle())));
    writes.put("patch vehicle", call(() -> api.patch(token, "/vehicles/" + vehicleId, new JsonObject().put("tags", new JsonArray().add("x")))));
    writes.put("unit password", call(() -> api.put(token, "/telematics-units/" + unitId + "/password",
        new JsonObject().put("password", "another-password-1"))));
    writes.put("remove vehicle", call(() -> api.delete(token, "/vehicles/" + vehicleId)));
    writes.put("restore vehicle", call(() -> api.post(token, "/archived-vehicles/" + archived + "/restore", new JsonObject())));

    try (Connection lock = lockTables()) {
      for (Map.Entry<String, Supplier<HttpResponse<Buffer>>> w : writes.entrySet()) {
        HttpResponse<Buffer> r = w.getValue().get();
        assertEquals(503, r.statusCode(), w.getKey() + ": " + r.bodyAsString());
        assertUnavailable(r);
      }
      // the working set is as it was: reads and logins carry on while the database is away
      assertEquals(vehicleBefore, api.get(token, "/vehicles/" + vehicleId).bodyAsJsonObject());
      assertEquals(fleetBefore, api.get(admin, "/fleets/acme").bodyAsJsonObject());
      assertEquals(404, api.get(admin, "/fleets/late").statusCode());
      assertEquals(clientsBefore, api.get(admin, "/fleets/acme/api-clients").bodyAsJsonObject());
      assertEquals(archiveBefore, api.get(token, "/archived-vehicles").bodyAsJsonObject());
      login(unitId, "correct-horse-battery").disconnect();
      lock.rollback();
    }

    // nothing was committed late
    assertEquals(0, database.count("SELECT count(*) FROM fleets WHERE id = 'late'"));
    assertEquals(vehicleRows, database.count("SELECT count(*) FROM vehicles"));
    assertEquals(1, database.count("SELECT count(*) FROM vehicles WHERE archived_at IS NOT NULL"));

    // and once the database answers, the same writes go through
    for (Map.Entry<String, Supplier<HttpResponse<Buffer>>> w : writes.entrySet()) {
      HttpResponse<Buffer> r = w.getValue().get();
      assertEquals(true, r.statusCode() / 100 == 2, w.getKey() + ": " + r.statusCode() + " " + r.bodyAsString());
    }
    assertEquals(1, database.count("SELECT count(*) FROM fleets WHERE id = 'late'"));
  }

  interface Call {
    HttpResponse<Buffer> run() throws Exception;
  }

  static Supplier<HttpResponse<Buffer>> call(Call c) {
    return () -> {
      try {
        return c.run();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }
}
