package io.fleetgate.api;

import static io.fleetgate.api.HttpCalls.problem;
import static io.fleetgate.api.HttpCalls.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.problem.ProblemException;
import io.fleetgate.sharing.SharingListener;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** FleetShare over real HTTP: the who-may-do-what table, scheduled and ending sharings, listings, problems. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharingApiTest {
  static TestGateway gw;
  static VehicleApi api;
  static final List<String> events = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
    api = new VehicleApi(gw);
    gw.gateway.sharingListeners.add(new SharingListener() {
      @Override
      public void sharingStarted(String vehicleId, String owner, String partner) {
        events.add("started " + vehicleId + " " + owner + "->" + partner);
      }

      @Override
      public void sharingEnded(String vehicleId, String owner, String partner, Reason reason) {
        events.add("ended " + vehicleId + " " + owner + "->" + partner + " " + reason);
      }
    });
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** Three fleets: owner and partner (partnered by the admin over HTTP) and a stranger; tokens with every fleet permission. */
  record Fleets(String owner, String partner, String stranger, String ownerToken, String partnerToken, String strangerToken) {}

  static Fleets fleets() throws Exception {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    Permission[] all = {Permission.VEHICLES, Permission.VEHICLE_LIFECYCLE, Permission.FLEETSHARE};
    Fleets f = new Fleets("own-" + tag, "par-" + tag, "str-" + tag,
        gw.token("own-" + tag, all), gw.token("par-" + tag, all), gw.token("str-" + tag, all));
    HttpResponse<Buffer> r = api.post(gw.adminToken(), "/partnerships",
        new JsonObject().put("fleet_ids", new JsonArray().add(f.owner).add(f.partner)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return f;
  }

  static HttpResponse<Buffer> share(String token, String id, JsonObject body) throws Exception {
    return api.post(token, "/vehicles/" + id + "/sharing", body);
  }

  static JsonObject shareWith(String token, String id, String fleet) throws Exception {
    HttpResponse<Buffer> r = share(token, id, new JsonObject().put("fleet_id", fleet));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static HttpResponse<Buffer> delete(String token, String uri) {
    return send(gw.http.delete(uri), token);
  }

  static JsonObject renameBody() {
    return new JsonObject().put("master_data", new JsonObject().put("custom_name", "n-" + UUID.randomUUID().toString().substring(0, 6)));
  }

  static List<String> ids(JsonObject page) {
    List<String> out = new ArrayList<>();
    page.getJsonArray("items").forEach(o -> out.add(((JsonObject) o).getString("id")));
    return out;
  }

  static JsonObject list(String token, String query) throws Exception {
    HttpResponse<Buffer> r = api.get(token, "/vehicles" + query);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  @Test
  void ownerNotSharedAndAnyoneElse() throws Exception {
    Fleets f = fleets();
    String id = api.add(f.ownerToken).getString("id");
    // owner, not shared: read, modify; no sharing to end
    JsonObject v = api.get(f.ownerToken, "/vehicles/" + id).bodyAsJsonObject();
    assertNull(v.getValue("sharing"));
    assertEquals(200, api.patch(f.ownerToken, "/vehicles/" + id, renameBody()).statusCode());
    problem(delete(f.ownerToken, "/vehicles/" + id + "/sharing"), 404, "resource-not-found");
    problem(api.patch(f.ownerToken, "/vehicles/" + id + "/sharing", new JsonObject().putNull("ends_at")), 404, "resource-not-found");
    // the partner (not shared with it) and a stranger: 404 for everything
    for (String t : List.of(f.partnerToken, f.strangerToken)) {
      problem(api.get(t, "/vehicles/" + id), 404, "resource-not-found");
      problem(api.patch(t, "/vehicles/" + id, renameBody()), 404, "resource-not-found");
      problem(share(t, id, new JsonObject().put("fleet_id", f.owner)), 404, "resource-not-found");
      problem(api.patch(t, "/vehicles/" + id + "/sharing", new JsonObject().putNull("ends_at")), 404, "resource-not-found");
      problem(delete(t, "/vehicles/" + id + "/sharing"), 404, "resource-not-found");
      problem(delete(t, "/vehicles/" + id + "/sharing/partner"), 404, "resource-not-found");
    }
    // owner, not shared: start sharing
    JsonObject shared = shareWith(f.ownerToken, id, f.partner);
    JsonObject s = shared.getJsonObject("sharing");
    assertEquals("SHARED_OWN_VEHICLE", s.getString("status"));
    assertEquals(f.owner, s.getJsonObject("owner").getString("fleet_id"));
    assertEquals("Fleet " + f.partner, s.getJsonObject("partner").getString("name"));
    assertNull(s.getValue("ends_at"));
  }

  @Test
  void whileSharedOwnerPartnerAndStranger() throws Exception {
    Fleets f = fleets();
    String id = api.add(f.ownerToken).getString("id");
    shareWith(f.ownerToken, id, f.partner);
    String uri = "/vehicles/" + id;
    // read: owner and partner yes, each with its perspective; stranger 404
    assertEquals("SHARED_OWN_VEHICLE", api.get(f.ownerToken, uri).bodyAsJsonObject().getJsonObject("sharing").getString("status"));
    JsonObject seen = api.get(f.partnerToken, uri).bodyAsJsonObject();
    assertEquals("SHARED_PARTNER_VEHICLE", seen.getJsonObject("sharing").getString("status"));
    assertEquals(f.owner, seen.getString("fleet_id"));
    assertEquals(200, api.get(f.partnerToken, uri + "/state").statusCode());
    assertEquals(200, api.get(f.partnerToken, uri + "/states").statusCode());
    problem(api.get(f.strangerToken, uri), 404, "resource-not-found");
    // modify: owner yes, partner 403, stranger 404
    assertEquals(200, api.patch(f.ownerToken, uri, renameBody()).statusCode());
    problem(api.patch(f.partnerToken, uri, renameBody()), 403, "forbidden-resource");
    problem(api.patch(f.strangerToken, uri, renameBody()), 404, "resource-not-found");
    // start/change sharing: owner may only change ends_at; partner 403; stranger 404
    problem(share(f.ownerToken, id, new JsonObject().put("fleet_id", f.partner)), 409, "sharing/already-shared");
    String end = Instant.now().plusSeconds(3600).toString();
    HttpResponse<Buffer> changed = api.patch(f.ownerToken, uri + "/sharing", new JsonObject().put("ends_at", end));
    assertEquals(200, changed.statusCode(), changed.bodyAsString());
    assertEquals(Instant.parse(end).toEpochMilli(), Instant.parse(changed.bodyAsJsonObject().getJsonObject("sharing").getString("ends_at")).toEpochMilli());
    problem(share(f.partnerToken, id, new JsonObject().put("fleet_id", f.owner)), 403, "forbidden-resource");
    problem(api.patch(f.partnerToken, uri + "/sharing", new JsonObject().putNull("ends_at")), 403, "forbidden-resource");
    problem(api.patch(f.strangerToken, uri + "/sharing", new JsonObject().putNull("ends_at")), 404, "resource-not-found");
    // end sharing: each side has its own route
    problem(delete(f.partnerToken, uri + "/sharing"), 403, "forbidden-resource");
    problem(delete(f.ownerToken, uri + "/sharing/partner"), 403, "forbidden-resource");
    problem(delete(f.strangerToken, uri + "/sharing"), 404, "resource-not-found");
    problem(delete(f.strangerToken, uri + "/sharing/partner"), 404, "resource-not-found");
    // remove: owner while shared 409 (the archive route calls requireRemove)
    ProblemException e = org.junit.jupiter.api.Assertions.assertThrows(ProblemException.class,
        () -> gw.gateway.access.requireRemove(new io.fleetgate.auth.Principal("c", f.owner, java.util.Set.of()), gw.gateway.registry.vehicle(id)));
    assertEquals("vehicle/shared-with-partner", e.type);
    // the partner ends it: access is gone at once
    assertEquals(204, delete(f.partnerToken, uri + "/sharing/partner").statusCode());
    problem(api.get(f.partnerToken, uri), 404, "resource-not-found");
    assertNull(api.get(f.ownerToken, uri).bodyAsJsonObject().getValue("sharing"));
    assertTrue(events.contains("ended " + id + " " + f.owner + "->" + f.partner + " ENDED_BY_PARTNER"), events::toString);
    assertTrue(events.contains("started " + id + " " + f.owner + "->" + f.partner), events::toString);
  }

  @Test
  void ownerEndsASharingAndThePartnerLosesAccessAtOnce() throws Exception {
    Fleets f = fleets();
    String id = api.add(f.ownerToken).getString("id");
    shareWith(f.ownerToken, id, f.partner);
    assertEquals(200, api.get(f.partnerToken, "/vehicles/" + id).statusCode());
    assertEquals(204, delete(f.ownerToken, "/vehicles/" + id + "/sharing").statusCode());
    problem(api.get(f.partnerToken, "/vehicles/" + id), 404, "resource-not-found");
    assertEquals(List.of(), ids(list(f.partnerToken, "?sharing=shared_with_me")));
    assertTrue(events.contains("ended " + id + " " + f.owner + "->" + f.partner + " ENDED_BY_OWNER"), events::toString);
    // and it can be shared again
    shareWith(f.ownerToken, id, f.partner);
  }

  @Test
  void aScheduledSharingGrantsNothingBeforeItsStart() throws Exception {
    Fleets f = fleets();
    String id = api.add(f.ownerToken).getString("id");
    String start = Instant.now().plusSeconds(3600).toString();
    HttpResponse<Buffer> r = share(f.ownerToken, id, new JsonObject().put("fleet_id", f.partner).put("starts_at", start));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("SHARING_SCHEDULED", r.bodyAsJsonObject().getJsonObject("sharing").getString("status"));
    problem(api.get(f.partnerToken, "/vehicles/" + id), 404, "resource-not-found");
    problem(delete(f.partnerToken, "/vehicles/" + id + "/sharing/partner"), 404, "resource-not-found");
    assertEquals(List.of(), ids(list(f.partnerToken, "")));
    assertEquals(List.of(id), ids(list(f.ownerToken, "?sharing=shared_by_me")));
    problem(share(f.ownerToken, id, new JsonObject().put("fleet_id", f.partner)), 409, "sharing/already-shared");
    assertTrue(events.stream().noneMatch(e -> e.contains(id)), events::toString);
    // the owner cancels it
    assertEquals(204, delete(f.ownerToken, "/vehicles/" + id + "/sharing").statusCode());
    assertNull(api.get(f.ownerToken, "/vehicles/" + id).bodyAsJsonObject().getValue("sharing"));
  }

  @Test
  void aScheduledSharingStartsOnTime() throws Exception {
    Fleets f = fleets();
    String id = api.add(f.ownerToken).getString("id");
    Instant start = Instant.now().plusMillis(700);
    assertEquals(200, share(f.ownerToken, id, new JsonObject().put("fleet_id", f.partner).put("starts_at", start.toString())).statusCode());
    problem(api.get(f.partnerToken, "/vehicles/" + id), 404, "resource-not-found");
    Thread.sleep(Math.max(0, start.toEpochMilli() - System.currentTimeMillis()) + 50);
    assertEquals(200, api.get(f.partnerToken, "/vehicles/" + id).statusCode()); // the time check, timer or not
    assertEquals(List.of(id), ids(list(f.partnerToken, "?sharing=shared_with_me")));
    long deadline = System.currentTimeMillis() + 5000;
    while (!events.contains("started " + id + " " + f.owner + "->" + f.partner) && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(events.contains("started " + id + " " + f.owner + "->" + f.partner), events::toString);
  }

  @Test
  void aPassedEndsAtRevokesAccessAtOnce() throws Exception {
    Fleets f = fleets();
    String id = api.add(f.ownerToken).getString("id");
    Instant end = Instant.now().plusMillis(800);
    HttpResponse<Buffer> r = share(f.ownerToken, id, new JsonObject().put("fleet_id", f.partner).put("ends_at", end.toString()));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(200, api.get(f.partnerToken, "/vehicles/" + id).statusCode());
    Thread.sleep(Math.max(0, end.toEpochMilli() - System.currentTimeMillis()) + 1);
    problem(api.get(f.partnerToken, "/vehicles/" + id), 404, "resource-not-found");
    assertEquals(List.of(), ids(list(f.partnerToken, "")));
    long deadline = System.currentTimeMillis() + 5000;
    String expired = "ended " + id + " " + f.owner + "->" + f.partner + " EXPIRED";
    while (!events.contains(expired) && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(events.contains(expired), events::toString);
  }

  @Test
  void endingThePartnershipEndsItsSharings() throws Exception {
    Fleets f = fleets();
    String a = api.add(f.ownerToken).getString("id");
    String b = api.add(f.partnerToken).getString("id");
    shareWith(f.ownerToken, a, f.partner);
    shareWith(f.partnerToken, b, f.owner); // the other direction too
    assertEquals(204, delete(gw.adminToken(), "/partnerships/" + f.partner + "/" + f.owner).statusCode()); // either order
    problem(api.get(f.partnerToken, "/vehicles/" + a), 404, "resource-not-found");
    problem(api.get(f.ownerToken, "/vehicles/" + b), 404, "resource-not-found");
    assertTrue(events.contains("ended " + a + " " + f.owner + "->" + f.partner + " PARTNERSHIP_ENDED"), events::toString);
    assertTrue(events.contains("ended " + b + " " + f.partner + "->" + f.owner + " PARTNERSHIP_ENDED"), events::toString);
    problem(share(f.ownerToken, a, new JsonObject().put("fleet_id", f.partner)), 409, "sharing/not-a-partner");
    problem(delete(gw.adminToken(), "/partnerships/" + f.partner + "/" + f.owner), 404, "resource-not-found");

    // the same through the fleet's own route
    Fleets g = fleets();
    String c = api.add(g.ownerToken).getString("id");
    shareWith(g.ownerToken, c, g.partner);
    assertEquals(204, delete(g.partnerToken, "/sharing-partners/" + g.owner).statusCode());
    problem(api.get(g.partnerToken, "/vehicles/" + c), 404, "resource-not-found");
    problem(delete(g.partnerToken, "/sharing-partners/" + g.owner), 404, "resource-not-found");
  }

  @Test
  void problemsOfStartingAndChanging() throws Exception {
    Fleets f = fleets();
    String id = api.add(f.ownerToken).getString("id");
    String sharing = "/vehicles/" + id + "/sharing";
    problem(share(f.ownerToken, id, new JsonObject().put("fleet_id", f.stranger)), 409, "sharing/not-a-partner");
    problem(share(f.ownerToken, id, new JsonObject().put("fleet_id", f.owner)), 409, "sharing/not-a-partner");
    problem(share(f.ownerToken, id, new JsonObject().put("fleet_id", "no-such-fleet")), 409, "sharing/not-a-partner");
    VehicleApi.assertInvalid(share(f.ownerToken, id, new JsonObject()), "/fleet_id");
    VehicleApi.assertInvalid(share(f.ownerToken, id, new JsonObject().put("fleet_id", f.partner).put("x", 1)), "/x");
    VehicleApi.assertInvalid(share(f.ownerToken, id, new JsonObject().put("fleet_id", f.partner)
        .put("ends_at", Instant.now().minusSeconds(5).toString())), "/ends_at");
    VehicleApi.assertInvalid(share(f.ownerToken, id, new JsonObject().put("fleet_id", f.partner)
        .put("starts_at", Instant.now().plusSeconds(7200).toString()).put("ends_at", Instant.now().plusSeconds(3600).toString())), "/ends_at");
    VehicleApi.assertInvalid(share(f.ownerToken, id, new JsonObject().put("fleet_id", f.partner).put("ends_at", "tomorrow")), "/ends_at");
    VehicleApi.assertInvalid(share(f.ownerToken, id, new JsonObject().put("fleet_id", f.partner)
        .put("starts_at", Instant.now().plusSeconds(400L * 86400).toString())), "/starts_at");
    shareWith(f.ownerToken, id, f.partner);
    VehicleApi.assertInvalid(api.patch(f.ownerToken, sharing, new JsonObject()), "/ends_at");
    VehicleApi.assertInvalid(api.patch(f.ownerToken, sharing, new JsonObject().put("ends_at", Instant.now().minusSeconds(1).toString())), "/ends_at");
    assertEquals(200, api.patch(f.ownerToken, sharing, new JsonObject().putNull("ends_at")).statusCode());
    // permissions: fleetshare is needed for every sharing route
    String readOnly = gw.token(f.owner, Permission.VEHICLES);
    problem(share(readOnly, id, new JsonObject().put("fleet_id", f.partner)), 403, "missing-permissions");
    problem(api.patch(readOnly, sharing, new JsonObject().putNull("ends_at")), 403, "missing-permissions");
    problem(delete(readOnly, sharing), 403, "missing-permissions");
    problem(delete(gw.token(f.partner, Permission.VEHICLES_RO), sharing + "/partner"), 403, "missing-permissions");
    problem(api.get(gw.token(f.owner, Permission.VEHICLES), "/sharing-partners"), 403, "missing-permissions");
    problem(send(gw.http.get("/vehicles/" + id), null), 401, "unauthorized");
  }

  /** The partner's listing merges shared vehicles into its own, in creation order; filters; pages never skip or repeat. */
  @Test
  void listingsFiltersAndStablePages() throws Exception {
    Fleets f = fleets();
    List<String> order = new ArrayList<>(); // creation order, alternating partner/owner
    List<String> own = new ArrayList<>();
    List<String> theirs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String p = api.add(f.partnerToken).getString("id");
      String o = api.add(f.ownerToken).getString("id");
      order.add(p);
      order.add(o);
      own.add(p);
      theirs.add(o);
    }
    shareWith(f.ownerToken, theirs.get(0), f.partner);
    shareWith(f.ownerToken, theirs.get(2), f.partner);
    List<String> expected = List.of(order.get(0), order.get(1), order.get(2), order.get(4), order.get(5), order.get(6));
    assertEquals(expected, ids(list(f.partnerToken, "")));
    assertEquals(own, ids(list(f.partnerToken, "?sharing=own")));
    assertEquals(List.of(theirs.get(0), theirs.get(2)), ids(list(f.partnerToken, "?sharing=shared_with_me")));
    assertEquals(List.of(theirs.get(0), theirs.get(2)), ids(list(f.ownerToken, "?sharing=shared_by_me")));
    assertEquals(List.of(), ids(list(f.ownerToken, "?sharing=shared_with_me")));
    assertEquals(theirs, ids(list(f.ownerToken, "?sharing=own")));
    assertEquals(List.of(), ids(list(f.strangerToken, "")));
    // walk two at a time while sharings start and end behind and ahead of the cursor
    JsonObject page = list(f.partnerToken, "?limit=2");
    Set<String> seen = new LinkedHashSet<>(ids(page));
    assertEquals(List.of(order.get(0), order.get(1)), ids(page));
    assertEquals(204, delete(f.ownerToken, "/vehicles/" + theirs.get(0) + "/sharing").statusCode()); // behind
    shareWith(f.ownerToken, theirs.get(3), f.partner); // ahead
    int pages = 1;
    while (page.getJsonObject("cursors").getString("next") != null) {
      page = list(f.partnerToken, "?cursor=" + page.getJsonObject("cursors").getString("next"));
      for (String id : ids(page)) {
        assertTrue(seen.add(id), "repeated " + id);
      }
      assertTrue(++pages < 10);
    }
    List<String> walked = new ArrayList<>(seen);
    assertEquals(List.of(order.get(0), order.get(1), order.get(2), order.get(4), order.get(5), order.get(6), order.get(7)), walked);
  }
}
