package io.fleetgate.command;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static io.fleetgate.command.CommandFixture.answering;
import static io.fleetgate.command.CommandFixture.get;
import static io.fleetgate.command.CommandFixture.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestClock;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.command.CommandFixture.FakeUnit;
import io.fleetgate.command.CommandFixture.Unit;
import io.fleetgate.store.CarryOver;
import io.fleetgate.store.PgTestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The command queue on PostgreSQL across a restart: a second gateway on the same database, two minutes later
 * by its clock, delivers the queued commands in order when the unit connects, never delivers one that expired
 * meanwhile (EXPIRED), ends a synchronous command whose sender went with the old process (EXPIRED), keeps a
 * DELIVERED one waiting for its result, and numbers new commands above the stored ones.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CommandRestartTest {

  @Test
  void queuedCommandsAreDeliveredAfterARestartAndExpiredOnesNever() throws Exception {
    Assumptions.assumeFalse(PgTestDatabase.selected(), "on PostgreSQL in either execution: once is enough");
    try (PgTestDatabase db = PgTestDatabase.create()) {
      Unit u;
      Unit answered;
      List<String> queued = new ArrayList<>();
      String expiring;
      String delivered;
      UUID orphan = UUID.randomUUID();
      CarryOver carry;
      try (TestGateway gw = TestGateway.start(Map.of("db.url", db.url), TestClock.flowing())) {
        String token = gw.token(CommandFixture.FLEET, Permission.VEHICLE_COMMANDS);
        u = CommandFixture.provision(gw);
        answered = CommandFixture.provision(gw);
        expiring = sendAsync(gw, token, u, "unlock-central-lock", "{\"ttl_seconds\": 60}");
        for (String name : List.of("lock-central-lock", "draw-attention", "unlock-top-case")) {
          queued.add(sendAsync(gw, token, u, name, null));
        }
        // delivered (PUBACK'd) but not answered when the gateway goes
        try (FakeUnit unit = new FakeUnit(gw, answered, null).subscribe()) {
          delivered = sendAsync(gw, token, answered, "lock-top-case", null);
          eventually("delivered", () -> "DELIVERED".equals(status(gw, token, answered, delivered)));
        }
        carry = CarryOver.of(gw, List.of(CommandFixture.FLEET), List.of(u.vehicleId(), answered.vehicleId()));
      }
      // a synchronous command that was on its way when the process went (its sender went with it)
      db.execute("INSERT INTO commands (id, seq, vehicle_id, client_id, fleet_id, name, async, status, created_at, expires_at, updated_at) "
          + "VALUES ('" + orphan + "', 0, '" + u.vehicleId() + "', 'c', '" + CommandFixture.FLEET + "', 'DRAW_ATTENTION', false, "
          + "'QUEUED', now(), now() + interval '1 hour', now())");
      long lastSeq = db.count("SELECT max(seq) FROM commands");

      TestClock later = TestClock.flowing();
      later.advance(Duration.ofMinutes(2)); // past the 60-s command's expiry; its timer never ran
      try (TestGateway gw = TestGateway.start(Map.of("db.url", db.url), later)) {
        carry.into(gw);
        String token = gw.token(CommandFixture.FLEET, Permission.VEHICLE_COMMANDS);
        JsonObject expired = command(gw, token, u, expiring);
        assertEquals("EXPIRED", expired.getString("status"), "expired at start-up");
        assertNotNull(expired.getString("detail"));
        JsonObject lost = command(gw, token, u, orphan.toString());
        assertEquals("EXPIRED", lost.getString("status"));
        assertEquals(CommandService.RESTARTED, lost.getString("detail"));
        assertEquals("DELIVERED", status(gw, token, answered, delivered), "the unit has it: it stays DELIVERED");

        try (FakeUnit unit = new FakeUnit(gw, u, answering("SUCCEEDED", null)).subscribe()) {
          for (String id : queued) {
            JsonObject got = unit.received.poll(5, TimeUnit.SECONDS);
            assertNotNull(got, "queued command " + id + " delivered after the restart");
            assertEquals(id, got.getString("id"), "in the order they were queued");
          }
          for (String id : queued) {
            eventually("answered", () -> "SUCCEEDED".equals(status(gw, token, u, id)));
          }
          Thread.sleep(200);
          assertNull(unit.received.poll(), "neither the expired nor the orphaned command reached the unit");
          // a new command is numbered above the stored ones: listed first, newest first
          String fresh = sendAsync(gw, token, u, "lock-central-lock", null);
          JsonObject first = get(gw, token, "/vehicles/" + u.vehicleId() + "/commands?limit=1").bodyAsJsonObject()
              .getJsonArray("items").getJsonObject(0);
          assertEquals(fresh, first.getString("command_id"));
          assertTrue(db.count("SELECT seq FROM commands WHERE id = '" + fresh + "'") > lastSeq);
        }
        // the DELIVERED command's result comes after the restart and is recorded
        try (FakeUnit unit = new FakeUnit(gw, answered, null)) {
          unit.publishResult(new JsonObject().put("id", delivered).put("status", "SUCCEEDED"));
          eventually("late result recorded", () -> "SUCCEEDED".equals(status(gw, token, answered, delivered)));
        }
      }
    }
  }

  private static String sendAsync(TestGateway gw, String token, Unit u, String name, String body) {
    HttpResponse<Buffer> r = post(gw, token, "/vehicles/" + u.vehicleId() + "/commands/" + name, body, true);
    assertEquals(202, r.statusCode(), r::bodyAsString);
    return r.bodyAsJsonObject().getString("command_id");
  }

  private static JsonObject command(TestGateway gw, String token, Unit u, String id) {
    HttpResponse<Buffer> r = get(gw, token, "/vehicles/" + u.vehicleId() + "/commands/" + id);
    assertEquals(200, r.statusCode(), r::bodyAsString);
    return r.bodyAsJsonObject();
  }

  private static String status(TestGateway gw, String token, Unit u, String id) {
    return command(gw, token, u, id).getString("status");
  }
}
