package io.fleetgate.api;

import static io.fleetgate.api.HttpCalls.problem;
import static io.fleetgate.api.HttpCalls.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fleetgate.TestGateway;
import io.fleetgate.TestKeys;
import io.fleetgate.auth.Permission;
import io.fleetgate.fleet.ApiClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens signed with the gateway's own key but with claims it never issues (no {@code exp}, a string
 * {@code exp}, a {@code sub} that is not a string...) are 401 {@code unauthorized}, never accepted forever and
 * never a 500. The key leaking is not the scenario: a signer bug or a second service sharing the key is.
 */
@Timeout(60)
class TokenClaimsApiTest {
  private static final String FLEET = "fleet-claims";
  @TempDir
  static Path dir;
  static TestGateway gw;
  static JWTAuth signer;
  static String kid;
  static String clientId;

  @BeforeAll
  static void start() throws Exception {
    KeyPair key = TestKeys.ecP256();
    Path pem = TestKeys.write(dir, "jwt.pem", key);
    gw = TestGateway.start(Map.of("jwt.key", pem.toString()));
    signer = JWTAuth.create(gw.vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(Files.readString(pem))));
    kid = gw.gateway.tokens.jwks().getJsonArray("keys").getJsonObject(0).getString("kid");
    gw.fleet(FLEET);
    clientId = "c-claims";
    gw.gateway.directory.put(new ApiClient(clientId, FLEET, "test", EnumSet.of(Permission.VEHICLES), "$argon2id$unused", Instant.now()));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  /** A token of the test's client, signed with the gateway's key, with these changes to well-formed claims. */
  private static String mint(Consumer<JsonObject> change) {
    JsonObject claims = new JsonObject().put("sub", clientId).put("fleet_id", FLEET).put("scope", "vehicles")
        .put("jti", "j-1").put("iss", "fleetgate").put("iat", now()).put("exp", now() + 600);
    change.accept(claims);
    return signer.generateToken(claims, new JWTOptions().setAlgorithm("ES256").setNoTimestamp(true)
        .setHeader(new JsonObject().put("kid", kid)));
  }

  private static void assertUnauthorized(String token) {
    JsonObject body = problem(send(gw.http.get("/vehicles"), token), 401, "unauthorized");
    assertNotNull(body.getString("detail"));
    assertEquals("Bearer realm=\"fleetgate\"", send(gw.http.get("/vehicles"), token).getHeader("WWW-Authenticate"));
  }

  @Test
  void wellFormedMintedTokenIsAccepted() {
    // the control: what the other tests change is all that makes them fail
    assertEquals(200, send(gw.http.get("/vehicles"), mint(c -> {})).statusCode());
  }

  @Test
  void tokenWithoutExpIsRefused() {
    assertUnauthorized(mint(c -> c.remove("exp")));
  }

  @Test
  void stringExpIsRefusedNotA500() {
    assertUnauthorized(mint(c -> c.put("exp", "9999999999")));
  }

  @Test
  void fractionalNegativeAndHugeExpAreRefused() {
    assertUnauthorized(mint(c -> c.put("exp", now() + 600.5)));
    assertUnauthorized(mint(c -> c.put("exp", -1)));
    assertUnauthorized(mint(c -> c.put("exp", new java.math.BigInteger("99999999999999999999999999"))));
    assertUnauthorized(mint(c -> c.put("exp", 1e300)));
    assertUnauthorized(mint(c -> c.put("exp", now() + 10L * 365 * 24 * 3600))); // longer than any token issued
    assertUnauthorized(mint(c -> c.put("exp", new JsonObject())));
  }

  @Test
  void malformedIatIsRefused() {
    assertUnauthorized(mint(c -> c.put("iat", "yesterday")));
    assertUnauthorized(mint(c -> c.put("iat", now() + 3600)));
  }

  @Test
  void claimsOfTheWrongTypeAreRefusedNotA500() {
    assertUnauthorized(mint(c -> c.put("sub", new JsonArray().add(clientId))));
    assertUnauthorized(mint(c -> c.remove("sub")));
    assertUnauthorized(mint(c -> c.put("fleet_id", 7)));
    assertUnauthorized(mint(c -> c.put("scope", new JsonArray().add("vehicles"))));
    assertUnauthorized(mint(c -> c.put("jti", 1)));
    // and the gateway still serves good tokens afterwards
    assertEquals(200, send(gw.http.get("/vehicles"), mint(c -> {})).statusCode());
  }
}
