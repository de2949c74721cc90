package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/** Blocking helpers for HTTP tests against a {@link TestGateway}. */
final class HttpCalls {
  private HttpCalls() {}


  static HttpRequest<Buffer> bearer(HttpRequest<Buffer> req, String token) {
    return req.putHeader("Authorization", "Bearer " + token);
  }

  static HttpResponse<Buffer> sendJson(HttpRequest<Buffer> req, String token, String body) {
    if (token != null) {
      bearer(req, token);
    }
    return await(req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)));
  }

  static HttpResponse<Buffer> send(HttpRequest<Buffer> req, String token) {
    if (token != null) {
      bearer(req, token);
    }
    return await(req.send());
  }

  static String basic(String id, String secret) {
    return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
  }

  /** Asserts a problem response of this status and type and returns its body. */
  static JsonObject problem(HttpResponse<Buffer> r, int status, String type) {
    assertEquals(status, r.statusCode(), () -> "body: " + r.bodyAsString());
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    JsonObject body = r.bodyAsJsonObject();
    assertEquals("/problems/" + type, body.getString("type"), body::encode);
    assertEquals(status, body.getInteger("status"));
    return body;
  }

  /** Asserts a 400 validation error with an error at {@code pointer}. */
  static JsonObject invalidAt(HttpResponse<Buffer> r, String pointer) {
    JsonObject body = problem(r, 400, "validation-error");
    boolean found = body.getJsonArray("errors") != null && body.getJsonArray("errors").stream()
        .anyMatch(e -> pointer.equals(((JsonObject) e).getString("pointer")));
    assertEquals(true, found, () -> "no error at " + pointer + ": " + body.encode());
    return body;
  }

  /** The payload of a JWT, unverified. */
  static JsonObject payload(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }
}
