package io.fleetgate.api;

import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.Vehicle;
import io.fleetgate.vehicle.VehicleEvents;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /events/stream} with {@code Last-Event-ID}: what happened while the client was away comes first
 * (never state events), then live events, with no gap and no duplicate even while events are published
 * during the reconnect; the stream's filters apply to the replay; a malformed id is a 400.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EventStreamResumeTest {
  static final Permission[] ALL = EventStreamApiTest.ALL;
  static TestGateway gw;
  static VehicleApi api;

  @BeforeAll
  static void start() {
    // room for the live events held while a long replay is written
    gw = TestGateway.start(Map.of("events.sseBufferEvents", 100_000));
    api = new VehicleApi(gw);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static String token() {
    return gw.token("resume-" + UUID.randomUUID().toString().substring(0, 8), ALL);
  }

  static void rename(String token, String id, String name) throws Exception {
    HttpResponse<Buffer> r = api.patch(token, "/vehicles/" + id, new JsonObject().put("master_data", new JsonObject().put("custom_name", name)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  static String car(String token) throws Exception {
    return api.add(token, VehicleApi.newVehicle().put("vehicle_model_id", "vw-golf-8-retrofit")).getString("id");
  }

  static List<String> ids(List<SseClient.Sse> events) {
    return events.stream().map(SseClient.Sse::id).toList();
  }

  static void assertAscendingWithoutDuplicates(List<String> ids) {
    assertEquals(ids.size(), new HashSet<>(ids).size(), "no duplicates");
    for (int i = 1; i < ids.size(); i++) {
      assertTrue(ids.get(i - 1).compareTo(ids.get(i)) < 0, "in message-id order at " + i);
    }
  }

  @Test
  void whatHappenedWhileAwayComesFirstThenLiveEvents() throws Exception {
    String token = token();
    String id = car(token);
    String lastSeen;
    try (SseClient first = SseClient.open(gw, token, null)) {
      rename(token, id, "one");
      eventually("first stream has the change", () -> first.ofType("VehicleChanged").size() == 1);
      lastSeen = first.ofType("VehicleChanged").get(0).id();
    }
    rename(token, id, "two");
    long t = System.currentTimeMillis();
    TestGateway.await(gw.gateway.ingest.apply(id, List.of(new Reading(Property.MILEAGE_IN_KILOMETERS, t, 7.0)), t));
    rename(token, id, "three");
    try (SseClient resumed = SseClient.open(gw, token, null, lastSeen)) {
      eventually("the two missed changes replayed", () -> resumed.events.size() >= 2);
      rename(token, id, "four");
      eventually("then the live one", () -> resumed.ofType("VehicleChanged").size() == 3);
      List<String> names = resumed.ofType("VehicleChanged").stream()
          .map(e -> e.data().getJsonObject("vehicle").getJsonObject("master_data").getString("custom_name")).toList();
      assertEquals(List.of("two", "three", "four"), names);
      assertEquals(List.of(), resumed.ofType("VehicleStateRecorded"), "state events are not in the log");
      assertAscendingWithoutDuplicates(ids(resumed.events));
      assertTrue(ids(resumed.events).get(0).compareTo(lastSeen) > 0);
    }
  }

  @Test
  void noGapAndNoDuplicateWhileEventsArePublishedDuringTheReconnect() throws Exception {
    String token = token();
    String id = car(token);
    Vehicle v = gw.gateway.registry.vehicle(id);
    List<VehicleEvents.Reason> reasons = List.of(VehicleEvents.Reason.MASTER_DATA_CHANGED);
    String lastSeen;
    try (SseClient first = SseClient.open(gw, token, "types=VehicleChanged")) {
      gw.gateway.events.changed(v, reasons);
      eventually("first stream has the change", () -> first.events.size() == 1);
      lastSeen = first.events.get(0).id();
    }
    int total = 300;
    Thread publisher = new Thread(() -> {
      for (int i = 0; i < total; i++) {
        gw.gateway.events.changed(v, reasons);
        if (i % 3 == 0) {
          LockSupport.parkNanos(1_000_000); // spread over the reconnect
        }
      }
    });
    publisher.start();
    LockSupport.parkNanos(5_000_000); // some published before the stream comes back
    try (SseClient resumed = SseClient.open(gw, token, "types=VehicleChanged", lastSeen)) {
      publisher.join();
      eventually("every event published after the last one seen", 30_000, () -> resumed.events.size() >= total);
      List<String> logged = new ArrayList<>(EventLogApiTest.ids(EventLogApiTest.all(gw, token, "&types=VehicleChanged", 500)));
      java.util.Collections.reverse(logged);
      List<String> expected = logged.subList(logged.indexOf(lastSeen) + 1, logged.size());
      assertEquals(total, expected.size());
      assertEquals(expected, ids(resumed.events), "exactly the log after the last id seen, in order");
    }
  }

  @Test
  void theReplayKeepsTheStreamsFiltersAndAnOldIdReplaysTheWholeLog() throws Exception {
    String token = token();
    String a = car(token);
    rename(token, a, "x");
    String b = car(token);
    rename(token, b, "y");
    String old = "00000000000000000000000000"; // before anything the log holds
    try (SseClient added = SseClient.open(gw, token, "types=VehicleAdded", old);
         SseClient ofB = SseClient.open(gw, token, "vehicle_id=" + b + "&last_event_id=" + old)) {
      eventually("both additions", () -> added.events.size() == 2);
      eventually("b's two events", () -> ofB.events.size() == 2);
      assertEquals(List.of(a, b), added.events.stream().map(e -> e.data().getString("vehicle_id")).toList());
      assertEquals(List.of("VehicleAdded", "VehicleChanged"), ofB.events.stream().map(SseClient.Sse::type).toList());
    }
  }

  @Test
  void aMalformedLastEventIdIsA400AndTheStreamSlotIsKept() throws Exception {
    String token = token();
    for (int i = 0; i < 6; i++) { // more than events.maxStreamsPerClient: a refused resume holds no slot
      HttpResponse<Buffer> r = TestGateway.await(gw.http.get("/events/stream").putHeader("Authorization", "Bearer " + token)
          .putHeader("Last-Event-ID", "not-an-id").send());
      VehicleApi.assertInvalid(r, "/Last-Event-ID");
    }
    HttpResponse<Buffer> q = TestGateway.await(gw.http.get("/events/stream?last_event_id=zzz").putHeader("Authorization", "Bearer " + token).send());
    VehicleApi.assertInvalid(q, "/last_event_id");
    try (SseClient ok = SseClient.open(gw, token, null, null)) {
      assertTrue(ok.events.isEmpty());
    }
  }
}
