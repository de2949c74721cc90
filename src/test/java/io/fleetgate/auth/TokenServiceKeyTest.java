package io.fleetgate.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestKeys;
import io.fleetgate.config.ConfigException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Signing keys from PEM files: EC P-256 → ES256, RSA → RS256; keys are generated per run, never committed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TokenServiceKeyTest {
  static Vertx vertx;
  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  @Test
  void ecP256KeySignsEs256() throws Exception {
    Path pem = TestKeys.write(dir, "ec.pem", TestKeys.ecP256());
    issueAndVerify(TokenService.create(vertx, pem.toString(), "fleetgate", 900), "ES256", "EC");
  }

  @Test
  void rsa2048KeySignsRs256() throws Exception {
    Path pem = TestKeys.write(dir, "rsa.pem", TestKeys.rsa(2048));
    issueAndVerify(TokenService.create(vertx, pem.toString(), "fleetgate", 900), "RS256", "RSA");
  }

  private static void issueAndVerify(TokenService tokens, String alg, String kty) throws Exception {
    assertEquals(alg, tokens.algorithm());
    assertFalse(tokens.isEphemeral());
    String jwt = tokens.issue("client-1", "fleet-a", EnumSet.of(Permission.VEHICLES));
    JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8));
    assertEquals(alg, header.getString("alg"));
    JsonObject claims = tokens.verify(jwt).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals("client-1", claims.getString("sub"));
    assertEquals("fleet-a", claims.getString("fleet_id"));
    // the published key alone verifies it, and holds no private part
    JsonObject jwk = tokens.jwks().getJsonArray("keys").getJsonObject(0);
    assertEquals(kty, jwk.getString("kty"));
    for (String secret : new String[] {"d", "p", "q", "dp", "dq", "qi"}) {
      assertFalse(jwk.containsKey(secret), secret);
    }
    JWTAuth verifier = JWTAuth.create(vertx, new JWTAuthOptions().addJwk(jwk));
    assertEquals("client-1", verifier.authenticate(new TokenCredentials(jwt)).toCompletionStage().toCompletableFuture()
        .get(5, TimeUnit.SECONDS).principal().getString("sub"));
  }

  @Test
  void badKeyFilesNameTheSetting() throws Exception {
    Path weak = TestKeys.write(dir, "weak.pem", TestKeys.rsa(1024));
    ConfigException e1 = assertThrows(ConfigException.class, () -> TokenService.create(vertx, weak.toString(), "fleetgate", 900));
    assertTrue(e1.getMessage().startsWith("jwt.key"), e1.getMessage());
    Path notPem = Files.writeString(dir.resolve("x.pem"), "hello");
    ConfigException e2 = assertThrows(ConfigException.class, () -> TokenService.create(vertx, notPem.toString(), "fleetgate", 900));
    assertTrue(e2.getMessage().startsWith("jwt.key"), e2.getMessage());
    ConfigException e3 = assertThrows(ConfigException.class,
        () -> TokenService.create(vertx, dir.resolve("missing.pem").toString(), "fleetgate", 900));
    assertTrue(e3.getMessage().startsWith("jwt.key"), e3.getMessage());
  }
}
