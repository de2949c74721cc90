package io.fleetgate.api;

import static io.fleetgate.api.VehicleApi.assertInvalid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every paginated listing refuses a tampered cursor (a genuine one decoded, changed, re-encoded) and a bad
 * {@code limit} with 400 validation-error at {@code /cursor} or {@code /limit}, and still serves the genuine
 * cursor. Before, a position of 1e300 read as the last page, 2^64 as the first and 1.5 as 1.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CursorTamperingTest {
  static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
  static final List<String> BAD_LIMITS = List.of("1.5", "1e3", "-1", "0", "501", "18446744073709551616", "", "+5", "05",
      " 5", "5 ", "0x10", "١");
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

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String b64(String json) {
    return b64(json.getBytes(StandardCharsets.UTF_8));
  }

  static JsonObject decoded(String cursor) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
  }

  /** Changes every listing's cursors are refused for, whatever their format. */
  static Map<String, String> common(String genuine) {
    JsonObject c = decoded(genuine);
    String json = c.encode();
    String firstKey = c.fieldNames().iterator().next();
    Map<String, String> out = new LinkedHashMap<>();
    out.put("extra key", b64(c.copy().put("z", 1).encode()));
    out.put("limit 1.5", b64(c.copy().put("l", 1.5).encode()));
    out.put("limit 1e3", b64(c.copy().put("l", 1e3).encode()));
    out.put("limit 2^64", b64(c.copy().put("l", TWO_64).encode()));
    out.put("limit 0", b64(c.copy().put("l", 0).encode()));
    out.put("limit 501", b64(c.copy().put("l", 501).encode()));
    out.put("limit as a string", b64(c.copy().put("l", "10").encode()));
    out.put("unknown direction", b64(c.copy().put("d", "x").encode()));
    out.put("duplicate key", b64("{\"" + firstKey + "\":" + io.vertx.core.json.Json.encode(c.getValue(firstKey)) + "," + json.substring(1)));
    out.put("comment", b64("/* x */" + json));
    out.put("trailing content", b64(json + "{}"));
    out.put("not an object", b64("[" + json + "]"));
    ByteArrayOutputStream utf8 = new ByteArrayOutputStream();
    utf8.writeBytes(json.substring(0, json.length() - 1).getBytes(StandardCharsets.UTF_8));
    utf8.writeBytes(",\"z\":\"".getBytes(StandardCharsets.UTF_8));
    utf8.writeBytes(new byte[] {(byte) 0xC0, (byte) 0xAF});
    utf8.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
    out.put("invalid UTF-8", b64(utf8.toByteArray()));
    out.put("padding", Base64.getUrlEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)) + (json.length() % 3 == 0 ? "==" : ""));
    out.put("standard alphabet", "+/" + genuine.substring(2));
    out.put("not base64", genuine + "!");
    out.put("truncated", genuine.substring(0, genuine.length() - 1));
    out.put("one char too many", genuine + "A");
    out.put("empty", "");
    out.put("long garbage", "A".repeat(3000));
    return out;
  }

  /** Changes of the listings' common cursor format ({@link PageCursor}). */
  static Map<String, String> tampered(String genuine) {
    JsonObject c = decoded(genuine);
    Map<String, String> out = common(genuine);
    out.put("position 2^64", b64(c.copy().put("p", TWO_64).encode()));
    out.put("position 2^63", b64(c.copy().put("p", BigInteger.ONE.shiftLeft(63)).encode()));
    out.put("position 1.5", b64(c.copy().put("p", 1.5).encode()));
    out.put("position 1e300", b64(c.copy().put("p", 1e300).encode()));
    out.put("position 1.0", b64(c.encode().replace("\"p\":" + c.getValue("p"), "\"p\":" + c.getValue("p") + ".0")));
    out.put("position -1", b64(c.copy().put("p", -1).encode()));
    out.put("position as a string", b64(c.copy().put("p", "5").encode()));
    out.put("position null", b64(c.copy().putNull("p").encode()));
    out.put("another listing", b64(c.copy().put("k", "fleets").encode()));
    out.put("missing filters", b64(removed(c, "f").encode()));
    out.put("missing position", b64(removed(c, "p").encode()));
    out.put("unknown filter", b64(c.copy().put("f", c.getJsonObject("f").copy().put("color", "red")).encode()));
    out.put("filters not an object", b64(c.copy().put("f", "x").encode()));
    return out;
  }

  static JsonObject removed(JsonObject c, String key) {
    JsonObject copy = c.copy();
    copy.remove(key);
    return copy;
  }

  static HttpResponse<Buffer> getWithCursor(String token, String path, String cursor) throws Exception {
    return api.get(token, path + "?cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
  }

  /** The first page with {@code query}, its "first" cursor tampered every way, the limit too; the cursor still works. */
  static void assertStrict(String token, String path, String query, Map<String, String> extra) throws Exception {
    HttpResponse<Buffer> page = api.get(token, path + "?limit=2" + query);
    assertEquals(200, page.statusCode(), page.bodyAsString());
    String genuine = page.bodyAsJsonObject().getJsonObject("cursors").getString("first");
    assertNotNull(genuine, path);
    Map<String, String> bad = path.equals("/fleets") ? common(genuine) : tampered(genuine);
    bad.putAll(extra);
    for (Map.Entry<String, String> e : bad.entrySet()) {
      HttpResponse<Buffer> r = getWithCursor(token, path, e.getValue());
      try {
        assertInvalid(r, "/cursor");
      } catch (AssertionError failed) {
        throw new AssertionError(path + " with a cursor tampered (" + e.getKey() + ": " + decodedOrRaw(e.getValue()) + "): "
            + failed.getMessage(), failed);
      }
    }
    for (String limit : BAD_LIMITS) {
      HttpResponse<Buffer> r = api.get(token, path + "?limit=" + URLEncoder.encode(limit, StandardCharsets.UTF_8) + query);
      try {
        assertInvalid(r, "/limit");
      } catch (AssertionError failed) {
        throw new AssertionError(path + " with limit '" + limit + "': " + failed.getMessage(), failed);
      }
    }
    HttpResponse<Buffer> again = getWithCursor(token, path, genuine);
    assertEquals(200, again.statusCode(), again.bodyAsString());
    assertEquals(page.bodyAsJsonObject().getJsonArray("items"), again.bodyAsJsonObject().getJsonArray("items"), path);
  }

  static String decodedOrRaw(String cursor) {
    try {
      return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return cursor.length() > 60 ? cursor.substring(0, 60) + "…" : cursor;
    }
  }

  static String withFilter(String genuine, String name, String value) {
    JsonObject c = decoded(genuine);
    return b64(c.copy().put("f", c.getJsonObject("f").copy().put(name, value)).encode());
  }

  @Test
  void vehicleListingsRefuseTamperedCursors() throws Exception {
    String fleet = "cur-" + UUID.randomUUID().toString().substring(0, 8);
    String token = gw.token(fleet, Permission.VEHICLES, Permission.VEHICLE_LIFECYCLE, Permission.VEHICLE_COMMANDS,
        Permission.FLEETSHARE);
    String id = null;
    for (int i = 0; i < 3; i++) {
      id = api.add(token).getString("id");
    }
    String filtered = api.get(token, "/vehicles?limit=2&operation_status=OPERATING").bodyAsJsonObject()
        .getJsonObject("cursors").getString("first");
    Map<String, String> vehicleExtra = new LinkedHashMap<>();
    vehicleExtra.put("unknown filter value", withFilter(filtered, "operation_status", "FLYING"));
    vehicleExtra.put("filter too long", withFilter(filtered, "q", "x".repeat(300)));
    vehicleExtra.put("filter as a number", b64(decoded(filtered).copy().put("f", new JsonObject().put("tag", 5)).encode()));
    vehicleExtra.put("filter the query cannot give", withFilter(filtered, "vehicle_id", id));
    assertStrict(token, "/vehicles", "&operation_status=OPERATING", vehicleExtra);
    assertStrict(token, "/telematics-units", "", Map.of());
    assertStrict(token, "/sharing-partners", "", Map.of());

    String states = api.get(token, "/vehicles/" + id + "/states?limit=2&from=2026-01-01T00:00:00Z").bodyAsJsonObject()
        .getJsonObject("cursors").getString("first");
    String other = api.add(token).getString("id");
    assertStrict(token, "/vehicles/" + id + "/states", "&from=2026-01-01T00:00:00Z", Map.of(
        "bad time", withFilter(states, "to", "yesterday"),
        "another vehicle's", withFilter(states, "vehicle_id", other)));
    String commands = api.get(token, "/vehicles/" + id + "/commands?limit=2").bodyAsJsonObject()
        .getJsonObject("cursors").getString("first");
    assertStrict(token, "/vehicles/" + id + "/commands", "", Map.of(
        "another vehicle's", withFilter(commands, "vehicle_id", other),
        "a history filter", withFilter(commands, "from", "2026-01-01T00:00:00Z")));

    for (int i = 0; i < 2; i++) {
      assertEquals(204, api.delete(token, "/vehicles/" + api.add(token).getString("id")).statusCode());
    }
    assertStrict(token, "/archived-vehicles", "", Map.of());
  }

  @Test
  void fleetListingRefusesTamperedCursors() throws Exception {
    String admin = gw.adminToken();
    for (int i = 0; i < 3; i++) {
      gw.token("cur-fleet-" + UUID.randomUUID().toString().substring(0, 8));
    }
    HttpResponse<Buffer> page = api.get(admin, "/fleets?limit=2");
    String next = page.bodyAsJsonObject().getJsonObject("cursors").getString("next");
    assertNotNull(next, page.bodyAsString());
    JsonObject c = decoded(next);
    Map<String, String> extra = new LinkedHashMap<>(common(next));
    extra.put("key not a fleet id", b64(c.copy().put("k", "a b").encode()));
    extra.put("key too long", b64(c.copy().put("k", "a".repeat(101)).encode()));
    extra.put("key a number", b64(c.copy().put("k", 5).encode()));
    assertStrict(admin, "/fleets", "", extra);
    assertEquals(200, getWithCursor(admin, "/fleets", next).statusCode());
  }
}
