package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.api.HttpCalls.basic;
import static io.fleetgate.api.HttpCalls.invalidAt;
import static io.fleetgate.api.HttpCalls.payload;
import static io.fleetgate.api.HttpCalls.problem;
import static io.fleetgate.api.HttpCalls.send;
import static io.fleetgate.api.HttpCalls.sendJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.TestKeys;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthRoutesTest {
  static final String TOKEN = AuthRoutes.TOKEN_PATH;
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** A fleet and an API client of it made through the API; returns {client_id, client_secret, …}. */
  static JsonObject newFleetClient(TestGateway gw, String... permissions) {
    String fleetId = "f-" + UUID.randomUUID().toString().substring(0, 8);
    String admin = gw.adminToken();
    HttpResponse<Buffer> f = sendJson(gw.http.post("/fleets"), admin,
        new JsonObject().put("fleet_id", fleetId).put("name", "Fleet").encode());
    assertEquals(201, f.statusCode(), f.bodyAsString());
    HttpResponse<Buffer> c = sendJson(gw.http.post("/fleets/" + fleetId + "/api-clients"), admin,
        new JsonObject().put("name", "ops").put("permissions", new io.vertx.core.json.JsonArray(java.util.List.of((Object[]) permissions))).encode());
    assertEquals(201, c.statusCode(), c.bodyAsString());
    return c.bodyAsJsonObject();
  }

  static HttpResponse<Buffer> tokenBasic(TestGateway gw, String id, String secret) {
    return await(gw.http.post(TOKEN).putHeader("Authorization", basic(id, secret))
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")));
  }

  static String tokenOf(TestGateway gw, String id, String secret) {
    HttpResponse<Buffer> r = tokenBasic(gw, id, secret);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("access_token");
  }

  static String encode(JsonObject json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** A request that needs a valid admin token: 200 with one, 401 otherwise. */
  static HttpResponse<Buffer> listFleets(TestGateway gw, String token) {
    return send(gw.http.get("/fleets"), token);
  }

  @Test
  void adminGetsATokenWithBasicCredentials() {
    HttpResponse<Buffer> r = tokenBasic(gw, TestGateway.ADMIN_ID, TestGateway.ADMIN_SECRET);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("no-store", r.getHeader("Cache-Control"));
    assertTrue(r.getHeader("Content-Type").startsWith("application/json"));
    JsonObject body = r.bodyAsJsonObject();
    assertEquals("bearer", body.getString("token_type"));
    assertEquals(900, body.getInteger("expires_in"));
    assertEquals("admin", body.getString("scope"));
    assertEquals(200, listFleets(gw, body.getString("access_token")).statusCode());
  }

  @Test
  void platformTokenClaims() {
    String jwt = tokenOf(gw, TestGateway.ADMIN_ID, TestGateway.ADMIN_SECRET);
    JsonObject claims = payload(jwt);
    assertEquals(TestGateway.ADMIN_ID, claims.getString("sub"));
    assertFalse(claims.containsKey("fleet_id"), "platform clients carry no fleet_id");
    assertEquals("admin", claims.getString("scope"));
    assertEquals("fleetgate", claims.getString("iss"));
    assertEquals(900L, claims.getLong("exp") - claims.getLong("iat"));
    assertTrue(Math.abs(claims.getLong("iat") - System.currentTimeMillis() / 1000) < 30);
    UUID.fromString(claims.getString("jti"));
    JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8));
    assertEquals("RS256", header.getString("alg"), "the ephemeral key is RS256");
    assertNotNull(header.getString("kid"));
    assertFalse(claims.getString("jti").equals(payload(tokenOf(gw, TestGateway.ADMIN_ID, TestGateway.ADMIN_SECRET)).getString("jti")));
  }

  @Test
  void fleetClientGetsATokenWithFormCredentials() {
    JsonObject client = newFleetClient(gw, "vehicles", "events");
    HttpResponse<Buffer> r = await(gw.http.post(TOKEN).sendForm(MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "client_credentials")
        .add("client_id", client.getString("client_id"))
        .add("client_secret", client.getString("client_secret"))));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("no-store", r.getHeader("Cache-Control"));
    JsonObject body = r.bodyAsJsonObject();
    assertEquals("vehicles events", body.getString("scope"));
    JsonObject claims = payload(body.getString("access_token"));
    assertEquals(client.getString("client_id"), claims.getString("sub"));
    assertEquals(client.getString("fleet_id"), claims.getString("fleet_id"));
    assertEquals("vehicles events", claims.getString("scope"));
    assertEquals(900L, claims.getLong("exp") - claims.getLong("iat"));
    // the token works for the fleet's own resource
    assertEquals(200, send(gw.http.get("/fleets/" + client.getString("fleet_id")), body.getString("access_token")).statusCode());
  }

  @Test
  void grantTypeMayComeInTheQuery() {
    HttpResponse<Buffer> r = await(gw.http.post(TOKEN + "?grant_type=client_credentials")
        .putHeader("Authorization", basic(TestGateway.ADMIN_ID, TestGateway.ADMIN_SECRET)).send());
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  @Test
  void aNarrowerScopeMayBeAskedFor() {
    JsonObject client = newFleetClient(gw, "vehicles", "events");
    HttpResponse<Buffer> r = await(gw.http.post(TOKEN)
        .putHeader("Authorization", basic(client.getString("client_id"), client.getString("client_secret")))
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials").add("scope", "vehicles.ro")));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("vehicles.ro", payload(r.bodyAsJsonObject().getString("access_token")).getString("scope"));
    HttpResponse<Buffer> wider = await(gw.http.post(TOKEN)
        .putHeader("Authorization", basic(client.getString("client_id"), client.getString("client_secret")))
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials").add("scope", "fleetshare")));
    invalidAt(wider, "/scope");
  }

  @Test
  void wrongSecretAndUnknownClientGetTheSameAnswer() {
    JsonObject wrong = problem(tokenBasic(gw, TestGateway.ADMIN_ID, "not-the-secret-at-all"), 401, "unauthorized");
    JsonObject unknown = problem(tokenBasic(gw, "no-such-client", "whatever-secret-0000"), 401, "unauthorized");
    wrong.remove("flow_id");
    unknown.remove("flow_id");
    assertEquals(wrong, unknown);
    assertTrue(tokenBasic(gw, "no-such-client", "x").getHeader("WWW-Authenticate").startsWith("Basic"));
    assertTrue(tokenBasic(gw, TestGateway.ADMIN_ID, "x").getHeader("WWW-Authenticate").startsWith("Basic"));
  }

  @Test
  void missingOrMalformedCredentialsAre401() {
    HttpResponse<Buffer> none = await(gw.http.post(TOKEN)
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")));
    problem(none, 401, "unauthorized");
    assertNotNull(none.getHeader("WWW-Authenticate"));
    HttpResponse<Buffer> idOnly = await(gw.http.post(TOKEN).sendForm(MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "client_credentials").add("client_id", TestGateway.ADMIN_ID)));
    problem(idOnly, 401, "unauthorized");
    HttpResponse<Buffer> notBase64 = await(gw.http.post(TOKEN).putHeader("Authorization", "Basic %%%")
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")));
    problem(notBase64, 401, "unauthorized");
    HttpResponse<Buffer> bearer = await(gw.http.post(TOKEN).putHeader("Authorization", "Bearer " + gw.adminToken())
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")));
    problem(bearer, 401, "unauthorized");
    // secrets are not taken from the URL
    HttpResponse<Buffer> inQuery = await(gw.http.post(TOKEN + "?grant_type=client_credentials&client_id=" + TestGateway.ADMIN_ID
        + "&client_secret=" + TestGateway.ADMIN_SECRET).send());
    problem(inQuery, 401, "unauthorized");
  }

  @Test
  void missingOrUnsupportedGrantIs400() {
    HttpResponse<Buffer> missing = await(gw.http.post(TOKEN)
        .putHeader("Authorization", basic(TestGateway.ADMIN_ID, TestGateway.ADMIN_SECRET)).send());
    invalidAt(missing, "/grant_type");
    HttpResponse<Buffer> other = await(gw.http.post(TOKEN)
        .putHeader("Authorization", basic(TestGateway.ADMIN_ID, TestGateway.ADMIN_SECRET))
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "password")));
    invalidAt(other, "/grant_type");
  }

  @Test
  void tamperedTokensAre401() {
    JsonObject client = newFleetClient(gw, "vehicles.ro");
    String jwt = tokenOf(gw, client.getString("client_id"), client.getString("client_secret"));
    String[] parts = jwt.split("\\.");
    String fleet = "/fleets/" + client.getString("fleet_id");
    assertEquals(200, send(gw.http.get(fleet), jwt).statusCode());

    // payload changed (more scope, no fleet), signature kept
    JsonObject forged = payload(jwt).put("scope", "admin");
    forged.remove("fleet_id");
    HttpResponse<Buffer> r1 = send(gw.http.get("/fleets"), parts[0] + "." + encode(forged) + "." + parts[2]);
    problem(r1, 401, "unauthorized");
    assertTrue(r1.getHeader("WWW-Authenticate").startsWith("Bearer"));

    // signature changed in its middle
    char[] sig = parts[2].toCharArray();
    int mid = sig.length / 2;
    sig[mid] = sig[mid] == 'A' ? 'B' : 'A';
    problem(send(gw.http.get(fleet), parts[0] + "." + parts[1] + "." + new String(sig)), 401, "unauthorized");

    // garbage and no token at all
    problem(send(gw.http.get(fleet), "not.a.jwt"), 401, "unauthorized");
    problem(send(gw.http.get(fleet), null), 401, "unauthorized");
  }

  @Test
  void algNoneTokensAre401() {
    String jwt = gw.adminToken();
    String[] parts = jwt.split("\\.");
    String none = encode(new JsonObject().put("alg", "none").put("typ", "JWT"));
    problem(listFleets(gw, none + "." + parts[1] + "."), 401, "unauthorized");
    problem(listFleets(gw, none + "." + parts[1]), 401, "unauthorized");
    problem(listFleets(gw, none + "." + parts[1] + "." + parts[2]), 401, "unauthorized");
    // the same header trick with an HMAC alg keyed with the public key
    String hs = encode(new JsonObject().put("alg", "HS256").put("typ", "JWT"));
    problem(listFleets(gw, hs + "." + parts[1] + "." + parts[2]), 401, "unauthorized");
  }

  @Test
  void aTokenOfAnotherGatewayIs401() {
    try (TestGateway other = TestGateway.start()) {
      String foreign = other.adminToken();
      assertEquals(200, listFleets(other, foreign).statusCode());
      problem(listFleets(gw, foreign), 401, "unauthorized");
    }
  }

  @Test
  void tokensOfADeletedClientStopWorkingAtOnce() {
    JsonObject client = newFleetClient(gw, "vehicles");
    String fleetId = client.getString("fleet_id");
    String jwt = tokenOf(gw, client.getString("client_id"), client.getString("client_secret"));
    assertEquals(200, send(gw.http.get("/fleets/" + fleetId), jwt).statusCode());
    HttpResponse<Buffer> del = send(gw.http.delete("/fleets/" + fleetId + "/api-clients/" + client.getString("client_id")), gw.adminToken());
    assertEquals(204, del.statusCode(), del.bodyAsString());
    problem(send(gw.http.get("/fleets/" + fleetId), jwt), 401, "unauthorized");
    // and its (cached) credentials no longer get a token
    problem(tokenBasic(gw, client.getString("client_id"), client.getString("client_secret")), 401, "unauthorized");
  }

  @Test
  void jwksPublishesThePublicKeyThatVerifiesTokens() throws Exception {
    HttpResponse<Buffer> r = await(gw.http.get("/.well-known/jwks.json").send());
    assertEquals(200, r.statusCode());
    JsonObject jwks = r.bodyAsJsonObject();
    assertEquals(1, jwks.getJsonArray("keys").size());
    JsonObject key = jwks.getJsonArray("keys").getJsonObject(0);
    assertEquals("RSA", key.getString("kty"));
    assertEquals("RS256", key.getString("alg"));
    for (String privatePart : new String[] {"d", "p", "q", "dp", "dq", "qi"}) {
      assertFalse(key.containsKey(privatePart), "no private part: " + privatePart);
    }
    String jwt = tokenOf(gw, TestGateway.ADMIN_ID, TestGateway.ADMIN_SECRET);
    assertEquals(key.getString("kid"), new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]))).getString("kid"));

    JWTAuth verifier = JWTAuth.create(gw.vertx, new JWTAuthOptions().addJwk(key));
    var user = verifier.authenticate(new TokenCredentials(jwt)).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(TestGateway.ADMIN_ID, user.principal().getString("sub"));
    // and a token of another key does not verify with it
    JWTAuth stranger = JWTAuth.create(gw.vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm("ES256").setBuffer(TestKeys.pkcs8Pem(TestKeys.ecP256()))));
    String foreign = stranger.generateToken(new JsonObject().put("sub", "x"), new JWTOptions().setAlgorithm("ES256"));
    assertThrows(Exception.class, () -> verifier.authenticate(new TokenCredentials(foreign))
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS));
  }

  @Test
  void openIdConfigurationNamesTheListenerNotTheRequestHost() {
    // the document is publicly cacheable: a forged Host must not end up in it (http.publicBaseUrl unset here)
    HttpResponse<Buffer> r = await(gw.http.get("/.well-known/openid-configuration").putHeader("Host", "evil.example:8443").send());
    assertEquals(200, r.statusCode());
    JsonObject c = r.bodyAsJsonObject();
    assertEquals("fleetgate", c.getString("issuer"));
    String base = "http://127.0.0.1:" + gw.gateway.httpPort();
    assertEquals(base + "/auth/oauth/token", c.getString("token_endpoint"));
    assertEquals(base + "/.well-known/jwks.json", c.getString("jwks_uri"));
    assertEquals(java.util.List.of("client_credentials"), c.getJsonArray("grant_types_supported").getList());
    assertEquals(java.util.List.of("client_secret_basic", "client_secret_post"),
        c.getJsonArray("token_endpoint_auth_methods_supported").getList());
    assertEquals(java.util.List.of("RS256"), c.getJsonArray("id_token_signing_alg_values_supported").getList());
  }

  /**
   * With a configured key, the test can sign with the gateway's own key material: an expired token is then
   * refused for its expiry alone (the same token with a future exp is accepted).
   */
  @Test
  void expiredTokensAre401(@TempDir Path dir) throws Exception {
    KeyPair pair = TestKeys.ecP256();
    Path pem = TestKeys.write(dir, "jwt.pem", pair);
    try (TestGateway keyed = TestGateway.start(Map.of("jwt.key", pem.toString()))) {
      JWTAuth forger = JWTAuth.create(keyed.vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
          .setAlgorithm("ES256").setBuffer(TestKeys.pkcs8Pem(pair))));
      long now = System.currentTimeMillis() / 1000;
      JsonObject claims = new JsonObject().put("sub", TestGateway.ADMIN_ID).put("scope", "admin").put("iss", "fleetgate")
          .put("jti", UUID.randomUUID().toString());
      String valid = forger.generateToken(claims.copy().put("iat", now).put("exp", now + 600),
          new JWTOptions().setAlgorithm("ES256"));
      assertEquals(200, listFleets(keyed, valid).statusCode());
      String expired = forger.generateToken(claims.copy().put("iat", now - 1000).put("exp", now - 100),
          new JWTOptions().setAlgorithm("ES256"));
      problem(listFleets(keyed, expired), 401, "unauthorized");
      String otherIssuer = forger.generateToken(claims.copy().put("iss", "someone-else").put("iat", now).put("exp", now + 600),
          new JWTOptions().setAlgorithm("ES256"));
      problem(listFleets(keyed, otherIssuer), 401, "unauthorized");
    }
  }
}
