package io.fleetgate.api;

import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestClock;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.events.EventType;
import io.fleetgate.store.PgTestDatabase;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /events}: a fleet's log newest first, cursors and filters, bad input, what a partner and a
 * stranger see, state events never logged, retention and the in-memory bound.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EventLogApiTest {
  static final Permission[] ALL = EventStreamApiTest.ALL;
  static TestGateway gw;
  static VehicleApi api;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
    api = new VehicleApi(gw);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static JsonObject page(TestGateway g, String token, String query) throws Exception {
    HttpResponse<Buffer> r = TestGateway.await(g.http.get("/events" + query).putHeader("Authorization", "Bearer " + token).send());
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static HttpResponse<Buffer> raw(String token, String query) throws Exception {
    return api.get(token, "/events" + query);
  }

  /** Every envelope of the log (following next cursors, {@code limit} per page), newest first. */
  static List<JsonObject> all(TestGateway g, String token, String filters, int limit) throws Exception {
    List<JsonObject> out = new ArrayList<>();
    JsonObject p = page(g, token, "?limit=" + limit + filters);
    while (true) {
      p.getJsonArray("items").forEach(o -> out.add((JsonObject) o));
      String next = p.getJsonObject("cursors").getString("next");
      if (next == null) {
        return out;
      }
      p = page(g, token, "?cursor=" + next);
    }
  }

  static List<String> types(List<JsonObject> envelopes) {
    return envelopes.stream().map(e -> e.getJsonObject("metadata").getString("type")).toList();
  }

  static List<String> ids(List<JsonObject> envelopes) {
    return envelopes.stream().map(e -> e.getJsonObject("metadata").getString("message_id")).toList();
  }

  static String vehicleOf(JsonObject envelope) {
    return envelope.getJsonObject("data").getString("vehicle_id");
  }

  static String fleet() {
    return "log-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static void rename(String token, String id, String name) throws Exception {
    HttpResponse<Buffer> r = api.patch(token, "/vehicles/" + id, new JsonObject().put("master_data", new JsonObject().put("custom_name", name)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  static String car(String token) throws Exception {
    return api.add(token, VehicleApi.newVehicle().put("vehicle_model_id", "vw-golf-8-retrofit")).getString("id");
  }

  /** Owner and partner (partnered by the admin) and a stranger, each with a token of every fleet permission. */
  record Fleets(String owner, String partner, String stranger, String ownerToken, String partnerToken, String strangerToken) {}

  static Fleets fleets() throws Exception {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    Fleets f = new Fleets("own-" + tag, "par-" + tag, "str-" + tag,
        gw.token("own-" + tag, ALL), gw.token("par-" + tag, ALL), gw.token("str-" + tag, ALL));
    HttpResponse<Buffer> r = api.post(gw.adminToken(), "/partnerships",
        new JsonObject().put("fleet_ids", new io.vertx.core.json.JsonArray().add(f.owner).add(f.partner)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return f;
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void theFleetsLogNewestFirstWithWorkingCursorsAndFiltersAndNoStateEvents() throws Exception {
    String token = gw.token(fleet(), ALL);
    String a = car(token);
    String b = car(token);
    String c = car(token);
    rename(token, a, "first name");
    long t = System.currentTimeMillis();
    TestGateway.await(gw.gateway.ingest.apply(b, List.of(new Reading(Property.MILEAGE_IN_KILOMETERS, t, 12.5)), t));
    HttpResponse<Buffer> sent = TestGateway.await(gw.http.post("/vehicles/" + a + "/commands/lock-central-lock")
        .putHeader("Authorization", "Bearer " + token).putHeader("Prefer", "respond-async").send());
    assertEquals(202, sent.statusCode(), sent.bodyAsString());
    assertEquals(204, api.delete(token, "/vehicles/" + c).statusCode());

    List<JsonObject> log = all(gw, token, "", 100);
    assertEquals(List.of("VehicleRemoved", "VehicleCommandStatusChanged", "VehicleChanged", "VehicleAdded", "VehicleAdded",
        "VehicleAdded"), types(log), "newest first, no VehicleStateRecorded");
    assertEquals(List.of(c, a, a, c, b, a), log.stream().map(EventLogApiTest::vehicleOf).toList());
    assertEquals("QUEUED", log.get(1).getJsonObject("data").getString("status"));
    List<String> ids = ids(log);
    for (int i = 1; i < ids.size(); i++) {
      assertTrue(ids.get(i - 1).compareTo(ids.get(i)) > 0, "message ids descend");
    }

    // cursors: pages of 2 and of 4 walk the same log
    assertEquals(ids, ids(all(gw, token, "", 2)));
    assertEquals(ids, ids(all(gw, token, "", 4)));
    JsonObject first = page(gw, token, "?limit=4");
    assertEquals(4, first.getJsonArray("items").size());
    JsonObject cursors = first.getJsonObject("cursors");
    assertNull(cursors.getValue("prev"));
    assertNull(cursors.getValue("last"));
    assertEquals(ids.subList(4, 6), ids(items(page(gw, token, "?cursor=" + cursors.getString("next")))));
    assertEquals(ids.subList(0, 4), ids(items(page(gw, token, "?cursor=" + cursors.getString("self")))));
    assertEquals(ids.subList(0, 4), ids(items(page(gw, token, "?cursor=" + cursors.getString("first")))));

    // filters, also carried by cursors
    assertEquals(List.of(c, b, a), all(gw, token, "&types=VehicleAdded", 1).stream().map(EventLogApiTest::vehicleOf).toList());
    assertEquals(List.of("VehicleRemoved", "VehicleChanged"), types(all(gw, token, "&types=VehicleChanged," + "VehicleRemoved", 1)));
    assertEquals(List.of("VehicleCommandStatusChanged", "VehicleChanged", "VehicleAdded"),
        types(all(gw, token, "&vehicle_id=" + a.toLowerCase(java.util.Locale.ROOT), 1)), "one vehicle (any case)");
    String changedAt = log.get(2).getJsonObject("metadata").getString("occurred_at");
    List<JsonObject> since = all(gw, token, "&from=" + enc(changedAt), 1);
    assertTrue(since.size() >= 3 && since.size() <= 6 && since.stream().allMatch(e ->
        e.getJsonObject("metadata").getString("occurred_at").compareTo(changedAt) >= 0), "from: at or after");
    List<JsonObject> until = all(gw, token, "&to=" + enc(changedAt), 1);
    assertTrue(until.stream().allMatch(e -> e.getJsonObject("metadata").getString("occurred_at").compareTo(changedAt) <= 0), "to: at or before");
    assertEquals(6, since.size() + until.size() - (int) since.stream().filter(until::contains).count(), "from and to cover the log");
    assertEquals(List.of(), items(page(gw, token, "?vehicle_id=" + a + "&types=VehicleRemoved")));
    assertEquals(List.of(), items(page(gw, token, "?from=" + enc("2000-01-01T00:00:00Z") + "&to=" + enc("2000-01-02T00:00:00Z"))));
  }

  static List<JsonObject> items(JsonObject page) {
    List<JsonObject> out = new ArrayList<>();
    page.getJsonArray("items").forEach(o -> out.add((JsonObject) o));
    return out;
  }

  @Test
  void badInputIsA400AndTamperedCursorsAreRefused() throws Exception {
    String token = gw.token(fleet(), ALL);
    car(token);
    car(token);
    VehicleApi.assertInvalid(raw(token, "?types=Nope"), "/types");
    VehicleApi.assertInvalid(raw(token, "?types=VehicleStateRecorded"), "/types");
    VehicleApi.assertInvalid(raw(token, "?limit=0"), "/limit");
    VehicleApi.assertInvalid(raw(token, "?limit=501"), "/limit");
    VehicleApi.assertInvalid(raw(token, "?from=yesterday"), "/from");
    VehicleApi.assertInvalid(raw(token, "?to=2026-13-01T00:00:00Z"), "/to");
    VehicleApi.assertInvalid(raw(token, "?from=" + enc("2026-02-01T00:00:00Z") + "&to=" + enc("2026-01-01T00:00:00Z")), "/to");
    VehicleApi.assertInvalid(raw(token, "?vehicle_id=toolong"), "/vehicle_id");
    VehicleApi.assertInvalid(raw(token, "?limit=1&limit=2"), "/limit");

    String next = page(gw, token, "?limit=1&types=VehicleAdded").getJsonObject("cursors").getString("next");
    JsonObject state = new JsonObject(new String(Base64.getUrlDecoder().decode(next), StandardCharsets.UTF_8));
    VehicleApi.assertInvalid(raw(token, "?cursor=" + next + "&limit=5"), "/limit");
    VehicleApi.assertInvalid(raw(token, "?cursor=" + next + "&types=VehicleChanged"), "/types");
    for (JsonObject tampered : List.of(
        state.copy().put("k", "vehicles"), state.copy().put("l", 501), state.copy().put("l", "1"),
        state.copy().put("b", "not-a-ulid"), state.copy().put("b", state.getString("b").toLowerCase(java.util.Locale.ROOT)),
        state.copy().put("f", new JsonObject().put("fleet_id", "someone-else")),
        state.copy().put("f", new JsonObject().put("types", 5)), state.copy().put("x", 1), withoutF(state))) {
      String bad = Base64.getUrlEncoder().withoutPadding().encodeToString(tampered.encode().getBytes(StandardCharsets.UTF_8));
      VehicleApi.assertInvalid(raw(token, "?cursor=" + bad), "/cursor");
    }
    VehicleApi.assertInvalid(raw(token, "?cursor=@@@"), "/cursor");
    // a cursor whose filter was changed to a bad value is checked like the query
    JsonObject badType = state.copy().put("f", new JsonObject().put("types", "VehicleStateRecorded"));
    VehicleApi.assertInvalid(raw(token, "?cursor=" + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(badType.encode().getBytes(StandardCharsets.UTF_8))), "/types");
    // a platform client has no fleet and so no log
    VehicleApi.assertProblem(raw(gw.adminToken(), ""), 403, "missing-permissions");
    // the gateway goes on serving
    assertEquals(2, items(page(gw, token, "")).size());
  }

  static JsonObject withoutF(JsonObject state) {
    JsonObject s = state.copy();
    s.remove("f");
    return s;
  }

  @Test
  void aPartnerHasOnlyWhatItReceivedDuringTheSharingAndAStrangerNothing() throws Exception {
    Fleets f = fleets();
    String id = car(f.ownerToken());
    rename(f.ownerToken(), id, "before");
    HttpResponse<Buffer> shared = api.post(f.ownerToken(), "/vehicles/" + id + "/sharing", new JsonObject().put("fleet_id", f.partner()));
    assertEquals(200, shared.statusCode(), shared.bodyAsString());
    rename(f.ownerToken(), id, "during");
    assertEquals(204, api.delete(f.ownerToken(), "/vehicles/" + id + "/sharing").statusCode());
    rename(f.ownerToken(), id, "after");
    car(f.ownerToken());

    List<JsonObject> partner = all(gw, f.partnerToken(), "", 100);
    assertEquals(List.of("SHARING_ENDED", "MASTER_DATA_CHANGED", "SHARING_STARTED"),
        partner.stream().map(e -> e.getJsonObject("data").getJsonArray("reasons").getString(0)).toList());
    assertTrue(partner.stream().allMatch(e -> f.partner().equals(e.getJsonObject("metadata").getString("fleet_id"))
        && id.equals(vehicleOf(e))), "the partner's own envelopes, of the shared vehicle only");
    List<JsonObject> owner = all(gw, f.ownerToken(), "", 100);
    assertEquals(List.of("VehicleAdded", "VehicleChanged", "VehicleChanged", "VehicleChanged", "VehicleChanged", "VehicleChanged",
        "VehicleAdded"), types(owner));
    // the same cause, one envelope per recipient: different message ids, the same flow id
    JsonObject ownerDuring = owner.get(3);
    JsonObject partnerDuring = partner.get(1);
    assertNotEquals(ownerDuring.getJsonObject("metadata").getString("message_id"), partnerDuring.getJsonObject("metadata").getString("message_id"));
    assertEquals(ownerDuring.getJsonObject("metadata").getString("flow_id"), partnerDuring.getJsonObject("metadata").getString("flow_id"));
    assertEquals(List.of(), all(gw, f.strangerToken(), "", 100));
    // a partner's cursor is of its own log: it cannot reach the owner's
    assertEquals(List.of(), items(page(gw, f.strangerToken(), "?cursor=" + page(gw, f.ownerToken(), "?limit=1")
        .getJsonObject("cursors").getString("next"))));
  }

  @Test
  void logEntriesPastRetentionAreNotListed() throws Exception {
    TestClock clock = TestClock.flowing();
    try (TestGateway g = TestGateway.start(Map.of("events.logRetentionDays", 2), clock)) {
      String token = g.token(fleet(), ALL);
      VehicleApi own = new VehicleApi(g);
      String old = own.add(token).getString("id");
      clock.advance(Duration.ofDays(1));
      String newer = own.add(token).getString("id");
      assertEquals(List.of(newer, old), all(g, token, "", 10).stream().map(EventLogApiTest::vehicleOf).toList());
      clock.advance(Duration.ofDays(1).plusMinutes(1));
      assertEquals(List.of(newer), all(g, token, "", 10).stream().map(EventLogApiTest::vehicleOf).toList(), "the first is past 2 days");
    }
  }

  @Test
  void inMemoryTheRingKeepsTheNewestEventsPerFleet() throws Exception {
    Assumptions.assumeFalse(PgTestDatabase.selected(), "the ring is the in-memory log");
    try (TestGateway g = TestGateway.start(Map.of("events.logPerFleet", 3))) {
      String token = g.token(fleet(), ALL);
      String other = g.token(fleet(), ALL);
      VehicleApi own = new VehicleApi(g);
      List<String> added = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        added.add(own.add(token).getString("id"));
      }
      String theirs = own.add(other).getString("id");
      assertEquals(List.of(added.get(4), added.get(3), added.get(2)), all(g, token, "", 2).stream().map(EventLogApiTest::vehicleOf).toList());
      assertEquals(List.of(theirs), all(g, other, "", 2).stream().map(EventLogApiTest::vehicleOf).toList(), "a ring per fleet");
    }
  }

  @Test
  void stateFramesNeverReachTheLog() throws Exception {
    String token = gw.token(fleet(), ALL);
    String id = car(token);
    io.fleetgate.vehicle.Vehicle v = gw.gateway.registry.vehicle(id);
    for (io.fleetgate.events.EventSink sink : gw.gateway.eventSinks) {
      if (sink instanceof io.fleetgate.events.EventLogSink) {
        assertTrue(!sink.wants(v.fleetId(), EventType.VEHICLE_STATE_RECORDED, id), "the log never asks for state events");
        assertTrue(sink.wants(v.fleetId(), EventType.VEHICLE_CHANGED, id));
      }
    }
    long t = System.currentTimeMillis();
    for (int i = 0; i < 50; i++) {
      TestGateway.await(gw.gateway.ingest.apply(id, List.of(new Reading(Property.MILEAGE_IN_KILOMETERS, t + i, (double) i)), t + i));
    }
    eventually("still only the VehicleAdded", () -> {
      try {
        return types(all(gw, token, "", 100)).equals(List.of("VehicleAdded"));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }
}
