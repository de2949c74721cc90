package io.fleetgate.command;

import static io.fleetgate.command.CommandFixture.answering;
import static io.fleetgate.command.CommandFixture.delete;
import static io.fleetgate.TestGateway.eventually;
import static io.fleetgate.command.CommandFixture.get;
import static io.fleetgate.command.CommandFixture.post;
import static io.fleetgate.command.CommandFixture.provision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.command.CommandFixture.FakeUnit;
import io.fleetgate.TestClock;
import io.fleetgate.command.CommandFixture.Unit;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Commands end to end: REST in, a HiveMQ client as the unit, results back. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CommandApiTest {
  static final JsonObject UNLOCKED = new JsonObject().put("central_lock", "UNLOCKED");
  static final TestClock CLOCK = TestClock.flowing();
  static TestGateway gw;
  static String token;

  @BeforeAll
  static void start() {
    gw = TestGateway.start(Map.of(), CLOCK);
    token = gw.token(CommandFixture.FLEET, Permission.VEHICLE_COMMANDS);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static String send(Unit u, String name) {
    return "/vehicles/" + u.vehicleId() + "/commands/" + name;
  }

  static JsonObject problem(HttpResponse<Buffer> r, int status, String type) {
    assertEquals(status, r.statusCode(), r::bodyAsString);
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    JsonObject body = r.bodyAsJsonObject();
    assertEquals("/problems/" + type, body.getString("type"), body::encode);
    return body;
  }

  static JsonObject command(Unit u, String commandId) {
    HttpResponse<Buffer> r = get(gw, token, "/vehicles/" + u.vehicleId() + "/commands/" + commandId);
    assertEquals(200, r.statusCode(), r::bodyAsString);
    return r.bodyAsJsonObject();
  }

  static String status(Unit u, String commandId) {
    return command(u, commandId).getString("status");
  }

  static String sendAsync(Unit u, String name, String body) {
    HttpResponse<Buffer> r = post(gw, token, send(u, name), body, true);
    assertEquals(202, r.statusCode(), r::bodyAsString);
    JsonObject c = r.bodyAsJsonObject();
    assertEquals("/vehicles/" + u.vehicleId() + "/commands/" + c.getString("command_id"), r.getHeader("Location"));
    return c.getString("command_id");
  }

  @Test
  void synchronousSuccessAnswersWithTheStateAfterTheCommand() {
    Unit u = provision(gw);
    try (FakeUnit unit = new FakeUnit(gw, u, answering("SUCCEEDED", UNLOCKED)).subscribe()) {
      HttpResponse<Buffer> r = post(gw, token, send(u, "unlock-central-lock"), null, false);
      assertEquals(200, r.statusCode(), r::bodyAsString);
      JsonObject body = r.bodyAsJsonObject();
      assertEquals("SUCCEEDED", body.getString("status"));
      assertEquals("UNLOCKED", body.getJsonObject("state").getJsonObject("central_lock").getString("value"));
      JsonObject received = unit.received.poll();
      assertEquals(body.getString("command_id"), received.getString("id"));
      assertEquals("UNLOCK_CENTRAL_LOCK", received.getString("command"));
      assertNotNull(received.getString("expires_at"));
      JsonObject c = command(u, body.getString("command_id"));
      assertEquals("SUCCEEDED", c.getString("status"));
      assertEquals("UNLOCK_CENTRAL_LOCK", c.getString("command"));
    }
  }

  @Test
  void unitFailureIs500AndRejectionToo() {
    Unit u = provision(gw);
    try (FakeUnit unit = new FakeUnit(gw, u, answering("FAILED", null)).subscribe()) {
      JsonObject p = problem(post(gw, token, send(u, "lock-central-lock"), null, false), 500, "telematics-unit/error");
      assertTrue(p.getString("detail").contains("the unit says no"), p::encode);
      unit.answer = answering("REJECTED", null);
      problem(post(gw, token, send(u, "lock-central-lock"), "{}", false), 500, "telematics-unit/error");
    }
  }

  @Test
  void offlineOrNotSubscribedIs503() {
    Unit u = provision(gw);
    problem(post(gw, token, send(u, "draw-attention"), null, false), 503, "telematics-unit/offline");
    try (FakeUnit unit = new FakeUnit(gw, u, answering("SUCCEEDED", null))) {
      problem(post(gw, token, send(u, "draw-attention"), null, false), 503, "telematics-unit/offline");
      assertTrue(unit.received.isEmpty());
    }
  }

  @Test
  void noAnswerIs504AndALateResultIsRecorded() throws Exception {
    Unit u = provision(gw);
    try (FakeUnit unit = new FakeUnit(gw, u, null).subscribe()) {
      long start = System.nanoTime();
      problem(post(gw, token, send(u, "lock-central-lock"), "{\"ttl_seconds\": 1}", false), 504, "telematics-unit/timeout");
      assertTrue(System.nanoTime() - start < 5_000_000_000L);
      JsonObject sent = unit.received.poll(5, TimeUnit.SECONDS);
      String id = sent.getString("id");
      assertEquals("DELIVERED", status(u, id));
      unit.publishResult(new JsonObject().put("id", id).put("status", "SUCCEEDED").put("state", new JsonObject().put("central_lock", "LOCKED")));
      eventually("late result recorded", 5_000, () -> "SUCCEEDED".equals(status(u, id)));
      assertEquals("LOCKED", gw.gateway.registry.live(u.vehicleId()).state.get(io.fleetgate.vehicle.Property.CENTRAL_LOCK).value());
    }
  }

  @Test
  void refusalsBeforeAnythingIsSent() {
    Unit limited = provision(gw, List.of("LOCK_CENTRAL_LOCK"));
    problem(post(gw, token, send(limited, "draw-attention"), null, false), 409, "vehicle/command-not-supported");
    problem(post(gw, token, send(limited, "draw-attention"), null, true), 409, "vehicle/command-not-supported");
    problem(post(gw, token, send(limited, "open-sesame"), null, false), 404, "resource-not-found");
    problem(post(gw, token, send(limited, "LOCK_CENTRAL_LOCK"), null, false), 404, "resource-not-found");
    String other = gw.token("fleet-other", Permission.VEHICLE_COMMANDS);
    problem(post(gw, other, send(limited, "lock-central-lock"), null, false), 404, "resource-not-found");
    problem(post(gw, other, send(limited, "open-sesame"), null, false), 404, "resource-not-found");
    problem(get(gw, other, "/vehicles/" + limited.vehicleId() + "/commands"), 404, "resource-not-found");
    String readOnly = gw.token(CommandFixture.FLEET, Permission.VEHICLES);
    problem(post(gw, readOnly, send(limited, "lock-central-lock"), null, false), 403, "missing-permissions");
    problem(get(gw, readOnly, "/vehicles/" + limited.vehicleId() + "/commands"), 403, "missing-permissions");
    problem(post(gw, token, send(limited, "lock-central-lock"), "{\"ttl_seconds\": 0}", true), 400, "validation-error");
    problem(post(gw, token, send(limited, "lock-central-lock"), "{\"ttl_seconds\": 86401}", true), 400, "validation-error");
    problem(post(gw, token, send(limited, "lock-central-lock"), "{\"ttl\": 5}", true), 400, "validation-error");
    problem(post(gw, token, send(limited, "lock-central-lock"), "[]", true), 400, "validation-error");
    HttpResponse<Buffer> text = TestGateway.await(gw.http.post(send(limited, "lock-central-lock")).putHeader("Authorization", "Bearer " + token)
        .putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("ttl=5")));
    problem(text, 415, "unsupported-media-type");
    problem(get(gw, token, "/vehicles/" + limited.vehicleId() + "/commands/not-a-uuid"), 404, "resource-not-found");
    problem(get(gw, token, "/vehicles/" + limited.vehicleId() + "/commands/" + java.util.UUID.randomUUID()), 404, "resource-not-found");
  }

  @Test
  void asynchronousIs202WithLocationAndTheResource() {
    Unit u = provision(gw);
    HttpResponse<Buffer> r = post(gw, token, send(u, "lock-top-case"), "{\"ttl_seconds\": 600}", true);
    assertEquals(202, r.statusCode(), r::bodyAsString);
    assertEquals("respond-async", r.getHeader("Preference-Applied"));
    JsonObject c = r.bodyAsJsonObject();
    assertEquals("QUEUED", c.getString("status"));
    assertEquals(u.vehicleId(), c.getString("vehicle_id"));
    assertEquals("LOCK_TOP_CASE", c.getString("command"));
    assertNull(c.getString("detail"));
    long ttl = java.time.Instant.parse(c.getString("expires_at")).getEpochSecond() - java.time.Instant.parse(c.getString("created_at")).getEpochSecond();
    assertEquals(600, ttl);
    JsonObject fetched = get(gw, token, r.getHeader("Location")).bodyAsJsonObject();
    assertEquals(c, fetched);
    // another fleet never sees it, even knowing the id
    String other = gw.token("fleet-other", Permission.VEHICLE_COMMANDS);
    problem(get(gw, other, r.getHeader("Location")), 404, "resource-not-found");
  }

  @Test
  void queuedWhileOfflineAreDeliveredInOrderOnSubscribe() throws Exception {
    Unit u = provision(gw);
    List<String> names = List.of("unlock-central-lock", "draw-attention", "lock-central-lock", "request-vehicle-state");
    List<String> ids = names.stream().map(n -> sendAsync(u, n, null)).toList();
    ids.forEach(id -> assertEquals("QUEUED", status(u, id)));
    try (FakeUnit unit = new FakeUnit(gw, u, answering("SUCCEEDED", null))) {
      Thread.sleep(200);
      assertTrue(unit.received.isEmpty(), "nothing before the subscription");
      unit.subscribe();
      for (String id : ids) {
        JsonObject got = unit.received.poll(5, TimeUnit.SECONDS);
        assertNotNull(got, "command " + id);
        assertEquals(id, got.getString("id"));
      }
      for (String id : ids) {
        eventually(id + " answered", 5_000, () -> "SUCCEEDED".equals(status(u, id)));
      }
      // a command sent while online is delivered at once
      String online = sendAsync(u, "lock-central-lock", null);
      eventually("online command answered", 5_000, () -> "SUCCEEDED".equals(status(u, online)));
      assertEquals(ids.size() + 1, unit.received.size() + ids.size());
    }
  }

  @Test
  void expiredBeforeDeliveryNeverReachesTheUnitEvenIfTheTimerIsLate() throws Exception {
    Unit u = provision(gw);
    String id = sendAsync(u, "unlock-central-lock", "{\"ttl_seconds\": 60}");
    String fresh = sendAsync(u, "lock-central-lock", "{\"ttl_seconds\": 3600}");
    CLOCK.advance(Duration.ofSeconds(120)); // the 60-s timer has not fired (real time did not pass)
    try (FakeUnit unit = new FakeUnit(gw, u, answering("SUCCEEDED", null)).subscribe()) {
      JsonObject got = unit.received.poll(5, TimeUnit.SECONDS);
      assertEquals(fresh, got.getString("id"), "only the unexpired command is delivered");
      JsonObject expired = command(u, id);
      assertEquals("EXPIRED", expired.getString("status"));
      assertNotNull(expired.getString("detail"));
      Thread.sleep(200);
      assertTrue(unit.received.isEmpty(), "the expired command never reached the unit");
    }
  }

  @Test
  void theTimerExpiresQueuedCommands() {
    Unit u = provision(gw);
    String id = sendAsync(u, "unlock-central-lock", "{\"ttl_seconds\": 1}");
    eventually("expired by its timer", 5_000, () -> "EXPIRED".equals(status(u, id)));
  }

  @Test
  void deleteCancelsQueuedOnlyAndACanceledOneIsNeverDelivered() throws Exception {
    Unit u = provision(gw);
    String canceled = sendAsync(u, "unlock-central-lock", null);
    String kept = sendAsync(u, "lock-central-lock", null);
    HttpResponse<Buffer> d = delete(gw, token, "/vehicles/" + u.vehicleId() + "/commands/" + canceled);
    assertEquals(204, d.statusCode(), d::bodyAsString);
    assertEquals("CANCELED", status(u, canceled));
    problem(delete(gw, token, "/vehicles/" + u.vehicleId() + "/commands/" + canceled), 409, "conflict");
    try (FakeUnit unit = new FakeUnit(gw, u, null).subscribe()) {
      assertEquals(kept, unit.received.poll(5, TimeUnit.SECONDS).getString("id"));
      eventually("delivered", 5_000, () -> "DELIVERED".equals(status(u, kept)));
      problem(delete(gw, token, "/vehicles/" + u.vehicleId() + "/commands/" + kept), 409, "conflict");
      Thread.sleep(200);
      assertTrue(unit.received.isEmpty(), "the canceled command was never delivered");
    }
  }

  @Test
  void theQueueIsBounded() {
    Unit u = provision(gw);
    for (int i = 0; i < 20; i++) {
      sendAsync(u, "draw-attention", null);
    }
    problem(post(gw, token, send(u, "draw-attention"), null, true), 409, "conflict");
    String any = command(u, get(gw, token, "/vehicles/" + u.vehicleId() + "/commands?limit=1").bodyAsJsonObject()
        .getJsonArray("items").getJsonObject(0).getString("command_id")).getString("command_id");
    assertEquals(204, delete(gw, token, "/vehicles/" + u.vehicleId() + "/commands/" + any).statusCode());
    sendAsync(u, "draw-attention", null); // a place became free
  }

  @Test
  void listingIsNewestFirstWithCursors() {
    Unit u = provision(gw);
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(sendAsync(u, "draw-attention", null));
    }
    java.util.Collections.reverse(ids);
    List<String> seen = new java.util.ArrayList<>();
    String path = "/vehicles/" + u.vehicleId() + "/commands?limit=2";
    while (path != null) {
      JsonObject page = get(gw, token, path).bodyAsJsonObject();
      JsonArray items = page.getJsonArray("items");
      items.forEach(o -> seen.add(((JsonObject) o).getString("command_id")));
      String next = page.getJsonObject("cursors").getString("next");
      path = next == null ? null : "/vehicles/" + u.vehicleId() + "/commands?cursor=" + next;
    }
    assertEquals(ids, seen);
    String other = gw.token(CommandFixture.FLEET, Permission.VEHICLE_COMMANDS);
    assertEquals(5, get(gw, other, "/vehicles/" + u.vehicleId() + "/commands").bodyAsJsonObject().getJsonArray("items").size());
    problem(get(gw, token, "/vehicles/" + u.vehicleId() + "/commands?cursor=bogus"), 400, "validation-error");
  }
}
