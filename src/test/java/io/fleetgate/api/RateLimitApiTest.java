package io.fleetgate.api;

import static io.fleetgate.api.VehicleApi.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.fleet.ApiClient;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The per-client rate limit of authenticated routes and the bound on the token endpoint, over real HTTP. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RateLimitApiTest {
  static final int BURST = 3;
  static TestGateway gw;
  static VehicleApi api;

  @BeforeAll
  static void start() {
    gw = TestGateway.start(Map.of("rate.requestsPerSecond", 10, "rate.burst", BURST, "rate.tokenFailuresPerMinute", 2));
    api = new VehicleApi(gw);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static long header(HttpResponse<Buffer> r, String name) {
    String v = r.getHeader(name);
    assertTrue(v != null, name + " missing on " + r.statusCode());
    return Long.parseLong(v);
  }

  /** Exhausts a client's bucket; returns the 429. */
  private static HttpResponse<Buffer> exhaust(String token) throws Exception {
    HttpResponse<Buffer> r;
    int n = 0;
    do {
      r = api.get(token, "/vehicles");
      n++;
    } while (r.statusCode() == 200 && n < 50);
    return r;
  }

  @Test
  void burstThenRefusedWithConsistentHeaders() throws Exception {
    String token = gw.token("rate-a", Permission.VEHICLES_RO);
    long now = Instant.now().getEpochSecond();
    long lastRemaining = BURST;
    int ok = 0;
    HttpResponse<Buffer> r = api.get(token, "/vehicles");
    while (r.statusCode() == 200) {
      ok++;
      assertEquals(BURST, header(r, "X-Rate-Limit-Limit"));
      long remaining = header(r, "X-Rate-Limit-Remaining");
      assertTrue(remaining >= 0 && remaining < BURST && remaining <= lastRemaining, "remaining " + remaining);
      lastRemaining = remaining;
      long reset = header(r, "X-Rate-Limit-Reset");
      assertTrue(reset >= now && reset <= Instant.now().getEpochSecond() + 2, "reset " + reset);
      assertNull(r.getHeader("Retry-After"));
      r = api.get(token, "/vehicles");
    }
    assertTrue(ok >= BURST, "at least the burst passes (refill may add one), got " + ok);
    assertProblem(r, 429, "too-many-requests");
    assertEquals(BURST, header(r, "X-Rate-Limit-Limit"));
    assertEquals(0, header(r, "X-Rate-Limit-Remaining"));
    assertTrue(header(r, "X-Rate-Limit-Reset") >= Instant.now().getEpochSecond());
    assertTrue(header(r, "Retry-After") >= 1);
  }

  @Test
  void oneClientsExhaustionDoesNotAffectAnother() throws Exception {
    String greedy = gw.token("rate-b", Permission.VEHICLES_RO);
    String other = gw.token("rate-b", Permission.VEHICLES_RO);
    assertEquals(429, exhaust(greedy).statusCode());
    HttpResponse<Buffer> r = api.get(other, "/vehicles");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(BURST - 1, header(r, "X-Rate-Limit-Remaining"));
  }

  @Test
  void theBucketRefillsOverTime() throws Exception {
    String token = gw.token("rate-c", Permission.VEHICLES_RO);
    assertEquals(429, exhaust(token).statusCode());
    Thread.sleep(250); // 10 per second: two tokens back
    HttpResponse<Buffer> r = api.get(token, "/vehicles");
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  @Test
  void everyAuthenticatedRouteIsLimitedEvenWhenThePermissionIsMissing() throws Exception {
    String token = gw.token("rate-d", Permission.VEHICLES_RO);
    HttpResponse<Buffer> r;
    int n = 0;
    do {
      r = api.delete(token, "/vehicles/00000");
      n++;
    } while (r.statusCode() == 403 && n < 50);
    assertProblem(r, 429, "too-many-requests");
    assertTrue(r.getHeader("Retry-After") != null);
  }

  private static HttpResponse<Buffer> tokenRequest(String clientId, String secret) {
    return TestGateway.await(gw.http.post(AuthRoutes.TOKEN_PATH).basicAuthentication(clientId, secret)
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")));
  }

  @Test
  void failedTokenRequestsAreBoundedPerAddressWhileAVerifiedClientStillGetsTokens() {
    gw.fleet("rate-e");
    String secret = "the-right-secret-0123456789";
    ApiClient client = new ApiClient("rate-e-client", "rate-e", "t", EnumSet.of(Permission.VEHICLES_RO),
        TestGateway.await(gw.gateway.secrets.hash(secret)), Instant.now());
    gw.gateway.directory.put(client);
    assertEquals(200, tokenRequest(client.clientId(), secret).statusCode(), "successful checks are given back");
    assertEquals(200, tokenRequest(client.clientId(), secret).statusCode());

    assertEquals(401, tokenRequest("nobody", "wrong-secret").statusCode());
    assertEquals(401, tokenRequest(client.clientId(), "wrong-secret").statusCode());
    HttpResponse<Buffer> refused = tokenRequest("nobody", "wrong-secret");
    assertProblem(refused, 429, "too-many-requests");
    assertTrue(header(refused, "Retry-After") >= 1);
    assertEquals(2, header(refused, "X-Rate-Limit-Limit"));
    // the client's verified secret is answered from the cache: no password check, no bound
    assertEquals(200, tokenRequest(client.clientId(), secret).statusCode());
  }
}
