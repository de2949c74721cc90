package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.api.HttpCalls.bearer;
import static io.fleetgate.api.HttpCalls.invalidAt;
import static io.fleetgate.api.HttpCalls.problem;
import static io.fleetgate.api.HttpCalls.send;
import static io.fleetgate.api.HttpCalls.sendJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FleetRoutesTest {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static String newId() {
    return "fleet-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static HttpResponse<Buffer> postFleet(String body) {
    return sendJson(gw.http.post("/fleets"), gw.adminToken(), body);
  }

  static String createdFleet() {
    String id = newId();
    HttpResponse<Buffer> r = postFleet(new JsonObject().put("fleet_id", id).put("name", "Acme " + id).encode());
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return id;
  }

  static HttpResponse<Buffer> postClient(String fleetId, String body) {
    return sendJson(gw.http.post("/fleets/" + fleetId + "/api-clients"), gw.adminToken(), body);
  }

  @Test
  void createAndReadAFleet() {
    String id = newId();
    HttpResponse<Buffer> r = postFleet("{\"fleet_id\": \"" + id + "\", \"name\": \"Acme Berlin\"}");
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals("/fleets/" + id, r.getHeader("Location"));
    JsonObject fleet = r.bodyAsJsonObject();
    assertEquals(id, fleet.getString("fleet_id"));
    assertEquals("Acme Berlin", fleet.getString("name"));
    assertTrue(fleet.getString("created_at").endsWith("Z"));
    HttpResponse<Buffer> get = send(gw.http.get("/fleets/" + id), gw.adminToken());
    assertEquals(200, get.statusCode());
    assertEquals(fleet, get.bodyAsJsonObject());
  }

  @Test
  void aTakenFleetIdIs409() {
    String id = createdFleet();
    problem(postFleet(new JsonObject().put("fleet_id", id).put("name", "again").encode()), 409, "conflict");
  }

  @Test
  void concurrentCreatesOfOneIdHaveOneWinner() {
    String id = newId();
    String admin = gw.adminToken();
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      all.add(bearer(gw.http.post("/fleets"), admin).putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(new JsonObject().put("fleet_id", id).put("name", "n" + i).encode())));
    }
    int created = 0;
    int conflicts = 0;
    for (Future<HttpResponse<Buffer>> f : all) {
      int status = await(f).statusCode();
      created += status == 201 ? 1 : 0;
      conflicts += status == 409 ? 1 : 0;
    }
    assertEquals(1, created);
    assertEquals(11, conflicts);
  }

  @Test
  void fleetValidationErrors() {
    invalidAt(postFleet("{\"name\": \"x\"}"), "/fleet_id");
    invalidAt(postFleet("{\"fleet_id\": \"\", \"name\": \"x\"}"), "/fleet_id");
    invalidAt(postFleet(new JsonObject().put("fleet_id", "a".repeat(101)).put("name", "x").encode()), "/fleet_id");
    invalidAt(postFleet("{\"fleet_id\": \"has space\", \"name\": \"x\"}"), "/fleet_id");
    invalidAt(postFleet("{\"fleet_id\": \"ümlaut\", \"name\": \"x\"}"), "/fleet_id");
    invalidAt(postFleet("{\"fleet_id\": 42, \"name\": \"x\"}"), "/fleet_id");
    invalidAt(postFleet("{\"fleet_id\": \"ok-id\"}"), "/name");
    invalidAt(postFleet(new JsonObject().put("fleet_id", newId()).put("name", "n".repeat(101)).encode()), "/name");
    invalidAt(postFleet("{\"fleet_id\": \"ok-id\", \"name\": \"\"}"), "/name");
    invalidAt(postFleet("{\"fleet_id\": \"ok-id\", \"name\": [\"x\"]}"), "/name");
    invalidAt(postFleet("{\"fleet_id\": \"ok-id\", \"name\": \"x\", \"colour\": \"red\"}"), "/colour");
    problem(postFleet("{\"fleet_id\": \"ok-id\", "), 400, "validation-error");
    problem(postFleet("[1, 2]"), 400, "validation-error");
    problem(postFleet(""), 400, "validation-error");
    // every error at once
    JsonObject body = invalidAt(postFleet("{\"fleet_id\": \"bad id\", \"name\": 7, \"x\": 1}"), "/fleet_id");
    assertEquals(3, body.getJsonArray("errors").size());
    // the edges are fine
    assertEquals(201, postFleet(new JsonObject().put("fleet_id", ("Z_-9" + UUID.randomUUID().toString().replace("-", "")).repeat(3)
        .substring(0, 100)).put("name", "n".repeat(100)).encode()).statusCode());
  }

  @Test
  void aBodyOverTheLimitIs413() {
    String big = new JsonObject().put("fleet_id", newId()).put("name", "x".repeat(70_000)).encode();
    problem(postFleet(big), 413, "payload-too-large");
  }

  @Test
  void renameAFleet() throws Exception {
    String id = createdFleet();
    JsonObject before = send(gw.http.get("/fleets/" + id), gw.adminToken()).bodyAsJsonObject();
    Thread.sleep(5);
    HttpResponse<Buffer> r = sendJson(gw.http.patch("/fleets/" + id), gw.adminToken(), "{\"name\": \"Renamed\"}");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject after = r.bodyAsJsonObject();
    assertEquals(id, after.getString("fleet_id"));
    assertEquals("Renamed", after.getString("name"));
    assertEquals(before.getString("created_at"), after.getString("created_at"));
    assertNotEquals(before.getString("modified_at"), after.getString("modified_at"));
    assertEquals("Renamed", send(gw.http.get("/fleets/" + id), gw.adminToken()).bodyAsJsonObject().getString("name"));

    problem(sendJson(gw.http.patch("/fleets/no-such-fleet"), gw.adminToken(), "{\"name\": \"x\"}"), 404, "resource-not-found");
    invalidAt(sendJson(gw.http.patch("/fleets/" + id), gw.adminToken(), "{\"fleet_id\": \"other\", \"name\": \"x\"}"), "/fleet_id");
    invalidAt(sendJson(gw.http.patch("/fleets/" + id), gw.adminToken(), "{}"), "/name");
    invalidAt(sendJson(gw.http.patch("/fleets/" + id), gw.adminToken(), "{\"name\": null}"), "/name");
    invalidAt(sendJson(gw.http.patch("/fleets/" + id), gw.adminToken(), "{\"name\": \"" + "n".repeat(101) + "\"}"), "/name");
  }

  @Test
  void unknownFleetIs404() {
    problem(send(gw.http.get("/fleets/no-such-fleet"), gw.adminToken()), 404, "resource-not-found");
    problem(send(gw.http.get("/fleets/no-such-fleet/api-clients"), gw.adminToken()), 404, "resource-not-found");
    problem(postClient("no-such-fleet", "{\"name\": \"x\", \"permissions\": []}"), 404, "resource-not-found");
  }

  @Test
  void aFleetsOwnClientsMayReadItOthersGet404() {
    String mine = createdFleet();
    String other = createdFleet();
    String token = gw.token(mine);
    assertEquals(200, send(gw.http.get("/fleets/" + mine), token).statusCode());
    problem(send(gw.http.get("/fleets/" + other), token), 404, "resource-not-found");
    problem(send(gw.http.get("/fleets/no-such-fleet"), token), 404, "resource-not-found");
    problem(send(gw.http.get("/fleets/" + mine), null), 401, "unauthorized");
  }

  /** Every admin route refuses every other permission with 403, even for the fleet's own clients. */
  @Test
  void everyAdminRouteNeedsAdmin() {
    String fleetId = createdFleet();
    record Call(HttpMethod method, String path, String body) {}
    List<Call> calls = List.of(
        new Call(HttpMethod.POST, "/fleets", "{\"fleet_id\": \"" + newId() + "\", \"name\": \"x\"}"),
        new Call(HttpMethod.GET, "/fleets", null),
        new Call(HttpMethod.PATCH, "/fleets/" + fleetId, "{\"name\": \"x\"}"),
        new Call(HttpMethod.POST, "/fleets/" + fleetId + "/api-clients", "{\"name\": \"x\", \"permissions\": []}"),
        new Call(HttpMethod.GET, "/fleets/" + fleetId + "/api-clients", null),
        new Call(HttpMethod.DELETE, "/fleets/" + fleetId + "/api-clients/cl_none", null));
    List<String> tokens = new ArrayList<>();
    tokens.add(gw.token(fleetId, Permission.VEHICLES, Permission.VEHICLE_COMMANDS, Permission.VEHICLE_LIFECYCLE,
        Permission.FLEETSHARE, Permission.EVENTS));
    // admin on a fleet client's record is never honoured
    tokens.add(gw.token(fleetId, Permission.ADMIN));
    for (Permission p : Permission.values()) {
      if (p != Permission.ADMIN) {
        tokens.add(gw.token(fleetId, p));
        tokens.add(gw.token(null, p));
      }
    }
    for (Call c : calls) {
      for (String token : tokens) {
        var req = gw.http.request(c.method(), c.path());
        HttpResponse<Buffer> r = c.body() == null ? send(req, token) : sendJson(req, token, c.body());
        problem(r, 403, "missing-permissions");
      }
      var req = gw.http.request(c.method(), c.path());
      problem(c.body() == null ? send(req, null) : sendJson(req, null, c.body()), 401, "unauthorized");
    }
    // a platform client without admin may not read a fleet either
    problem(send(gw.http.get("/fleets/" + fleetId), gw.token(null, Permission.VEHICLES)), 403, "missing-permissions");
  }

  @Test
  void apiClientLifecycle() {
    String fleetId = createdFleet();
    HttpResponse<Buffer> r = postClient(fleetId, "{\"name\": \"dispatch\", \"permissions\": [\"vehicles\", \"vehicle-commands\", \"vehicles\"]}");
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject created = r.bodyAsJsonObject();
    String clientId = created.getString("client_id");
    String secret = created.getString("client_secret");
    assertEquals(List.of("client_id", "client_secret", "name", "fleet_id", "permissions", "created_at"),
        new ArrayList<>(created.fieldNames()));
    assertEquals("dispatch", created.getString("name"));
    assertEquals(fleetId, created.getString("fleet_id"));
    assertEquals(new JsonArray().add("vehicles").add("vehicle-commands"), created.getJsonArray("permissions"));
    assertTrue(Base64.getUrlDecoder().decode(secret).length >= 16, "at least 128 bits of secret");
    assertTrue(clientId.length() >= 20);
    assertEquals("/fleets/" + fleetId + "/api-clients/" + clientId, r.getHeader("Location"));
    // stored hashed only
    String hash = gw.gateway.directory.client(clientId).secretHash();
    assertTrue(hash.startsWith("$argon2id$") && !hash.contains(secret));
    // two clients never share an id or a secret
    JsonObject second = postClient(fleetId, "{\"name\": \"other\", \"permissions\": []}").bodyAsJsonObject();
    assertNotEquals(clientId, second.getString("client_id"));
    assertNotEquals(secret, second.getString("client_secret"));

    HttpResponse<Buffer> list = send(gw.http.get("/fleets/" + fleetId + "/api-clients"), gw.adminToken());
    assertEquals(200, list.statusCode());
    JsonArray items = list.bodyAsJsonObject().getJsonArray("items");
    assertEquals(2, items.size());
    assertEquals(clientId, items.getJsonObject(0).getString("client_id"));
    assertFalse(list.bodyAsString().contains(secret));
    assertFalse(list.bodyAsString().contains("argon2"));
    assertFalse(items.getJsonObject(0).containsKey("client_secret"));

    // the new client gets a token with its permissions
    String token = AuthRoutesTest.tokenOf(gw, clientId, secret);
    assertEquals("vehicles vehicle-commands", HttpCalls.payload(token).getString("scope"));

    // deleting it from another fleet's path is a 404; from its own, 204, then 404
    String otherFleet = createdFleet();
    problem(send(gw.http.delete("/fleets/" + otherFleet + "/api-clients/" + clientId), gw.adminToken()), 404, "resource-not-found");
    assertEquals(204, send(gw.http.delete("/fleets/" + fleetId + "/api-clients/" + clientId), gw.adminToken()).statusCode());
    problem(send(gw.http.delete("/fleets/" + fleetId + "/api-clients/" + clientId), gw.adminToken()), 404, "resource-not-found");
    assertEquals(1, send(gw.http.get("/fleets/" + fleetId + "/api-clients"), gw.adminToken()).bodyAsJsonObject()
        .getJsonArray("items").size());
    problem(send(gw.http.get("/fleets/" + fleetId), token), 401, "unauthorized");
    // the platform administrator cannot be deleted through a fleet
    problem(send(gw.http.delete("/fleets/" + fleetId + "/api-clients/" + TestGateway.ADMIN_ID), gw.adminToken()), 404, "resource-not-found");
  }

  @Test
  void apiClientValidationErrors() {
    String fleetId = createdFleet();
    invalidAt(postClient(fleetId, "{\"name\": \"x\", \"permissions\": [\"admin\"]}"), "/permissions");
    invalidAt(postClient(fleetId, "{\"name\": \"x\", \"permissions\": [\"vehicles\", \"superuser\"]}"), "/permissions/1");
    invalidAt(postClient(fleetId, "{\"name\": \"x\", \"permissions\": \"vehicles\"}"), "/permissions");
    invalidAt(postClient(fleetId, "{\"name\": \"x\", \"permissions\": [1]}"), "/permissions/0");
    invalidAt(postClient(fleetId, "{\"name\": \"x\"}"), "/permissions");
    invalidAt(postClient(fleetId, "{\"permissions\": []}"), "/name");
    invalidAt(postClient(fleetId, "{\"name\": \"\", \"permissions\": []}"), "/name");
    invalidAt(postClient(fleetId, new JsonObject().put("name", "n".repeat(101)).put("permissions", new JsonArray()).encode()), "/name");
    invalidAt(postClient(fleetId, "{\"name\": \"x\", \"permissions\": [], \"client_secret\": \"mine\"}"), "/client_secret");
    problem(postClient(fleetId, "{\"name\": "), 400, "validation-error");
    assertEquals(0, gw.gateway.directory.clientsOf(fleetId).size(), "nothing was created");
  }
}
