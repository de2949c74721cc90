package io.fleetgate.command;

import static io.fleetgate.command.CommandFixture.get;
import static io.fleetgate.command.CommandFixture.post;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.TestClock;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.command.CommandFixture.Unit;
import io.fleetgate.fleet.ApiClient;
import io.fleetgate.store.PgTestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A command names who sent it ({@code issued_by}: client and fleet) on the 202 body, {@code GET} and the
 * list, for each of two clients of one fleet; on PostgreSQL it is still there after a restart.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CommandIssuedByTest {

  /** A client of {@link CommandFixture#FLEET} with a known id, and its token. */
  static String tokenOf(TestGateway gw, String clientId) {
    gw.token(CommandFixture.FLEET); // the fleet exists
    EnumSet<Permission> perms = EnumSet.of(Permission.VEHICLE_COMMANDS);
    gw.gateway.directory.put(new ApiClient(clientId, CommandFixture.FLEET, "test", perms, "$argon2id$unused", Instant.now()));
    return gw.gateway.tokens.issue(clientId, CommandFixture.FLEET, perms);
  }

  static JsonObject issuedBy(String clientId) {
    return new JsonObject().put("client_id", clientId).put("fleet_id", CommandFixture.FLEET);
  }

  static JsonObject sendAsync(TestGateway gw, String token, Unit u, String name) {
    HttpResponse<Buffer> r = post(gw, token, "/vehicles/" + u.vehicleId() + "/commands/" + name, null, true);
    assertEquals(202, r.statusCode(), r::bodyAsString);
    return r.bodyAsJsonObject();
  }

  static void assertIssuedEverywhere(TestGateway gw, String token, Unit u, Map<String, String> commandToClient) {
    for (Map.Entry<String, String> c : commandToClient.entrySet()) {
      HttpResponse<Buffer> r = get(gw, token, "/vehicles/" + u.vehicleId() + "/commands/" + c.getKey());
      assertEquals(200, r.statusCode(), r::bodyAsString);
      assertEquals(issuedBy(c.getValue()), r.bodyAsJsonObject().getJsonObject("issued_by"), "GET of " + c.getKey());
    }
    HttpResponse<Buffer> list = get(gw, token, "/vehicles/" + u.vehicleId() + "/commands");
    assertEquals(200, list.statusCode(), list::bodyAsString);
    list.bodyAsJsonObject().getJsonArray("items").forEach(o -> {
      JsonObject item = (JsonObject) o;
      assertEquals(issuedBy(commandToClient.get(item.getString("command_id"))), item.getJsonObject("issued_by"), "in the list");
    });
    assertEquals(commandToClient.size(), list.bodyAsJsonObject().getJsonArray("items").size());
  }

  @Test
  void eachCommandNamesTheClientThatSentIt() {
    try (TestGateway gw = TestGateway.start(Map.of(), TestClock.flowing())) {
      Unit u = CommandFixture.provision(gw);
      String alice = "alice-" + UUID.randomUUID();
      String bob = "bob-" + UUID.randomUUID();
      JsonObject a = sendAsync(gw, tokenOf(gw, alice), u, "lock-central-lock");
      JsonObject b = sendAsync(gw, tokenOf(gw, bob), u, "draw-attention");
      assertEquals(issuedBy(alice), a.getJsonObject("issued_by"), "the 202 body");
      assertEquals(issuedBy(bob), b.getJsonObject("issued_by"));
      assertIssuedEverywhere(gw, tokenOf(gw, "reader-" + UUID.randomUUID()), u,
          Map.of(a.getString("command_id"), alice, b.getString("command_id"), bob));
    }
  }

  @Test
  void issuedBySurvivesARestartOnPostgres() {
    Assumptions.assumeFalse(PgTestDatabase.selected(), "on PostgreSQL in either execution: once is enough");
    try (PgTestDatabase db = PgTestDatabase.create()) {
      Unit u;
      String alice = "alice-" + UUID.randomUUID();
      String id;
      try (TestGateway gw = TestGateway.start(Map.of("db.url", db.url), TestClock.flowing())) {
        u = CommandFixture.provision(gw);
        id = sendAsync(gw, tokenOf(gw, alice), u, "lock-central-lock").getString("command_id");
      }
      try (TestGateway gw = TestGateway.start(Map.of("db.url", db.url), TestClock.flowing())) {
        assertIssuedEverywhere(gw, tokenOf(gw, "reader-" + UUID.randomUUID()), u, Map.of(id, alice));
      }
    }
  }
}
