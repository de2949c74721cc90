package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** HTTP helpers of the vehicle API tests: blocking calls against a {@link TestGateway}. */
public final class VehicleApi {
  final TestGateway gw;

  VehicleApi(TestGateway gw) {
    this.gw = gw;
  }


  HttpResponse<Buffer> get(String token, String uri) throws Exception {
    return await(gw.http.get(uri).putHeader("Authorization", "Bearer " + token).send());
  }

  HttpResponse<Buffer> post(String token, String uri, JsonObject body) throws Exception {
    return await(gw.http.post(uri).putHeader("Authorization", "Bearer " + token).sendJsonObject(body));
  }

  HttpResponse<Buffer> patch(String token, String uri, JsonObject body) throws Exception {
    return await(gw.http.request(HttpMethod.PATCH, uri).putHeader("Authorization", "Bearer " + token)
        .putHeader("Content-Type", "application/merge-patch+json").sendBuffer(Buffer.buffer(body.encode())));
  }

  HttpResponse<Buffer> delete(String token, String uri) throws Exception {
    return await(gw.http.delete(uri).putHeader("Authorization", "Bearer " + token).send());
  }

  HttpResponse<Buffer> put(String token, String uri, JsonObject body) throws Exception {
    return await(gw.http.put(uri).putHeader("Authorization", "Bearer " + token).sendJsonObject(body));
  }

  /** A valid body for POST /vehicles with a fresh unit id. */
  public static JsonObject newVehicle() {
    return new JsonObject()
        .put("telematics_unit", new JsonObject()
            .put("id", "U-" + UUID.randomUUID().toString().substring(0, 18))
            .put("brand", "NIU").put("model", "N1").put("manufacturer", "INVERS").put("type", "RETROFIT")
            .put("password", "correct-horse-battery"))
        .put("vehicle_model_id", "niu-nqi-gts");
  }

  /** Adds a vehicle and returns its resource (asserting 201). */
  JsonObject add(String token, JsonObject body) throws Exception {
    HttpResponse<Buffer> r = post(token, "/vehicles", body);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  JsonObject add(String token) throws Exception {
    return add(token, newVehicle());
  }

  /** Asserts a 400 validation problem with an error at {@code pointer}. */
  static void assertInvalid(HttpResponse<Buffer> r, String pointer) {
    assertEquals(400, r.statusCode(), r.bodyAsString());
    JsonObject body = r.bodyAsJsonObject();
    assertEquals("/problems/validation-error", body.getString("type"));
    JsonArray errors = body.getJsonArray("errors");
    List<String> pointers = new ArrayList<>();
    for (int i = 0; errors != null && i < errors.size(); i++) {
      pointers.add(errors.getJsonObject(i).getString("pointer"));
    }
    if (!pointers.contains(pointer)) {
      throw new AssertionError("expected an error at " + pointer + ", got " + body.encode());
    }
  }

  static void assertProblem(HttpResponse<Buffer> r, int status, String type) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    assertEquals("/problems/" + type, r.bodyAsJsonObject().getString("type"), r.bodyAsString());
  }
}
