package io.fleetgate.api;

import static io.fleetgate.api.VehicleApi.assertInvalid;
import static io.fleetgate.api.VehicleApi.assertProblem;
import static io.fleetgate.api.VehicleApi.newVehicle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import io.fleetgate.TestClock;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.problem.DuplicateKeyException;
import io.fleetgate.vehicle.TelematicsUnit;
import io.fleetgate.vehicle.Vehicle;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DELETE /vehicles/{id}, GET /archived-vehicles, POST /archived-vehicles/{id}/restore and the purge, over real
 * HTTP. The gateway's clock is a {@link TestClock}, moved to expire archive entries. Each test uses a fleet
 * of its own.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ArchiveApiTest {
  static TestClock clock;
  static TestGateway gw;
  static VehicleApi api;

  @BeforeAll
  static void start() {
    clock = TestClock.now();
    gw = TestGateway.start(Map.of(), clock);
    api = new VehicleApi(gw);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static String fleet() {
    return "arch-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String lifecycle(String fleet) {
    return gw.token(fleet, Permission.VEHICLE_LIFECYCLE, Permission.VEHICLES);
  }

  private static List<String> ids(HttpResponse<Buffer> page) {
    assertEquals(200, page.statusCode(), page.bodyAsString());
    JsonArray items = page.bodyAsJsonObject().getJsonArray("items");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      out.add(items.getJsonObject(i).getString("id"));
    }
    return out;
  }

  @Test
  void removeArchivesAndRestoreBringsTheSameVehicleBackInItsPlace() throws Exception {
    String token = lifecycle(fleet());
    String a = api.add(token).getString("id");
    JsonObject bBody = newVehicle();
    String b = api.add(token, bBody).getString("id");
    String c = api.add(token).getString("id");
    assertEquals(List.of(a, b, c), ids(api.get(token, "/vehicles")));

    HttpResponse<Buffer> removed = api.delete(token, "/vehicles/" + b);
    assertEquals(204, removed.statusCode(), removed.bodyAsString());
    assertNotNull(removed.getHeader("X-Rate-Limit-Remaining"));
    assertProblem(api.get(token, "/vehicles/" + b), 404, "resource-not-found");
    assertEquals(List.of(a, c), ids(api.get(token, "/vehicles")));
    String unitId = bBody.getJsonObject("telematics_unit").getString("id");
    assertProblem(api.get(token, "/telematics-units/" + unitId), 404, "resource-not-found");
    assertTrue(gw.gateway.registry.vehicleIdTaken(b), "an archived vehicle's id stays taken");

    HttpResponse<Buffer> archived = api.get(token, "/archived-vehicles");
    assertEquals(List.of(b), ids(archived));
    JsonObject item = archived.bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
    Instant archivedAt = Instant.parse(item.getString("archived_at"));
    assertEquals(archivedAt.plus(Duration.ofDays(90)), Instant.parse(item.getString("expires_at")));
    assertEquals(unitId, item.getJsonObject("telematics_unit").getString("id"));
    assertEquals(b, item.getString("id"));

    HttpResponse<Buffer> restored = api.post(token, "/archived-vehicles/" + b + "/restore", new JsonObject());
    assertEquals(200, restored.statusCode(), restored.bodyAsString());
    assertEquals(b, restored.bodyAsJsonObject().getString("id"));
    assertEquals("/vehicles/" + b, restored.getHeader("Location"));
    assertEquals(unitId, restored.bodyAsJsonObject().getJsonObject("telematics_unit").getString("id"));
    assertEquals(List.of(a, b, c), ids(api.get(token, "/vehicles")), "back at its creation-order place");
    assertEquals(200, api.get(token, "/telematics-units/" + unitId).statusCode());
    assertEquals(List.of(), ids(api.get(token, "/archived-vehicles")));
    assertProblem(api.post(token, "/archived-vehicles/" + b + "/restore", new JsonObject()), 404, "resource-not-found");
  }

  @Test
  void removeAnswersTheContractProblems() throws Exception {
    String fleet = fleet();
    String token = lifecycle(fleet);
    String id = api.add(token).getString("id");
    String stranger = lifecycle(fleet());
    assertProblem(api.delete(stranger, "/vehicles/" + id), 404, "resource-not-found");
    assertProblem(api.delete(gw.token(fleet, Permission.VEHICLES), "/vehicles/" + id), 403, "missing-permissions");
    assertProblem(api.delete(token, "/vehicles/00000"), 404, "resource-not-found");
    assertProblem(api.delete(token, "/vehicles/not-an-id"), 404, "resource-not-found");
    assertEquals(204, api.delete(token, "/vehicles/" + id.toLowerCase()).statusCode(), "ids are case-insensitive");
    assertProblem(api.delete(token, "/vehicles/" + id), 404, "resource-not-found");
    // the archive is the owner's only
    assertEquals(List.of(), ids(api.get(stranger, "/archived-vehicles")));
    assertProblem(api.post(stranger, "/archived-vehicles/" + id + "/restore", new JsonObject()), 404, "resource-not-found");
    assertProblem(api.get(gw.token(fleet, Permission.VEHICLES_RO), "/archived-vehicles"), 403, "missing-permissions");
  }

  @Test
  void theUnitIdStaysReservedForTheArchivedVehicleUntilThePurge() throws Exception {
    String owner = lifecycle(fleet());
    String other = lifecycle(fleet());
    JsonObject body = newVehicle();
    String unitId = body.getJsonObject("telematics_unit").getString("id");
    String password = body.getJsonObject("telematics_unit").getString("password");
    String id = api.add(owner, body).getString("id");
    assertEquals(204, api.delete(owner, "/vehicles/" + id).statusCode());

    // another fleet cannot take the id (that would block the restore), nor the owner for a new vehicle
    for (String token : List.of(other, owner)) {
      JsonObject again = newVehicle();
      again.getJsonObject("telematics_unit").put("id", unitId);
      assertProblem(api.post(token, "/vehicles", again), 409, "conflict");
    }
    assertEquals(List.of(), ids(api.get(other, "/vehicles")), "nothing was added");

    HttpResponse<Buffer> restored = api.post(owner, "/archived-vehicles/" + id + "/restore", new JsonObject());
    assertEquals(200, restored.statusCode(), restored.bodyAsString());
    assertTrue(unitLogsIn(unitId, password), "the restored unit logs in with its password");

    // after the purge the id is free again, for any fleet
    assertEquals(204, api.delete(owner, "/vehicles/" + id).statusCode());
    assertFalse(unitLogsIn(unitId, password), "an archived unit cannot log in");
    clock.advance(Duration.ofDays(90));
    assertTrue(TestGateway.await(gw.gateway.lifecycle.purgeExpired()) >= 1);
    JsonObject taken = newVehicle();
    taken.getJsonObject("telematics_unit").put("id", unitId);
    String other1 = api.add(other, taken).getString("id");
    assertEquals(List.of(other1), ids(api.get(other, "/vehicles")));
  }

  @Test
  void ofConcurrentAddsWithOneUnitIdOneWinsAndNoneWhileItIsReserved() throws Exception {
    String unitId = "U-race-" + UUID.randomUUID().toString().substring(0, 8);
    List<Integer> statuses = concurrentAdds(unitId);
    assertEquals(1, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
    assertEquals(3, statuses.stream().filter(s -> s == 409).count(), statuses.toString());

    String owner = lifecycle(fleet());
    JsonObject body = newVehicle();
    String reserved = body.getJsonObject("telematics_unit").getString("id");
    String id = api.add(owner, body).getString("id");
    assertEquals(204, api.delete(owner, "/vehicles/" + id).statusCode());
    assertEquals(List.of(409, 409, 409, 409), concurrentAdds(reserved));
    assertEquals(200, api.post(owner, "/archived-vehicles/" + id + "/restore", new JsonObject()).statusCode());
  }

  /** Four POST /vehicles with one unit id, each by a fleet of its own, sent at once: their statuses. */
  private static List<Integer> concurrentAdds(String unitId) throws Exception {
    List<io.vertx.core.Future<HttpResponse<Buffer>>> posts = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      JsonObject body = newVehicle();
      body.getJsonObject("telematics_unit").put("id", unitId);
      posts.add(gw.http.post("/vehicles").putHeader("Authorization", "Bearer " + lifecycle(fleet())).sendJsonObject(body));
    }
    List<Integer> statuses = new ArrayList<>();
    for (io.vertx.core.Future<HttpResponse<Buffer>> post : posts) {
      HttpResponse<Buffer> r = TestGateway.await(post);
      if (r.statusCode() != 201) {
        assertProblem(r, 409, "conflict");
      }
      statuses.add(r.statusCode());
    }
    return statuses;
  }

  /** Whether the unit gets a successful MQTT CONNACK with this password. */
  private static boolean unitLogsIn(String unitId, String password) {
    Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(unitId)
        .serverHost("127.0.0.1").serverPort(gw.gateway.mqttPort()).buildBlocking();
    try {
      c.connectWith().simpleAuth().username(unitId).password(password.getBytes(StandardCharsets.UTF_8))
          .applySimpleAuth().send();
      c.disconnect();
      return true;
    } catch (Mqtt5ConnAckException refused) {
      return false;
    }
  }

  @Test
  void archivedListingIsCursorPaginatedInArchiveOrder() throws Exception {
    String token = lifecycle(fleet());
    List<String> removed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      removed.add(api.add(token).getString("id"));
    }
    List<String> order = List.of(removed.get(2), removed.get(0), removed.get(1));
    for (String id : order) {
      assertEquals(204, api.delete(token, "/vehicles/" + id).statusCode());
    }
    List<String> walked = new ArrayList<>();
    HttpResponse<Buffer> page = api.get(token, "/archived-vehicles?limit=2");
    walked.addAll(ids(page));
    String next = page.bodyAsJsonObject().getJsonObject("cursors").getString("next");
    assertNotNull(next);
    page = api.get(token, "/archived-vehicles?cursor=" + next);
    walked.addAll(ids(page));
    assertNull(page.bodyAsJsonObject().getJsonObject("cursors").getString("next"));
    assertEquals(order, walked);
    assertInvalid(api.get(token, "/archived-vehicles?limit=0"), "/limit");
    assertInvalid(api.get(token, "/archived-vehicles?cursor=nonsense"), "/cursor");
  }

  @Test
  void expiredEntriesAreGoneWhenReadAndPurgedByTheTimerWithTheirIdKeptTaken() throws Exception {
    String token = lifecycle(fleet());
    JsonObject body = newVehicle();
    String id = api.add(token, body).getString("id");
    assertEquals(204, api.delete(token, "/vehicles/" + id).statusCode());
    clock.advance(Duration.ofDays(89));
    assertEquals(List.of(id), ids(api.get(token, "/archived-vehicles")));
    clock.advance(Duration.ofDays(1));

    assertEquals(List.of(), ids(api.get(token, "/archived-vehicles")), "expired: gone before the purge ran");
    assertProblem(api.post(token, "/archived-vehicles/" + id + "/restore", new JsonObject()), 404, "resource-not-found");
    assertTrue(TestGateway.await(gw.gateway.lifecycle.purgeExpired()) >= 1);
    assertFalse(TestGateway.await(gw.gateway.stores.vehicles().loadArchived()).stream().anyMatch(a -> a.id().equals(id)));

    // a purged id is never handed out again: the store refuses it
    Instant now = Instant.now();
    Vehicle reuse = new Vehicle(id, gw.gateway.registry.nextSeq(), "other", "U-reuse-" + id, now, now, now, Map.of(),
        Map.of(), List.of(), "OPERATING", now, io.fleetgate.vehicle.Capabilities.of(List.of(), List.of()));
    TelematicsUnit unit = new TelematicsUnit("U-reuse-" + id, "b", "m", "x", "OEM", "other", id, "$argon2id$unused", 1, now, now);
    try {
      TestGateway.await(gw.gateway.stores.vehicles().insertVehicle(reuse, unit));
      throw new AssertionError("a purged vehicle id was accepted again");
    } catch (DuplicateKeyException expected) {
      assertEquals(DuplicateKeyException.VEHICLE, expected.kind);
    }
  }

  @Test
  void listenersAreToldOfRemoveAndRestore() throws Exception {
    String token = lifecycle(fleet());
    JsonObject body = newVehicle();
    String id = api.add(token, body).getString("id");
    String unitId = body.getJsonObject("telematics_unit").getString("id");
    List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    io.fleetgate.vehicle.VehicleLifecycleListener listener = new io.fleetgate.vehicle.VehicleLifecycleListener() {
      @Override
      public void vehicleRemoved(String vehicleId, String unit) {
        calls.incrementAndGet();
        told.add("removed " + vehicleId + " " + unit);
      }

      @Override
      public void vehicleRestored(String vehicleId, String unit) {
        calls.incrementAndGet();
        told.add("restored " + vehicleId + " " + unit);
      }
    };
    gw.gateway.lifecycleListeners.add(listener);
    try {
      assertEquals(204, api.delete(token, "/vehicles/" + id).statusCode());
      assertEquals(200, api.post(token, "/archived-vehicles/" + id + "/restore", new JsonObject()).statusCode());
    } finally {
      gw.gateway.lifecycleListeners.remove(listener);
    }
    assertEquals(List.of("removed " + id + " " + unitId, "restored " + id + " " + unitId),
        told.stream().filter(s -> s.contains(id)).toList());
  }

  @Test
  void historyIsKeptWhileArchived() throws Exception {
    String token = lifecycle(fleet());
    String id = api.add(token).getString("id");
    TestGateway.await(gw.gateway.stores.states().record(id, Instant.now().toEpochMilli(),
        List.of(new io.fleetgate.vehicle.Reading(io.fleetgate.vehicle.Property.CENTRAL_LOCK, Instant.now().toEpochMilli(), "LOCKED"))));
    assertEquals(204, api.delete(token, "/vehicles/" + id).statusCode());
    assertEquals(200, api.post(token, "/archived-vehicles/" + id + "/restore", new JsonObject()).statusCode());
    HttpResponse<Buffer> states = api.get(token, "/vehicles/" + id + "/states");
    assertEquals(200, states.statusCode(), states.bodyAsString());
    assertEquals(1, states.bodyAsJsonObject().getJsonArray("items").size());
  }

  @Test
  void unitPasswordAnswersTheContractProblems() throws Exception {
    String fleet = fleet();
    String token = lifecycle(fleet);
    JsonObject body = newVehicle();
    api.add(token, body);
    String uri = "/telematics-units/" + body.getJsonObject("telematics_unit").getString("id") + "/password";
    String before = gw.gateway.registry.unit(body.getJsonObject("telematics_unit").getString("id")).passwordHash();

    assertInvalid(api.put(token, uri, new JsonObject().put("password", "too-short")), "/password");
    assertInvalid(api.put(token, uri, new JsonObject().put("password", "x".repeat(TelematicsUnit.PASSWORD_MAX + 1))), "/password");
    assertInvalid(api.put(token, uri, new JsonObject()), "/password");
    assertInvalid(api.put(token, uri, new JsonObject().put("password", "long-enough-password").put("extra", 1)), "/extra");
    assertProblem(TestGateway.await(gw.http.put(uri).putHeader("Authorization", "Bearer " + token)
        .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("long-enough-password"))), 415, "unsupported-media-type");
    assertProblem(api.put(lifecycle(fleet()), uri, new JsonObject().put("password", "long-enough-password")), 404, "resource-not-found");
    assertProblem(api.put(token, "/telematics-units/no-such-unit/password", new JsonObject().put("password", "long-enough-password")),
        404, "resource-not-found");
    assertProblem(api.put(gw.token(fleet, Permission.VEHICLES), uri, new JsonObject().put("password", "long-enough-password")),
        403, "missing-permissions");
    assertEquals(before, gw.gateway.registry.unit(body.getJsonObject("telematics_unit").getString("id")).passwordHash());

    HttpResponse<Buffer> ok = api.put(token, uri, new JsonObject().put("password", "long-enough-password"));
    assertEquals(204, ok.statusCode(), ok.bodyAsString());
    TelematicsUnit after = gw.gateway.registry.unit(body.getJsonObject("telematics_unit").getString("id"));
    assertFalse(after.passwordHash().equals(before));
    assertTrue(after.passwordHash().startsWith("$argon2id$"), "stored hashed");
    assertEquals(2, after.credentialVersion());
  }
}
