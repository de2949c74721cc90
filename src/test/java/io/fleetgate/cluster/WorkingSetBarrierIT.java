package io.fleetgate.cluster;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.store.pg.CuttableProxy;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Contract points 1 and 8 across three nodes: a change answered 2xx by one node is visible through every other
 * node at once (no waiting, no retry), revocations are never late, and a node that cannot confirm its working
 * set is current answers 503 and is not ready.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class WorkingSetBarrierIT {
  private static final String[] PERMISSIONS = {"vehicles", "vehicle-lifecycle", "fleetshare", "vehicle-commands"};
  private static TestCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = TestCluster.start(3);
    for (int i = 0; i < 3; i++) {
      TestGateway node = cluster.node(i);
      eventually("node " + i + " ready with 3 members", 20_000,
          () -> node.gateway.cluster.members().size() == 3 && ready(node) == 200);
    }
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void everyKindOfChangeThroughOneNodeIsVisibleThroughTheOthersBeforeItsAnswer() {
    TestGateway n0 = cluster.node(0);
    TestGateway n1 = cluster.node(1);
    TestGateway n2 = cluster.node(2);
    String admin = n0.adminToken();
    String f = createFleet(n0);
    String g = createFleet(n1);
    for (TestGateway n : List.of(n1, n2)) {
      assertEquals(200, call(n, HttpMethod.GET, "/fleets/" + f, admin, null).statusCode());
    }
    // a fleet renamed on node 1: node 2 and node 0 show the new name
    assertEquals(200, call(n1, HttpMethod.PATCH, "/fleets/" + f, admin, new JsonObject().put("name", "Renamed")).statusCode());
    for (TestGateway n : List.of(n2, n0)) {
      assertEquals("Renamed", call(n, HttpMethod.GET, "/fleets/" + f, admin, null).bodyAsJsonObject().getString("name"));
    }
    // a client created on node 2 logs in on node 1 and is authorized on node 0
    JsonObject client = createClient(n2, f);
    String token = login(n1, client);
    assertEquals(200, call(n0, HttpMethod.GET, "/fleets/" + f, token, null).statusCode());
    String tokenG = login(n0, createClient(n0, g));

    // a vehicle added on node 0, changed on node 1, read on node 2
    String vehicle = addVehicle(n0, token);
    assertEquals(200, call(n2, HttpMethod.GET, "/vehicles/" + vehicle, token, null).statusCode());
    JsonObject patch = new JsonObject().put("master_data", new JsonObject().put("custom_name", "changed-on-1"));
    assertEquals(200, call(n1, HttpMethod.PATCH, "/vehicles/" + vehicle, token, patch).statusCode());
    assertEquals("changed-on-1", call(n2, HttpMethod.GET, "/vehicles/" + vehicle, token, null).bodyAsJsonObject()
        .getJsonObject("master_data").getString("custom_name"));

    // partnership on node 2, sharing on node 0: the partner reads it on node 1; ended on node 2: refused on node 0
    assertEquals(201, call(n2, HttpMethod.POST, "/partnerships", admin,
        new JsonObject().put("fleet_ids", new JsonArray().add(f).add(g))).statusCode());
    assertEquals(200, call(n0, HttpMethod.POST, "/vehicles/" + vehicle + "/sharing", token, new JsonObject().put("fleet_id", g)).statusCode());
    assertEquals(200, call(n1, HttpMethod.GET, "/vehicles/" + vehicle, tokenG, null).statusCode());
    assertEquals(204, call(n2, HttpMethod.DELETE, "/vehicles/" + vehicle + "/sharing", token, null).statusCode());
    assertEquals(404, call(n0, HttpMethod.GET, "/vehicles/" + vehicle, tokenG, null).statusCode());

    // removed on node 1: gone on node 2, archived on node 0; restored on node 2: back on node 0
    assertEquals(204, call(n1, HttpMethod.DELETE, "/vehicles/" + vehicle, token, null).statusCode());
    assertEquals(404, call(n2, HttpMethod.GET, "/vehicles/" + vehicle, token, null).statusCode());
    assertTrue(call(n0, HttpMethod.GET, "/archived-vehicles", token, null).bodyAsString().contains(vehicle));
    assertEquals(200, call(n2, HttpMethod.POST, "/archived-vehicles/" + vehicle + "/restore", token, null).statusCode());
    assertEquals(200, call(n0, HttpMethod.GET, "/vehicles/" + vehicle, token, null).statusCode());
    assertTrue(!call(n1, HttpMethod.GET, "/archived-vehicles", token, null).bodyAsString().contains(vehicle));

    // partnership ended on node 0: node 1 refuses a new sharing between the two
    assertEquals(204, call(n0, HttpMethod.DELETE, "/partnerships/" + f + "/" + g, admin, null).statusCode());
    assertEquals(409, call(n1, HttpMethod.POST, "/vehicles/" + vehicle + "/sharing", token, new JsonObject().put("fleet_id", g)).statusCode());

    // the client deleted on node 1: its token is refused on nodes 0 and 2 at once
    assertEquals(204, call(n1, HttpMethod.DELETE, "/fleets/" + f + "/api-clients/" + client.getString("client_id"), admin, null).statusCode());
    for (TestGateway n : List.of(n0, n2)) {
      assertEquals(401, call(n, HttpMethod.GET, "/fleets/" + f, token, null).statusCode());
    }
  }

  @Test
  void anEndedSharingIsRefusedOnEveryOtherNodeAtOnceInManyTrials() {
    String admin = cluster.node(0).adminToken();
    String owner = createFleet(cluster.node(0));
    String partner = createFleet(cluster.node(1));
    String ownerToken = login(cluster.node(2), createClient(cluster.node(2), owner));
    String partnerToken = login(cluster.node(0), createClient(cluster.node(0), partner));
    assertEquals(201, call(cluster.node(1), HttpMethod.POST, "/partnerships", admin,
        new JsonObject().put("fleet_ids", new JsonArray().add(owner).add(partner))).statusCode());
    String vehicle = addVehicle(cluster.node(2), ownerToken);
    int trials = 200;
    List<String> stale = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < trials; i++) {
      TestGateway a = cluster.node(i % 3);
      TestGateway b = cluster.node((i + 1) % 3);
      TestGateway c = cluster.node((i + 2) % 3);
      HttpResponse<Buffer> started = call(a, HttpMethod.POST, "/vehicles/" + vehicle + "/sharing", ownerToken,
          new JsonObject().put("fleet_id", partner));
      assertEquals(200, started.statusCode(), started.bodyAsString());
      check(stale, i, "partner reads after the start", 200, call(b, HttpMethod.GET, "/vehicles/" + vehicle, partnerToken, null));
      check(stale, i, "partner's commands after the start", 200,
          call(c, HttpMethod.GET, "/vehicles/" + vehicle + "/commands", partnerToken, null));
      assertEquals(204, call(b, HttpMethod.DELETE, "/vehicles/" + vehicle + "/sharing", ownerToken, null).statusCode());
      check(stale, i, "partner reads after the end", 404, call(c, HttpMethod.GET, "/vehicles/" + vehicle, partnerToken, null));
      check(stale, i, "partner's commands after the end", 404,
          call(a, HttpMethod.GET, "/vehicles/" + vehicle + "/commands", partnerToken, null));
    }
    System.out.println(trials + " sharing start/end trials across 3 nodes in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    assertEquals(List.of(), stale, "stale answers");
  }

  @Test
  void aDeletedClientIsRefusedOnEveryOtherNodeAtOnceInManyTrials() {
    String admin = cluster.node(0).adminToken();
    String fleet = createFleet(cluster.node(0));
    List<String> stale = new ArrayList<>();
    int trials = 100;
    for (int i = 0; i < trials; i++) {
      TestGateway a = cluster.node(i % 3);
      TestGateway b = cluster.node((i + 1) % 3);
      TestGateway c = cluster.node((i + 2) % 3);
      JsonObject client = createClient(a, fleet);
      String token = cluster.node(0).gateway.tokens.issue(client.getString("client_id"), fleet,
          java.util.EnumSet.of(io.fleetgate.auth.Permission.VEHICLES));
      check(stale, i, "new client on another node", 200, call(b, HttpMethod.GET, "/vehicles", token, null));
      assertEquals(204, call(b, HttpMethod.DELETE, "/fleets/" + fleet + "/api-clients/" + client.getString("client_id"), admin, null)
          .statusCode());
      check(stale, i, "deleted client on a third node", 401, call(c, HttpMethod.GET, "/vehicles", token, null));
      check(stale, i, "deleted client on its own node", 401, call(a, HttpMethod.GET, "/vehicles", token, null));
    }
    assertEquals(List.of(), stale, "stale answers");
  }

  /** A separate cluster: one node's PostgreSQL connection goes through a proxy the test cuts. */
  @Test
  void aNodeThatCannotReadTheChangeFeedOrLosesTheClusterAnswers503AndIsNotReady() {
    Vertx helper = Vertx.vertx();
    try (TestCluster c = TestCluster.start(1)) {
      CuttableProxy proxy = CuttableProxy.before(helper, c.database.url);
      c.add(Map.of("db.url", proxy.url));
      TestGateway n0 = c.node(0);
      TestGateway n1 = c.node(1);
      eventually("node 1 ready", 20_000, () -> n1.gateway.cluster.members().size() == 2 && ready(n1) == 200);
      String admin = n0.adminToken();
      String fleet = createFleet(n0);
      assertEquals(200, call(n1, HttpMethod.GET, "/fleets/" + fleet, admin, null).statusCode());

      proxy.cut();
      long t0 = System.nanoTime();
      assertEquals(200, call(n0, HttpMethod.PATCH, "/fleets/" + fleet, admin, new JsonObject().put("name", "Renamed")).statusCode());
      long barrierMs = (System.nanoTime() - t0) / 1_000_000;
      // node 1 could not apply it: the answer waited for its lease to run out, and node 1 refuses rather than answer the old name
      HttpResponse<Buffer> refused = call(n1, HttpMethod.GET, "/fleets/" + fleet, admin, null);
      assertEquals(503, refused.statusCode(), refused.bodyAsString() + " after a barrier of " + barrierMs + " ms");
      assertEquals("/problems/service-unavailable", refused.bodyAsJsonObject().getString("type"));
      assertEquals(503, ready(n1));
      assertTrue(await(n1.http.get("/health/ready").send()).bodyAsString().contains("change feed"));
      assertEquals(200, ready(n0));
      System.out.println("barrier with a member cut off from PostgreSQL: " + barrierMs + " ms");

      proxy.restore();
      eventually("node 1 ready again", 20_000, () -> ready(n1) == 200);
      assertEquals("Renamed", call(n1, HttpMethod.GET, "/fleets/" + fleet, admin, null).bodyAsJsonObject().getString("name"));

      c.cutOff(1); // its Hazelcast member vanishes: node 1 is out of the cluster
      eventually("node 1 refuses once out of the cluster", 5_000,
          () -> call(n1, HttpMethod.GET, "/fleets/" + fleet, admin, null).statusCode() == 503);
      assertEquals(503, ready(n1));
      await(proxy.close());
    } finally {
      helper.close();
    }
  }

  /**
   * A split: node 1 forms a Hazelcast cluster of its own (another cluster name) on the same database, so node 0
   * does not see it as a member. Node 0's writes still wait for it (it reads the feed), and node 1 never answers
   * without them.
   */
  @Test
  void aNodeSplitOffFromTheOthersButReadingTheDatabaseIsWaitedFor() {
    try (TestCluster c = TestCluster.start(1)) {
      c.add(Map.of("cluster.name", c.name + "-split"));
      TestGateway n0 = c.node(0);
      TestGateway n1 = c.node(1);
      eventually("node 1 ready on its own", 20_000, () -> ready(n1) == 200);
      assertEquals(1, n0.gateway.cluster.members().size());
      String admin = n0.adminToken();
      List<String> stale = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        String fleet = createFleet(n0);
        check(stale, i, "fleet created on the other side", 200, call(n1, HttpMethod.GET, "/fleets/" + fleet, admin, null));
        assertEquals(200, call(n1, HttpMethod.PATCH, "/fleets/" + fleet, admin, new JsonObject().put("name", "Split " + i)).statusCode());
        HttpResponse<Buffer> r = call(n0, HttpMethod.GET, "/fleets/" + fleet, admin, null);
        if (r.statusCode() != 200 || !("Split " + i).equals(r.bodyAsJsonObject().getString("name"))) {
          stale.add("trial " + i + ": rename on the other side: " + r.statusCode() + " " + r.bodyAsString());
        }
      }
      assertEquals(List.of(), stale, "stale answers");
    }
  }

  /**
   * Vehicles, partnerships and sharings created at the same moment through every node: each gets a creation
   * sequence of its own (drawn from PostgreSQL, not counted per node), so none hides another in a listing and
   * no sharing start fails as a false conflict.
   */
  @Test
  void creationsRacingThroughEveryNodeGetDistinctSequences() {
    String admin = cluster.node(0).adminToken();
    String owner = createFleet(cluster.node(0));
    String token = login(cluster.node(1), createClient(cluster.node(1), owner));
    int perNode = 8;
    List<io.vertx.core.Future<HttpResponse<Buffer>>> adds = new ArrayList<>();
    for (int i = 0; i < perNode * 3; i++) {
      adds.add(send(cluster.node(i % 3), HttpMethod.POST, "/vehicles", token, io.fleetgate.api.VehicleApi.newVehicle()));
    }
    List<String> vehicles = new ArrayList<>();
    for (io.vertx.core.Future<HttpResponse<Buffer>> f : adds) {
      HttpResponse<Buffer> r = await(f);
      assertEquals(201, r.statusCode(), r.bodyAsString());
      vehicles.add(r.bodyAsJsonObject().getString("id"));
    }
    assertEquals(perNode * 3, cluster.database.count(
        "SELECT count(DISTINCT seq) FROM vehicles WHERE fleet_id = '" + owner + "'"), "one creation sequence each");
    for (int n = 0; n < 3; n++) {
      JsonArray items = call(cluster.node(n), HttpMethod.GET, "/vehicles?limit=500", token, null).bodyAsJsonObject().getJsonArray("items");
      List<String> listed = new ArrayList<>();
      items.forEach(o -> listed.add(((JsonObject) o).getString("id")));
      assertTrue(listed.containsAll(vehicles) && listed.size() == vehicles.size(), "node " + n + " lists every vehicle: " + listed);
    }

    // partnerships with three fleets made at once through the three nodes, then every vehicle shared at once
    List<String> partners = List.of(createFleet(cluster.node(0)), createFleet(cluster.node(1)), createFleet(cluster.node(2)));
    List<io.vertx.core.Future<HttpResponse<Buffer>>> pairs = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      pairs.add(send(cluster.node(n), HttpMethod.POST, "/partnerships", admin,
          new JsonObject().put("fleet_ids", new JsonArray().add(owner).add(partners.get(n)))));
    }
    pairs.forEach(f -> assertEquals(201, await(f).statusCode(), await(f).bodyAsString()));
    assertEquals(3, cluster.database.count("SELECT count(DISTINCT seq) FROM partnerships WHERE fleet_a = '" + owner
        + "' OR fleet_b = '" + owner + "'"), "one partnership sequence each");
    List<io.vertx.core.Future<HttpResponse<Buffer>>> shares = new ArrayList<>();
    for (int i = 0; i < vehicles.size(); i++) {
      shares.add(send(cluster.node(i % 3), HttpMethod.POST, "/vehicles/" + vehicles.get(i) + "/sharing", token,
          new JsonObject().put("fleet_id", partners.get(i % 3))));
    }
    shares.forEach(f -> assertEquals(200, await(f).statusCode(), "no false conflict: " + await(f).bodyAsString()));
    assertEquals(vehicles.size(), cluster.database.count(
        "SELECT count(DISTINCT id) FROM sharings WHERE owner_fleet_id = '" + owner + "'"), "one sharing id each");
  }

  private static io.vertx.core.Future<HttpResponse<Buffer>> send(TestGateway node, HttpMethod method, String uri, String token,
      JsonObject body) {
    return node.http.request(method, uri).putHeader("Authorization", "Bearer " + token)
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.encode()));
  }

  private static void check(List<String> stale, int trial, String what, int expected, HttpResponse<Buffer> r) {
    if (r.statusCode() != expected) {
      stale.add("trial " + trial + ": " + what + ": " + r.statusCode() + " " + r.bodyAsString());
    }
  }

  static int ready(TestGateway node) {
    return await(node.http.get("/health/ready").send()).statusCode();
  }

  static String createFleet(TestGateway node) {
    String id = "fleet-" + UUID.randomUUID().toString().substring(0, 8);
    HttpResponse<Buffer> r = call(node, HttpMethod.POST, "/fleets", node.adminToken(), new JsonObject().put("fleet_id", id).put("name", "Fleet " + id));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return id;
  }

  static JsonObject createClient(TestGateway node, String fleet) {
    HttpResponse<Buffer> r = call(node, HttpMethod.POST, "/fleets/" + fleet + "/api-clients", node.adminToken(),
        new JsonObject().put("name", "ops").put("permissions", new JsonArray(List.of((Object[]) PERMISSIONS))));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  /** A token from the token endpoint of {@code node} (so the client's secret is checked there). */
  static String login(TestGateway node, JsonObject client) {
    String basic = "Basic " + Base64.getEncoder().encodeToString((client.getString("client_id") + ":" + client.getString("client_secret")).getBytes());
    HttpResponse<Buffer> r = await(node.http.post("/auth/oauth/token").putHeader("Authorization", basic)
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("access_token");
  }

  static String addVehicle(TestGateway node, String token) {
    HttpResponse<Buffer> r = call(node, HttpMethod.POST, "/vehicles", token, io.fleetgate.api.VehicleApi.newVehicle());
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  static HttpResponse<Buffer> call(TestGateway node, HttpMethod method, String uri, String token, JsonObject body) {
    HttpRequest<Buffer> req = node.http.request(method, uri).putHeader("Authorization", "Bearer " + token);
    if (body == null) {
      return await(req.send());
    }
    if (method == HttpMethod.PATCH) {
      req.putHeader("Content-Type", "application/merge-patch+json");
    } else {
      req.putHeader("Content-Type", "application/json");
    }
    return await(req.sendBuffer(Buffer.buffer(body.encode())));
  }
}
