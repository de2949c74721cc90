package io.fleetgate.api;

import static io.fleetgate.api.VehicleApi.assertInvalid;
import static io.fleetgate.api.VehicleApi.newVehicle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** GET /vehicles: cursors in both directions, stability under concurrent adds, every filter, bad input. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VehicleListingTest {
  static TestGateway gw;
  static VehicleApi api;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
    api = new VehicleApi(gw);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** A fresh fleet with {@code n} vehicles; returns [lifecycle token, ids in creation order...]. */
  static List<String> fleetWith(int n) throws Exception {
    String fleet = "list-" + UUID.randomUUID().toString().substring(0, 8);
    String token = gw.token(fleet, Permission.VEHICLE_LIFECYCLE, Permission.VEHICLES);
    List<String> out = new ArrayList<>();
    out.add(token);
    for (int i = 0; i < n; i++) {
      out.add(api.add(token).getString("id"));
    }
    return out;
  }

  static JsonObject page(String token, String query) throws Exception {
    HttpResponse<Buffer> r = api.get(token, "/vehicles" + query);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static List<String> ids(JsonObject page) {
    List<String> out = new ArrayList<>();
    page.getJsonArray("items").forEach(o -> out.add(((JsonObject) o).getString("id")));
    return out;
  }

  static String cursor(JsonObject page, String which) {
    return page.getJsonObject("cursors").getString(which);
  }

  @Test
  void walkNextToTheEndAndPrevBack() throws Exception {
    List<String> f = fleetWith(7);
    String token = f.get(0);
    List<String> all = f.subList(1, 8);
    JsonObject first = page(token, "?limit=3");
    assertEquals(Set.of("self", "first", "prev", "next", "last"), first.getJsonObject("cursors").fieldNames());
    assertNull(cursor(first, "prev"));
    assertNotNull(cursor(first, "self"));
    List<JsonObject> pages = new ArrayList<>();
    JsonObject p = first;
    while (true) {
      pages.add(p);
      String next = cursor(p, "next");
      if (next == null) {
        break;
      }
      p = page(token, "?cursor=" + next);
    }
    assertEquals(List.of(3, 3, 1), pages.stream().map(x -> x.getJsonArray("items").size()).toList());
    List<String> forward = new ArrayList<>();
    pages.forEach(x -> forward.addAll(ids(x)));
    assertEquals(all, forward, "creation order, nothing skipped or repeated");
    // and back with prev from the end
    List<String> backward = new ArrayList<>();
    p = pages.get(pages.size() - 1);
    backward.addAll(0, ids(p));
    while (cursor(p, "prev") != null) {
      p = page(token, "?cursor=" + cursor(p, "prev"));
      backward.addAll(0, ids(p));
      assertEquals(3, p.getJsonArray("items").size());
    }
    assertEquals(all, backward);
    // self reproduces the page, first is the first page
    JsonObject second = pages.get(1);
    assertEquals(ids(second), ids(page(token, "?cursor=" + cursor(second, "self"))));
    assertEquals(ids(first), ids(page(token, "?cursor=" + cursor(second, "first"))));
  }

  @Test
  void lastIsTheFinalFullPageAndWalksBack() throws Exception {
    List<String> f = fleetWith(5);
    String token = f.get(0);
    JsonObject last = page(token, "?cursor=" + cursor(page(token, "?limit=2"), "last"));
    assertEquals(f.subList(4, 6), ids(last));
    assertNull(cursor(last, "next"));
    JsonObject before = page(token, "?cursor=" + cursor(last, "prev"));
    assertEquals(f.subList(2, 4), ids(before));
    JsonObject head = page(token, "?cursor=" + cursor(before, "prev"));
    assertEquals(f.subList(1, 2), ids(head));
    assertNull(cursor(head, "prev"));
    assertEquals(f.subList(2, 4), ids(page(token, "?cursor=" + cursor(head, "next"))));
  }

  @Test
  void concurrentAddsDuringAWalkNeverSkipOrRepeat() throws Exception {
    List<String> f = fleetWith(10);
    String token = f.get(0);
    Set<String> seen = new HashSet<>();
    List<String> order = new ArrayList<>();
    List<String> addedDuring = new ArrayList<>();
    JsonObject p = page(token, "?limit=3");
    int round = 0;
    while (true) {
      for (String id : ids(p)) {
        assertTrue(seen.add(id), "repeated " + id);
        order.add(id);
      }
      if (round++ < 6) {
        // two adds in flight at once between pages
        var a = gw.http.post("/vehicles").putHeader("Authorization", "Bearer " + token).sendJsonObject(newVehicle());
        var b = gw.http.post("/vehicles").putHeader("Authorization", "Bearer " + token).sendJsonObject(newVehicle());
        addedDuring.add(io.fleetgate.TestGateway.await(a).bodyAsJsonObject().getString("id"));
        addedDuring.add(io.fleetgate.TestGateway.await(b).bodyAsJsonObject().getString("id"));
      }
      String next = cursor(p, "next");
      if (next == null) {
        break;
      }
      p = page(token, "?cursor=" + next);
    }
    assertTrue(order.containsAll(f.subList(1, 11)), "every vehicle present before the walk was seen");
    assertTrue(order.containsAll(addedDuring), "vehicles added during the walk land at its end and are seen");
    assertEquals(22, order.size());
  }

  @Test
  void everyFilterAndTheCursorKeepsThem() throws Exception {
    String fleet = "filter-" + UUID.randomUUID().toString().substring(0, 8);
    String token = gw.token(fleet, Permission.VEHICLE_LIFECYCLE, Permission.VEHICLES);
    Function<JsonObject, String> add = body -> {
      try {
        return api.add(token, body).getString("id");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    String a = add.apply(newVehicle().put("master_data", new JsonObject().put("license_plate", "B-LW 123"))
        .put("tags", new JsonArray().add("airport")));
    String b = add.apply(newVehicle().put("master_data", new JsonObject().put("vin", "WVWZZZ1KZLW12345"))
        .put("operation_status", new JsonObject().put("value", "MAINTENANCE")));
    String c = add.apply(newVehicle().put("vehicle_model_id", "vanmoof-s5")
        .put("master_data", new JsonObject().put("custom_name", "Blue Lw-Bike")).put("tags", new JsonArray().add("airport")));
    String d = add.apply(newVehicle().put("vehicle_model_id", "renault-zoe-oem"));
    gw.gateway.registry.live(d).setOnline(true, Instant.now());

    // "lw" can be in no vehicle id (Crockford base32 has no L) nor in a test unit id (U- and hex digits), since q
    // matches those too
    assertEquals(List.of(a, b, c), ids(page(token, "?q=lw")), "plate, VIN, custom name, any case");
    assertEquals(List.of(c), ids(page(token, "?q=BLUE")));
    assertEquals(List.of(d), ids(page(token, "?life_status=ONLINE")));
    assertEquals(List.of(a, b, c), ids(page(token, "?life_status=OFFLINE")));
    assertEquals(List.of(b), ids(page(token, "?operation_status=MAINTENANCE")));
    assertEquals(List.of(a, c, d), ids(page(token, "?operation_status=OPERATING")));
    assertEquals(List.of(c), ids(page(token, "?vehicle_type=BICYCLE")));
    assertEquals(List.of(d), ids(page(token, "?vehicle_type=CAR")));
    assertEquals(List.of(a, c), ids(page(token, "?tag=airport")));
    assertEquals(List.of(a, b, c, d), ids(page(token, "?sharing=own")));
    assertEquals(List.of(), ids(page(token, "?sharing=shared_with_me")));
    assertEquals(List.of(), ids(page(token, "?sharing=shared_by_me")));
    assertEquals(List.of(a), ids(page(token, "?tag=airport&q=b-lw")), "filters combine");

    JsonObject first = page(token, "?tag=airport&limit=1");
    assertEquals(List.of(a), ids(first));
    JsonObject second = page(token, "?cursor=" + cursor(first, "next"));
    assertEquals(List.of(c), ids(second), "the cursor carries filter and limit");
    assertNull(cursor(second, "next"));
    assertEquals(List.of(c), ids(page(token, "?cursor=" + cursor(first, "last"))));
  }

  @Test
  void badParametersAndCursorsAre400() throws Exception {
    List<String> f = fleetWith(2);
    String token = f.get(0);
    for (String q : List.of("limit=0", "limit=501", "limit=ten", "life_status=AWAKE", "operation_status=PARKED",
        "vehicle_type=BOAT", "sharing=mine", "q=", "tag=" + "t".repeat(65), "limit=1&limit=2")) {
      String name = q.substring(0, q.indexOf('='));
      assertInvalid(api.get(token, "/vehicles?" + q), "/" + name);
    }
    for (String bad : List.of("garbage!!", "", Base64.getUrlEncoder().encodeToString("{\"k\":\"vehicles\"}".getBytes()),
        Base64.getUrlEncoder().encodeToString("[1]".getBytes()),
        Base64.getUrlEncoder().encodeToString("{\"k\":\"vehicles\",\"l\":9999,\"d\":\"f\",\"p\":0,\"f\":{}}".getBytes()),
        Base64.getUrlEncoder().encodeToString("{\"k\":\"vehicles\",\"l\":5,\"d\":\"f\",\"p\":0,\"f\":{\"life_status\":\"AWAKE\"}}".getBytes()),
        Base64.getUrlEncoder().encodeToString("{\"k\":\"telematics-units\",\"l\":5,\"d\":\"f\",\"p\":0,\"f\":{}}".getBytes()))) {
      assertInvalid(api.get(token, "/vehicles?cursor=" + bad), "/cursor");
    }
    // a cursor carries limit and filters: repeating them is an error, not silently ignored
    String next = cursor(page(token, "?limit=1"), "next");
    assertInvalid(api.get(token, "/vehicles?limit=1&cursor=" + next), "/limit");
    assertInvalid(api.get(token, "/vehicles?tag=x&cursor=" + next), "/tag");
    assertEquals(List.of(f.get(2)), ids(page(token, "?cursor=" + next)));
  }

  @Test
  void defaultLimitIs100() throws Exception {
    List<String> f = fleetWith(0);
    String token = f.get(0);
    for (int i = 0; i < 101; i++) {
      api.add(token);
    }
    JsonObject p = page(token, "");
    assertEquals(100, p.getJsonArray("items").size());
    assertEquals(1, page(token, "?cursor=" + cursor(p, "next")).getJsonArray("items").size());
  }
}
