package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static io.fleetgate.api.HttpCalls.problem;
import static io.fleetgate.api.HttpCalls.send;
import static io.fleetgate.api.HttpCalls.sendJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.TestKeys;
import io.fleetgate.auth.Permission;
import io.fleetgate.fleet.ApiClient;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An event stream lives no longer than its token: it ends within a second of the token's {@code exp} and of
 * its client's deletion, while the fleet's other streams carry on (contract: "Connections"). The gateway has
 * a configured key so that the test can mint a token that expires in two seconds.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventStreamRevocationTest {
  @TempDir
  static Path dir;
  static TestGateway gw;
  static JWTAuth minter;

  @BeforeAll
  static void start() throws Exception {
    KeyPair pair = TestKeys.ecP256();
    gw = TestGateway.start(Map.of("jwt.key", TestKeys.write(dir, "jwt.pem", pair).toString()));
    minter = JWTAuth.create(gw.vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm("ES256").setBuffer(TestKeys.pkcs8Pem(pair))));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** A vehicle of the fleet whose state events every stream of the fleet receives. */
  static String vehicle(String fleetId) {
    return gw.provisionUnit(fleetId, "U" + UUID.randomUUID().toString().replace("-", "").substring(0, 15), "unit-password-0123",
        List.of(), List.of(Property.MILEAGE_IN_KILOMETERS)).vehicleId();
  }

  static void mileage(String vehicleId, double km) {
    long at = System.currentTimeMillis();
    await(gw.gateway.ingest.apply(vehicleId, List.of(new Reading(Property.MILEAGE_IN_KILOMETERS, at, km)), at));
  }

  static boolean hasMileage(SseClient s, double km) {
    return s.ofType("VehicleStateRecorded").stream().anyMatch(e -> EventStreamApiTest.mileageOf(e) == km);
  }

  static HttpResponse<Buffer> openRaw(String token) {
    return send(gw.http.get("/events/stream"), token);
  }

  @Test
  void aStreamEndsAtItsTokensExpiryWhileEventsKeepComing() {
    String fleetId = "exp-" + UUID.randomUUID().toString().substring(0, 8);
    String longLived = gw.token(fleetId, Permission.EVENTS);
    ApiClient client = new ApiClient("c-" + UUID.randomUUID(), fleetId, "short", EnumSet.of(Permission.EVENTS),
        "$argon2id$unused", Instant.now());
    gw.gateway.directory.put(client);
    long nowS = System.currentTimeMillis() / 1000;
    long expMs = (nowS + 3) * 1000;
    String shortLived = minter.generateToken(new JsonObject().put("sub", client.clientId()).put("fleet_id", fleetId)
        .put("scope", "events").put("iss", "fleetgate").put("jti", UUID.randomUUID().toString())
        .put("iat", nowS).put("exp", nowS + 3), new JWTOptions().setAlgorithm("ES256"));
    String id = vehicle(fleetId);
    AtomicLong km = new AtomicLong();
    long feeder = gw.vertx.setPeriodic(50, t -> {
      long at = System.currentTimeMillis();
      gw.gateway.ingest.apply(id, List.of(new Reading(Property.MILEAGE_IN_KILOMETERS, at, (double) km.incrementAndGet())), at);
    });
    try (SseClient other = SseClient.open(gw, longLived, null); SseClient expiring = SseClient.open(gw, shortLived, null)) {
      eventually("the expiring stream carries events first", () -> !expiring.events.isEmpty());
      eventually("the stream ends once its token expires", expMs + 1_000 - System.currentTimeMillis() + 2_000, expiring::ended);
      long endedAt = System.currentTimeMillis();
      assertTrue(endedAt <= expMs + 1_000, "ended " + (endedAt - expMs) + " ms after exp");
      assertTrue(endedAt >= expMs - 1_000, "ended " + (expMs - endedAt) + " ms before exp");
      assertEquals(1, gw.gateway.sse.streams(fleetId), "its place in the hub is freed, the other stream stays");

      int seen = other.events.size();
      eventually("the fleet's other stream carries on", () -> other.events.size() >= seen + 5);
      assertFalse(other.ended());
      problem(openRaw(shortLived), 401, "unauthorized");
    } finally {
      gw.vertx.cancelTimer(feeder);
    }
  }

  @Test
  void aDeletedClientsStreamsEndAtOnceAndHearNothingPublishedAfterTheDelete() {
    JsonObject doomed = AuthRoutesTest.newFleetClient(gw, "events");
    String fleetId = doomed.getString("fleet_id");
    HttpResponse<Buffer> c = sendJson(gw.http.post("/fleets/" + fleetId + "/api-clients"), gw.adminToken(),
        new JsonObject().put("name", "stays").put("permissions", new JsonArray().add("events")).encode());
    assertEquals(201, c.statusCode(), c.bodyAsString());
    JsonObject stays = c.bodyAsJsonObject();
    String doomedToken = AuthRoutesTest.tokenOf(gw, doomed.getString("client_id"), doomed.getString("client_secret"));
    String staysToken = AuthRoutesTest.tokenOf(gw, stays.getString("client_id"), stays.getString("client_secret"));
    String id = vehicle(fleetId);

    try (SseClient first = SseClient.open(gw, doomedToken, null); SseClient second = SseClient.open(gw, doomedToken, null);
         SseClient other = SseClient.open(gw, staysToken, null)) {
      mileage(id, 1);
      eventually("every stream hears the first event", () -> hasMileage(first, 1) && hasMileage(second, 1) && hasMileage(other, 1));

      HttpResponse<Buffer> del = send(gw.http.delete("/fleets/" + fleetId + "/api-clients/" + doomed.getString("client_id")),
          gw.adminToken());
      assertEquals(204, del.statusCode(), del.bodyAsString());
      long answeredAt = System.currentTimeMillis();
      mileage(id, 2); // published after the answer: must never reach the deleted client
      eventually("the deleted client's streams end within a second", 1_000 - (System.currentTimeMillis() - answeredAt),
          () -> first.ended() && second.ended());
      mileage(id, 3);
      eventually("the other client's stream carries on", () -> hasMileage(other, 2) && hasMileage(other, 3));
      assertFalse(other.ended());
      for (SseClient s : List.of(first, second)) {
        assertFalse(hasMileage(s, 2) || hasMileage(s, 3), "an event published after the delete reached the deleted client");
      }
      assertEquals(1, gw.gateway.sse.streams(fleetId), "the deleted client's streams left the hub");
      problem(openRaw(doomedToken), 401, "unauthorized");
    }
  }
}
