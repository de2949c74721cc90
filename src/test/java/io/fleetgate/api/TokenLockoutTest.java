package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.api.HttpCalls.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.fleet.ApiClient;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Failed client-credential checks are limited per remote address and per (address, client), never per client
 * alone: whoever fails gets 429, but a correct secret from an address that has not failed is never refused
 * because others failed (contract: "Authentication"). Callers come from distinct loopback addresses
 * (127.0.0.x, each test its own), bound as the client socket's local address.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TokenLockoutTest {
  static final int PER_ADDRESS = 8;
  static final int PER_PAIR = 3;
  static final String SECRET = "the-right-secret-0123456789";
  static TestGateway gw;
  static final Map<String, WebClient> clients = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() {
    gw = TestGateway.start(Map.of("rate.tokenFailuresPerMinute", PER_ADDRESS, "rate.tokenFailuresPerClientPerMinute", PER_PAIR));
    gw.fleet("lockout");
  }

  @AfterAll
  static void stop() {
    clients.values().forEach(WebClient::close);
    gw.close();
  }

  /** A client whose secret has never been checked (so no answer comes from the verified-credential cache). */
  static String newClient() {
    ApiClient client = new ApiClient("cl_" + UUID.randomUUID(), "lockout", "t", EnumSet.of(Permission.VEHICLES_RO),
        await(gw.gateway.secrets.hash(SECRET)), Instant.now());
    gw.gateway.directory.put(client);
    return client.clientId();
  }

  /** A token request from {@code fromAddress} (a 127.0.0.x of this machine). */
  static HttpResponse<Buffer> token(String fromAddress, String clientId, String secret) {
    WebClient from = clients.computeIfAbsent(fromAddress, a -> WebClient.create(gw.vertx,
        new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gw.gateway.httpPort()).setLocalAddress(a)));
    return await(from.post(AuthRoutes.TOKEN_PATH).basicAuthentication(clientId, secret)
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")));
  }

  /** The statuses of {@code n} wrong-secret requests for {@code clientId} from one address. */
  static List<Integer> wrong(String fromAddress, String clientId, int n) {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      statuses.add(token(fromAddress, clientId, "wrong-secret-" + i).statusCode());
    }
    return statuses;
  }

  static long count(List<Integer> statuses, int status) {
    return statuses.stream().filter(s -> s == status).count();
  }

  @Test
  void wrongSecretsFromOneAddressLimitThatAddressButNotTheClientElsewhere() {
    String x = newClient();
    List<Integer> attack = wrong("127.0.0.2", x, 25);
    assertEquals(PER_PAIR, count(attack, 401), attack::toString);
    assertEquals(25 - PER_PAIR, count(attack, 429), attack::toString);
    HttpResponse<Buffer> refused = token("127.0.0.2", x, "yet-another-wrong-one");
    problem(refused, 429, "too-many-requests");
    assertNotNull(refused.getHeader("Retry-After"));

    HttpResponse<Buffer> ok = token("127.0.0.3", x, SECRET);
    assertEquals(200, ok.statusCode(), ok.bodyAsString());
  }

  @Test
  void aTrickleOfFailuresFromManyAddressesNeverLocksOutACleanAddress() {
    String y = newClient();
    for (int a = 10; a < 20; a++) {
      // each address stays under its own limits; together they fail far more often than any one bound
      List<Integer> trickle = wrong("127.0.0." + a, y, PER_PAIR - 1);
      assertEquals(PER_PAIR - 1, count(trickle, 401), "address " + a + ": " + trickle);
    }
    HttpResponse<Buffer> ok = token("127.0.0.20", y, SECRET);
    assertEquals(200, ok.statusCode(), ok.bodyAsString());
  }

  @Test
  void aFailingAddressIsLimitedAcrossClientIds() {
    String known = newClient();
    List<Integer> spread = new ArrayList<>();
    spread.addAll(wrong("127.0.0.30", known, 1));
    for (int i = 0; i < PER_ADDRESS + 4; i++) {
      // one attempt per client id: no (address, client) bucket is ever near its limit
      spread.addAll(wrong("127.0.0.30", "cl_guess-" + UUID.randomUUID(), 1));
    }
    assertEquals(PER_ADDRESS, count(spread, 401), spread::toString);
    assertEquals(4 + 1, count(spread, 429), spread::toString);
    String other = newClient();
    problem(token("127.0.0.30", other, SECRET), 429, "too-many-requests");
    HttpResponse<Buffer> ok = token("127.0.0.31", other, SECRET);
    assertEquals(200, ok.statusCode(), ok.bodyAsString());
  }

  @Test
  void oneFailingClientDoesNotLockOutItsNeighboursAtTheSameAddress() {
    String failing = newClient();
    String neighbour = newClient();
    List<Integer> retries = wrong("127.0.0.50", failing, 3 * PER_ADDRESS);
    assertEquals(PER_PAIR, count(retries, 401), retries::toString);
    HttpResponse<Buffer> ok = token("127.0.0.50", neighbour, SECRET);
    assertEquals(200, ok.statusCode(), ok.bodyAsString());
  }

  @Test
  void theRefusalReadsTheSameForAnUnknownAndAKnownClient() {
    String known = newClient();
    String unknown = "cl_" + UUID.randomUUID();
    assertEquals(wrong("127.0.0.60", known, PER_PAIR), wrong("127.0.0.61", unknown, PER_PAIR), "the same answers up to the limit");
    HttpResponse<Buffer> forKnown = token("127.0.0.60", known, "wrong");
    HttpResponse<Buffer> forUnknown = token("127.0.0.61", unknown, "wrong");
    JsonObject k = problem(forKnown, 429, "too-many-requests");
    JsonObject u = problem(forUnknown, 429, "too-many-requests");
    assertEquals(k.getString("title"), u.getString("title"));
    assertEquals(k.getString("detail").replaceAll("[0-9]+", "N"), u.getString("detail").replaceAll("[0-9]+", "N"));
    assertEquals(forKnown.getHeader("X-Rate-Limit-Limit"), forUnknown.getHeader("X-Rate-Limit-Limit"));
    assertTrue(!k.encode().contains(known) && !u.encode().contains(unknown), "the client id is not echoed");
  }
}
