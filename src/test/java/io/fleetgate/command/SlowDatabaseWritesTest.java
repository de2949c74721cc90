package io.fleetgate.command;

import static io.fleetgate.command.CommandFixture.get;
import static io.fleetgate.command.CommandFixture.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.command.CommandFixture.Unit;
import io.fleetgate.store.PgTestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Command, sharing and partner writes while PostgreSQL does not answer in time (their tables locked by
 * another session, longer than db.timeoutMs): 503 service-unavailable with Retry-After, nothing changed in
 * memory (the queue has all its places, the vehicle is not shared, no partnership) and nothing committed
 * afterwards (the server canceled the statements), so everything works once the database answers again.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowDatabaseWritesTest {

  @Test
  void writesTheDatabaseDoesNotTakeInTimeAre503AndChangeNothing() throws Exception {
    Assumptions.assumeFalse(PgTestDatabase.selected(), "on PostgreSQL in either execution: once is enough");
    try (PgTestDatabase db = PgTestDatabase.create();
        TestGateway gw = TestGateway.start(Map.of("db.url", db.url, "db.timeoutMs", 1000, "command.queuePerVehicle", 2))) {
      Unit u = CommandFixture.provision(gw);
      String partner = "par-" + UUID.randomUUID().toString().substring(0, 8);
      String stranger = "str-" + UUID.randomUUID().toString().substring(0, 8);
      gw.fleet(partner);
      gw.fleet(stranger);
      String owner = gw.token(CommandFixture.FLEET, Permission.VEHICLE_COMMANDS, Permission.FLEETSHARE, Permission.VEHICLES);
      String partnerT = gw.token(partner, Permission.VEHICLES, Permission.FLEETSHARE);
      assertEquals(201, json(gw, gw.adminToken(), "/partnerships", "{\"fleet_ids\": [\"" + CommandFixture.FLEET + "\", \"" + partner + "\"]}").statusCode());
      String shareBody = "{\"fleet_id\": \"" + partner + "\"}";

      try (Connection c = connect(db.url); Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        s.execute("LOCK TABLE commands, sharings, partnerships, invitations IN ACCESS EXCLUSIVE MODE");
        unavailable(post(gw, owner, "/vehicles/" + u.vehicleId() + "/commands/lock-central-lock", null, true));
        unavailable(json(gw, owner, "/vehicles/" + u.vehicleId() + "/sharing", shareBody));
        unavailable(json(gw, owner, "/sharing-partners/invitations", "{}"));
        unavailable(json(gw, gw.adminToken(), "/partnerships", "{\"fleet_ids\": [\"" + partner + "\", \"" + stranger + "\"]}"));
        c.rollback();
      }

      assertEquals(0, db.count("SELECT count(*) FROM commands"), "the canceled insert did not commit later");
      assertEquals(0, db.count("SELECT count(*) FROM sharings"));
      assertEquals(1, db.count("SELECT count(*) FROM partnerships"));
      assertEquals(0, db.count("SELECT count(*) FROM invitations"));
      assertEquals(404, get(gw, partnerT, "/vehicles/" + u.vehicleId()).statusCode(), "not shared");
      assertEquals(0, get(gw, owner, "/vehicles/" + u.vehicleId() + "/commands").bodyAsJsonObject().getJsonArray("items").size());
      // every place of the queue is still free, and the vehicle can be shared
      assertEquals(202, post(gw, owner, "/vehicles/" + u.vehicleId() + "/commands/lock-central-lock", null, true).statusCode());
      assertEquals(202, post(gw, owner, "/vehicles/" + u.vehicleId() + "/commands/draw-attention", null, true).statusCode());
      assertEquals(200, json(gw, owner, "/vehicles/" + u.vehicleId() + "/sharing", shareBody).statusCode());
      assertEquals(200, get(gw, partnerT, "/vehicles/" + u.vehicleId()).statusCode());
    }
  }

  private static void unavailable(HttpResponse<Buffer> r) {
    assertEquals(503, r.statusCode(), r.bodyAsString());
    assertEquals("/problems/service-unavailable", r.bodyAsJsonObject().getString("type"));
    assertNotNull(r.getHeader("Retry-After"));
  }

  private static HttpResponse<Buffer> json(TestGateway gw, String token, String path, String body) {
    return post(gw, token, path, body, false);
  }

  /** A JDBC session of its own on the test's database (a postgresql:// URL as the gateway takes it). */
  private static Connection connect(String url) throws Exception {
    URI u = URI.create(url);
    String user = u.getUserInfo() == null ? "postgres" : u.getUserInfo().split(":", 2)[0];
    String password = u.getUserInfo() != null && u.getUserInfo().contains(":") ? u.getUserInfo().split(":", 2)[1] : null;
    return DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 5432) + u.getPath(), user, password);
  }
}
