package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.api.VehicleApi.assertProblem;
import static io.fleetgate.api.VehicleApi.newVehicle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Request bodies are strict JSON on every route that takes one: each otherwise valid body spoiled by invalid
 * UTF-8, a comment, a duplicate name, trailing content, a lone surrogate escape, a raw control character or
 * single quotes is a 400 validation problem with a pointer; nothing changes, and the valid body still works.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StrictBodyApiTest {
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

  /**
   * The spoiled variants of a valid body whose first property is a string or object and which holds the
   * string value {@code text} once (where bytes are spliced in). Each would be accepted by a lenient parser.
   */
  static Map<String, byte[]> spoiled(JsonObject valid, String text) {
    String json = valid.encode();
    String quoted = Json.encode(text);
    int at = json.indexOf(quoted) + quoted.length() - 1; // before the closing quote of text
    Map.Entry<String, Object> first = valid.iterator().next();
    Map<String, byte[]> out = new LinkedHashMap<>();
    out.put("malformed UTF-8", splice(json, at, "c328"));
    out.put("overlong UTF-8", splice(json, at, "c0af"));
    out.put("encoded surrogate", splice(json, at, "eda080"));
    out.put("lone surrogate escape", utf8(json.substring(0, at) + "\\ud800" + json.substring(at)));
    out.put("raw control character", utf8(json.substring(0, at) + "\u0007" + json.substring(at)));
    out.put("block comment", utf8("{/* c */" + json.substring(1)));
    out.put("line comment", utf8("{// c\n" + json.substring(1)));
    out.put("duplicate name", utf8("{" + Json.encode(first.getKey()) + ":" + Json.encode(first.getValue()) + "," + json.substring(1)));
    out.put("trailing content", utf8(json + " {}"));
    out.put("single quotes", utf8(json.replace(quoted, "'" + text + "'")));
    out.put("top-level array", utf8("[" + json + "]"));
    return out;
  }

  private static byte[] splice(String json, int at, String hex) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(utf8(json.substring(0, at)));
    out.writeBytes(HexFormat.of().parseHex(hex));
    out.writeBytes(utf8(json.substring(at)));
    return out.toByteArray();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static HttpResponse<Buffer> send(HttpMethod method, String uri, String token, byte[] body) throws Exception {
    String type = method == HttpMethod.PATCH ? "application/merge-patch+json" : "application/json";
    return await(gw.http.request(method, uri).putHeader("Authorization", "Bearer " + token)
        .putHeader("Content-Type", type).sendBuffer(Buffer.buffer(body)));
  }

  /** Every spoiled variant is a 400 with a pointer and a detail; then the valid body is accepted. */
  static HttpResponse<Buffer> assertStrict(HttpMethod method, String uri, String token, JsonObject valid, String text,
      Runnable unchanged) throws Exception {
    for (Map.Entry<String, byte[]> bad : spoiled(valid, text).entrySet()) {
      HttpResponse<Buffer> r = send(method, uri, token, bad.getValue());
      assertEquals(400, r.statusCode(), method + " " + uri + " with " + bad.getKey() + ": " + r.bodyAsString());
      assertProblem(r, 400, "validation-error");
      JsonArray errors = r.bodyAsJsonObject().getJsonArray("errors");
      assertNotNull(errors, bad.getKey() + ": " + r.bodyAsString());
      assertNotNull(errors.getJsonObject(0).getString("pointer"), bad.getKey());
      assertNotNull(r.bodyAsJsonObject().getString("detail"), bad.getKey());
      unchanged.run();
    }
    return send(method, uri, token, utf8(valid.encode()));
  }

  static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError(what);
    }
  }

  @Test
  void vehicleBodiesAreStrict() throws Exception {
    String fleet = "strict-" + UUID.randomUUID().toString().substring(0, 8);
    String token = gw.token(fleet, Permission.VEHICLE_LIFECYCLE, Permission.VEHICLES);
    JsonObject body = newVehicle();
    body.put("master_data", new JsonObject().put("license_plate", "B-XY 123"));
    HttpResponse<Buffer> added = assertStrict(HttpMethod.POST, "/vehicles", token, body, "B-XY 123",
        () -> check(gw.gateway.registry.unit(body.getJsonObject("telematics_unit").getString("id")) == null, "a vehicle was added"));
    assertEquals(201, added.statusCode(), added.bodyAsString());
    String id = added.bodyAsJsonObject().getString("id");

    JsonObject patch = new JsonObject().put("master_data", new JsonObject().put("license_plate", "M-AB 42"));
    HttpResponse<Buffer> patched = assertStrict(HttpMethod.PATCH, "/vehicles/" + id, token, patch, "M-AB 42", () -> {
      try {
        JsonObject v = api.get(token, "/vehicles/" + id).bodyAsJsonObject();
        check("B-XY 123".equals(v.getJsonObject("master_data").getString("license_plate")), "the vehicle changed: " + v.encode());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertEquals(200, patched.statusCode(), patched.bodyAsString());
    assertEquals("M-AB 42", patched.bodyAsJsonObject().getJsonObject("master_data").getString("license_plate"));
  }

  @Test
  void fleetBodiesAreStrict() throws Exception {
    String id = "fleet-" + UUID.randomUUID().toString().substring(0, 8);
    JsonObject body = new JsonObject().put("fleet_id", id).put("name", "Strict Fleet");
    HttpResponse<Buffer> created = assertStrict(HttpMethod.POST, "/fleets", gw.adminToken(), body, "Strict Fleet",
        () -> check(gw.gateway.directory.fleet(id) == null, "the fleet was created"));
    assertEquals(201, created.statusCode(), created.bodyAsString());
  }

  @Test
  void sharingBodiesAreStrict() throws Exception {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    Permission[] all = {Permission.VEHICLES, Permission.VEHICLE_LIFECYCLE, Permission.FLEETSHARE};
    String owner = gw.token("own-" + tag, all);
    String partner = gw.token("par-" + tag, all);
    JsonObject partnership = new JsonObject().put("fleet_ids", new JsonArray().add("own-" + tag).add("par-" + tag));
    HttpResponse<Buffer> partnered = assertStrict(HttpMethod.POST, "/partnerships", gw.adminToken(), partnership, "par-" + tag,
        () -> { });
    assertEquals(201, partnered.statusCode(), partnered.bodyAsString());

    String id = api.add(owner).getString("id");
    JsonObject share = new JsonObject().put("fleet_id", "par-" + tag);
    HttpResponse<Buffer> shared = assertStrict(HttpMethod.POST, "/vehicles/" + id + "/sharing", owner, share, "par-" + tag, () -> {
      try {
        check(api.get(partner, "/vehicles/" + id).statusCode() == 404, "the vehicle was shared");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertEquals(200, shared.statusCode(), shared.bodyAsString());
    assertEquals(200, api.get(partner, "/vehicles/" + id).statusCode(), "the server keeps serving");
  }

  @Test
  void wholeNumbersBeyondALongAreOutOfRangeNotWrapped() throws Exception {
    String token = gw.token("strict-" + UUID.randomUUID().toString().substring(0, 8), Permission.FLEETSHARE);
    String uri = "/sharing-partners/invitations";
    for (String n : new String[] {"18446744073709555216", "-18446744073709547616", "9223372036854779408", "1e300", "3600.5"}) {
      HttpResponse<Buffer> r = send(HttpMethod.POST, uri, token, utf8("{\"expires_in_seconds\": " + n + "}"));
      VehicleApi.assertInvalid(r, "/expires_in_seconds");
    }
    assertEquals(201, send(HttpMethod.POST, uri, token, utf8("{\"expires_in_seconds\": 3600}")).statusCode());
  }
}
