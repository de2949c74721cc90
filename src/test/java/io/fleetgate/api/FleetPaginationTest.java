package io.fleetgate.api;

import static io.fleetgate.api.HttpCalls.invalidAt;
import static io.fleetgate.api.HttpCalls.send;
import static io.fleetgate.api.HttpCalls.sendJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code GET /fleets}: keyset pages by fleet id, each test on its own gateway so that it knows every fleet. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FleetPaginationTest {
  TestGateway gw;
  String admin;

  @BeforeEach
  void start() {
    gw = TestGateway.start();
    admin = gw.adminToken();
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  void create(String id) {
    HttpResponse<Buffer> r = sendJson(gw.http.post("/fleets"), admin, new JsonObject().put("fleet_id", id).put("name", id).encode());
    assertEquals(201, r.statusCode(), r.bodyAsString());
  }

  JsonObject page(String query) {
    HttpResponse<Buffer> r = send(gw.http.get("/fleets" + query), admin);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  JsonObject follow(String cursor) {
    return page("?cursor=" + cursor);
  }

  static List<String> ids(JsonObject page) {
    List<String> out = new ArrayList<>();
    page.getJsonArray("items").forEach(f -> out.add(((JsonObject) f).getString("fleet_id")));
    return out;
  }

  static String id(int n) {
    return String.format("p-%03d", n);
  }

  @Test
  void defaultPageAndLimit() {
    for (int i = 0; i < 120; i += 1) {
      create(id(i));
    }
    JsonObject first = page("");
    assertEquals(100, first.getJsonArray("items").size());
    assertEquals(id(0), ids(first).get(0));
    JsonObject cursors = first.getJsonObject("cursors");
    assertEquals(List.of("self", "first", "prev", "next", "last"), new ArrayList<>(cursors.fieldNames()));
    assertNull(cursors.getValue("prev"));
    assertNotNull(cursors.getString("next"));
    assertEquals(20, follow(cursors.getString("next")).getJsonArray("items").size());
    assertEquals(3, page("?limit=3").getJsonArray("items").size());
    assertEquals(120, page("?limit=500").getJsonArray("items").size());
  }

  @Test
  void walkingForwardNeitherSkipsNorRepeatsWhileFleetsAreAdded() {
    TreeSet<String> original = new TreeSet<>();
    for (int i = 0; i < 60; i += 2) {
      create(id(i));
      original.add(id(i));
    }
    List<String> seen = new ArrayList<>();
    JsonObject page = page("?limit=7");
    int added = 1;
    while (true) {
      seen.addAll(ids(page));
      String next = page.getJsonObject("cursors").getString("next");
      // while walking, fleets appear behind the position (odd ids already passed) and ahead of it
      create(id(added));
      create("p-" + (900 + added));
      added += 2;
      if (next == null) {
        break;
      }
      page = follow(next);
    }
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(seen.get(i - 1).compareTo(seen.get(i)) < 0, "in order, without repeats: " + seen);
    }
    assertTrue(seen.containsAll(original), "nothing that existed was skipped");
  }

  @Test
  void prevFirstLastAndSelf() {
    for (int i = 0; i < 23; i++) {
      create(id(i));
    }
    JsonObject p1 = page("?limit=5");
    JsonObject c1 = p1.getJsonObject("cursors");
    assertEquals(ids(p1), ids(follow(c1.getString("self"))));
    assertEquals(ids(p1), ids(follow(c1.getString("first"))));
    JsonObject p2 = follow(c1.getString("next"));
    assertEquals(List.of(id(5), id(6), id(7), id(8), id(9)), ids(p2));
    JsonObject back = follow(p2.getJsonObject("cursors").getString("prev"));
    assertEquals(ids(p1), ids(back));
    assertNull(back.getJsonObject("cursors").getValue("prev"));

    JsonObject last = follow(c1.getString("last"));
    assertEquals(List.of(id(18), id(19), id(20), id(21), id(22)), ids(last));
    assertNull(last.getJsonObject("cursors").getValue("next"));
    JsonObject beforeLast = follow(last.getJsonObject("cursors").getString("prev"));
    assertEquals(List.of(id(13), id(14), id(15), id(16), id(17)), ids(beforeLast));
    assertEquals(ids(last), ids(follow(beforeLast.getJsonObject("cursors").getString("next"))));
  }

  @Test
  void emptyList() {
    // only the administrator exists: no fleets
    JsonObject p = page("");
    assertEquals(0, p.getJsonArray("items").size());
    assertNull(p.getJsonObject("cursors").getValue("prev"));
    assertNull(p.getJsonObject("cursors").getValue("next"));
    assertEquals(0, follow(p.getJsonObject("cursors").getString("last")).getJsonArray("items").size());
  }

  @Test
  void badCursorsAndLimitsAre400() {
    create(id(1));
    String good = page("?limit=1").getJsonObject("cursors").getString("self");
    invalidAt(send(gw.http.get("/fleets?cursor=!!!"), admin), "/cursor");
    invalidAt(send(gw.http.get("/fleets?cursor="), admin), "/cursor");
    invalidAt(send(gw.http.get("/fleets?cursor=" + b64("[1]")), admin), "/cursor");
    invalidAt(send(gw.http.get("/fleets?cursor=" + b64("{}")), admin), "/cursor");
    invalidAt(send(gw.http.get("/fleets?cursor=" + b64("{\"d\":\"x\",\"l\":5}")), admin), "/cursor");
    invalidAt(send(gw.http.get("/fleets?cursor=" + b64("{\"d\":\"a\",\"l\":5000}")), admin), "/cursor");
    invalidAt(send(gw.http.get("/fleets?cursor=" + b64("{\"d\":\"a\",\"l\":5,\"k\":\"no spaces\"}")), admin), "/cursor");
    invalidAt(send(gw.http.get("/fleets?cursor=" + good + "&limit=5"), admin), "/limit");
    for (String limit : new String[] {"0", "501", "-1", "abc", "1.5", "99999999999"}) {
      invalidAt(send(gw.http.get("/fleets?limit=" + limit), admin), "/limit");
    }
  }

  static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
