package io.fleetgate.api;

import static io.fleetgate.api.VehicleApi.assertInvalid;
import static io.fleetgate.api.VehicleApi.newVehicle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.protocol.json.Iso8601;
import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** GET /vehicles/{id}/state and /states after readings fed through the ingest path. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VehicleStateApiTest {
  static final long T0 = Iso8601.parse("2026-11-21T10:00:00Z");
  static TestGateway gw;
  static VehicleApi api;
  static String token;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
    api = new VehicleApi(gw);
    token = gw.token("state-fleet", Permission.VEHICLE_LIFECYCLE, Permission.VEHICLES_RO);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** A car retrofit vehicle: central lock and position, no top case. */
  static String car() throws Exception {
    return api.add(token, newVehicle().put("vehicle_model_id", "vw-golf-8-retrofit")).getString("id");
  }

  static void ingest(String vehicleId, long recordedAt, Reading... readings) throws Exception {
    gw.gateway.ingest.apply(vehicleId, List.of(readings), recordedAt).toCompletionStage().toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
  }

  static JsonObject ok(HttpResponse<Buffer> r) {
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  @Test
  void latestStateHoldsTheNewestReadingPerPropertyWithinCapabilities() throws Exception {
    String id = car();
    assertEquals(new JsonObject(), ok(api.get(token, "/vehicles/" + id + "/state")));
    ingest(id, T0, new Reading(Property.CENTRAL_LOCK, T0, "LOCKED"),
        new Reading(Property.POSITION, T0, new Position(52.52, 13.405)),
        new Reading(Property.TOP_CASE_LID, T0, "OPEN")); // not a capability of this car
    ingest(id, T0 + 1000, new Reading(Property.CENTRAL_LOCK, T0 - 5000, "UNLOCKED"), // older: ignored
        new Reading(Property.MILEAGE_IN_KILOMETERS, T0 + 1000, 10234.5));
    JsonObject state = ok(api.get(token, "/vehicles/" + id + "/state"));
    assertEquals(new JsonObject()
        .put("position", new JsonObject().put("timestamp", "2026-11-21T10:00:00Z")
            .put("value", new JsonObject().put("lat", 52.52).put("lon", 13.405)))
        .put("mileage_in_kilometers", new JsonObject().put("timestamp", "2026-11-21T10:00:01Z").put("value", 10234.5))
        .put("central_lock", new JsonObject().put("timestamp", "2026-11-21T10:00:00Z").put("value", "LOCKED")), state);
    JsonObject vehicle = ok(api.get(token, "/vehicles/" + id));
    assertEquals(state, vehicle.getJsonObject("latest_state"));
    assertEquals("2026-11-21T10:00:01Z", vehicle.getString("last_contact_at"));
  }

  @Test
  void historyIsNewestFirstWithFromToLimitAndCursor() throws Exception {
    String id = car();
    for (int i = 0; i < 7; i++) {
      ingest(id, T0 + i * 60_000L, new Reading(Property.MILEAGE_IN_KILOMETERS, T0 + i * 60_000L, 100.0 + i));
    }
    JsonObject all = ok(api.get(token, "/vehicles/" + id + "/states"));
    JsonArray items = all.getJsonArray("items");
    assertEquals(7, items.size());
    assertEquals("2026-11-21T10:06:00Z", items.getJsonObject(0).getString("recorded_at"));
    assertEquals(106, items.getJsonObject(0).getJsonObject("state").getJsonObject("mileage_in_kilometers").getInteger("value"));
    assertEquals("2026-11-21T10:00:00Z", items.getJsonObject(6).getString("recorded_at"));
    assertNull(all.getJsonObject("cursors").getString("next"));

    JsonObject window = ok(api.get(token, "/vehicles/" + id + "/states?from=2026-11-21T10:01:00Z&to=2026-11-21T11:04:00%2B01:00"));
    assertEquals(List.of("2026-11-21T10:04:00Z", "2026-11-21T10:03:00Z", "2026-11-21T10:02:00Z", "2026-11-21T10:01:00Z"),
        recordedAt(window));

    // walk with limit 3 inside the window
    List<String> walked = new ArrayList<>();
    JsonObject page = ok(api.get(token, "/vehicles/" + id + "/states?limit=3&from=2026-11-21T10:01:00Z"));
    while (true) {
      walked.addAll(recordedAt(page));
      String next = page.getJsonObject("cursors").getString("next");
      if (next == null) {
        break;
      }
      page = ok(api.get(token, "/vehicles/" + id + "/states?cursor=" + next));
    }
    assertEquals(List.of("2026-11-21T10:06:00Z", "2026-11-21T10:05:00Z", "2026-11-21T10:04:00Z", "2026-11-21T10:03:00Z",
        "2026-11-21T10:02:00Z", "2026-11-21T10:01:00Z"), walked);
    // a newer state recorded during the walk does not shift it
    JsonObject p1 = ok(api.get(token, "/vehicles/" + id + "/states?limit=2"));
    ingest(id, T0 + 3_600_000L, new Reading(Property.MILEAGE_IN_KILOMETERS, T0 + 3_600_000L, 200.0));
    JsonObject p2 = ok(api.get(token, "/vehicles/" + id + "/states?cursor=" + p1.getJsonObject("cursors").getString("next")));
    assertEquals(List.of("2026-11-21T10:04:00Z", "2026-11-21T10:03:00Z"), recordedAt(p2));
    assertEquals(List.of("2026-11-21T11:00:00Z", "2026-11-21T10:06:00Z"),
        recordedAt(ok(api.get(token, "/vehicles/" + id + "/states?cursor=" + p2.getJsonObject("cursors").getString("first") )) ).subList(0, 2));
  }

  @Test
  void badHistoryParametersAre400() throws Exception {
    String id = car();
    String other = car();
    assertInvalid(api.get(token, "/vehicles/" + id + "/states?from=yesterday"), "/from");
    assertInvalid(api.get(token, "/vehicles/" + id + "/states?to=2026-11-21"), "/to");
    assertInvalid(api.get(token, "/vehicles/" + id + "/states?to=2026-11-21T10:00:00"), "/to");
    assertInvalid(api.get(token, "/vehicles/" + id + "/states?from=2026-11-21T10:00:00Z&to=2026-11-21T09:00:00Z"), "/from");
    assertInvalid(api.get(token, "/vehicles/" + id + "/states?limit=0"), "/limit");
    assertInvalid(api.get(token, "/vehicles/" + id + "/states?cursor=xyz"), "/cursor");
    for (int i = 0; i < 3; i++) {
      ingest(other, T0 + i, new Reading(Property.IGNITION, T0 + i, "ON"));
    }
    String next = ok(api.get(token, "/vehicles/" + other + "/states?limit=1")).getJsonObject("cursors").getString("next");
    assertInvalid(api.get(token, "/vehicles/" + id + "/states?cursor=" + next), "/cursor"); // another vehicle's cursor
    assertInvalid(api.get(token, "/vehicles/" + other + "/states?limit=1&cursor=" + next), "/limit");
    String vehiclesCursor = ok(api.get(token, "/vehicles?limit=1")).getJsonObject("cursors").getString("next");
    assertInvalid(api.get(token, "/vehicles/" + other + "/states?cursor=" + vehiclesCursor), "/cursor");
    assertFalse(api.get(token, "/vehicles/" + other + "/states").bodyAsString().contains("\"top_case"));
  }

  static List<String> recordedAt(JsonObject page) {
    List<String> out = new ArrayList<>();
    page.getJsonArray("items").forEach(o -> out.add(((JsonObject) o).getString("recorded_at")));
    return out;
  }
}
