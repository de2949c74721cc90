package io.fleetgate.command;

import static io.fleetgate.command.CommandFixture.answering;
import static io.fleetgate.TestGateway.eventually;
import static io.fleetgate.command.CommandFixture.provision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.command.CommandFixture.FakeUnit;
import io.fleetgate.command.CommandFixture.Unit;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many commands at once, and units that reconnect while commands wait. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CommandConcurrencyTest {
  static TestGateway gw;
  static String token;

  @BeforeAll
  static void start() {
    gw = TestGateway.start(Map.of("command.queuePerVehicle", 50));
    token = gw.token(CommandFixture.FLEET, Permission.VEHICLE_COMMANDS);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Future<HttpResponse<Buffer>> sendAsync(Unit u, String name) {
    return gw.http.post("/vehicles/" + u.vehicleId() + "/commands/" + name).putHeader("Authorization", "Bearer " + token)
        .putHeader("Prefer", "respond-async").send();
  }

  static String status(Unit u, String id) {
    return CommandFixture.get(gw, token, "/vehicles/" + u.vehicleId() + "/commands/" + id).bodyAsJsonObject().getString("status");
  }

  @Test
  void twoHundredConcurrentCommandsToTenUnitsEachEndOnceAndReachTheUnitOnce() {
    List<Unit> units = new ArrayList<>();
    List<FakeUnit> clients = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Unit u = provision(gw);
      units.add(u);
      // half the units are online from the start, half come online while the commands arrive
      clients.add(i % 2 == 0 ? new FakeUnit(gw, u, answering("SUCCEEDED", null)).subscribe() : null);
    }
    double succeededBefore = counter("SUCCEEDED");
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    Map<Integer, Unit> unitOf = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      unitOf.put(i, units.get(i % 10));
      sent.add(sendAsync(units.get(i % 10), i % 2 == 0 ? "lock-central-lock" : "unlock-central-lock"));
      if (i == 100) {
        for (int k = 1; k < 10; k += 2) {
          clients.set(k, new FakeUnit(gw, units.get(k), answering("SUCCEEDED", null)).subscribe());
        }
      }
    }
    TestGateway.await(Future.join(sent));
    Map<String, Unit> ids = new HashMap<>();
    for (int i = 0; i < 200; i++) {
      HttpResponse<Buffer> r = sent.get(i).result();
      assertEquals(202, r.statusCode(), r::bodyAsString);
      ids.put(r.bodyAsJsonObject().getString("command_id"), unitOf.get(i));
    }
    eventually("all 200 answered", 30_000, () -> counter("SUCCEEDED") - succeededBefore >= 200);
    ids.forEach((id, u) -> assertEquals("SUCCEEDED", status(u, id)));
    assertEquals(200.0, counter("SUCCEEDED") - succeededBefore, "each command ended exactly once");
    for (int i = 0; i < 10; i++) {
      Map<String, Long> times = clients.get(i).received.stream()
          .collect(Collectors.groupingBy(c -> c.getString("id"), Collectors.counting()));
      assertEquals(20, times.size(), "unit " + i + " got its 20 commands");
      assertTrue(times.values().stream().allMatch(n -> n == 1), "each exactly once: " + times);
      clients.get(i).close();
    }
  }

  @Test
  void aUnitThatReconnectsWhileCommandsWaitGetsEachOnce() throws Exception {
    Unit u = provision(gw);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(TestGateway.await(sendAsync(u, "draw-attention")).bodyAsJsonObject().getString("command_id"));
    }
    try (FakeUnit first = new FakeUnit(gw, u, null)) {
      // connected, not yet subscribed: a second connection of the same unit takes over and subscribes
      try (FakeUnit second = new FakeUnit(gw, u, answering("SUCCEEDED", null))) {
        eventually("first taken over", 5_000, () -> !first.client.getState().isConnected());
        second.subscribe();
        for (String id : ids) {
          eventually(id + " answered", 10_000, () -> "SUCCEEDED".equals(status(u, id)));
        }
        // and once more, while subscribed: a third connection takes over; new commands go to it only
        try (FakeUnit third = new FakeUnit(gw, u, answering("SUCCEEDED", null)).subscribe()) {
          eventually("second taken over", 5_000, () -> !second.client.getState().isConnected());
          List<String> later = new ArrayList<>();
          for (int i = 0; i < 5; i++) {
            later.add(TestGateway.await(sendAsync(u, "draw-attention")).bodyAsJsonObject().getString("command_id"));
          }
          for (String id : later) {
            eventually(id + " answered", 10_000, () -> "SUCCEEDED".equals(status(u, id)));
          }
          assertEquals(later, third.received.stream().map(c -> c.getString("id")).toList());
        }
        assertEquals(ids, second.received.stream().map(c -> c.getString("id")).toList());
      }
      assertTrue(first.received.isEmpty());
    }
  }

  static double counter(String status) {
    var c = gw.gateway.metrics.find("fleetgate_command_status_changes").tag("status", status).counter();
    return c == null ? 0 : c.count();
  }

}
