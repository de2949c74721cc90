package io.fleetgate.problem;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** Factories for every problem type of the contract, so that titles and statuses live in one place. */
public final class Problems {
  private Problems() {}

  public static ProblemException validation(String detail) {
    return new ProblemException(400, "validation-error", "Validation error", detail, null, Map.of());
  }

  /** A validation error at one JSON pointer of the request. */
  public static ProblemException validation(String pointer, String detail) {
    JsonArray errors = new JsonArray().add(new JsonObject().put("pointer", pointer).put("detail", detail));
    return new ProblemException(400, "validation-error", "Validation error", pointer + ": " + detail, errors, Map.of());
  }

  public static ProblemException unauthorized(String detail) {
    return new ProblemException(401, "unauthorized", "Unauthorized", detail, null,
        Map.of("WWW-Authenticate", "Bearer realm=\"fleetgate\""));
  }

  /**
   * Wrong client credentials. {@code challenge}: the caller used HTTP Basic (or sent no credentials at all), so
   * the answer names the scheme (RFC 6749 §5.2); a form-body login gets none, or a browser would answer it with
   * its own password dialog (the console's sign-in form).
   */
  public static ProblemException badClientCredentials(boolean challenge) {
    return new ProblemException(401, "unauthorized", "Unauthorized", "invalid client credentials", null,
        challenge ? Map.of("WWW-Authenticate", "Basic realm=\"fleetgate\"") : Map.of());
  }

  public static ProblemException missingPermissions(String permission) {
    return new ProblemException(403, "missing-permissions", "Missing permissions",
        "this client lacks the permission '" + permission + "'", null, Map.of());
  }

  public static ProblemException forbiddenResource(String detail) {
    return new ProblemException(403, "forbidden-resource", "Forbidden resource", detail, null, Map.of());
  }

  public static ProblemException notFound(String what) {
    return new ProblemException(404, "resource-not-found", "Resource not found", what + " not found", null, Map.of());
  }

  public static ProblemException methodNotAllowed() {
    return new ProblemException(405, "method-not-allowed", "Method not allowed", "this method is not allowed here",
        null, Map.of());
  }

  public static ProblemException conflict(String detail) {
    return new ProblemException(409, "conflict", "Conflict", detail, null, Map.of());
  }

  public static ProblemException payloadTooLarge(long limit) {
    return new ProblemException(413, "payload-too-large", "Payload too large",
        "the request body exceeds " + limit + " bytes", null, Map.of());
  }

  public static ProblemException unsupportedMediaType() {
    return new ProblemException(415, "unsupported-media-type", "Unsupported media type",
        "request bodies must be application/json", null, Map.of());
  }

  /** The per-client rate limit is exhausted; {@code rateHeaders} are the X-Rate-Limit-* and Retry-After headers. */
  public static ProblemException tooManyRequests(String detail, Map<String, String> rateHeaders) {
    return new ProblemException(429, "too-many-requests", "Too many requests", detail, null, rateHeaders);
  }

  public static ProblemException internal() {
    return new ProblemException(500, "internal-error", "Internal error",
        "an unexpected error occurred; quote the flow id when reporting it", null, Map.of());
  }

  public static ProblemException serviceUnavailable(String detail, int retryAfterSeconds) {
    return new ProblemException(503, "service-unavailable", "Service unavailable", detail, null,
        Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
  }

  /** A problem of a custom type, e.g. {@code vehicle/command-not-supported}. */
  public static ProblemException of(int status, String type, String title, String detail) {
    return new ProblemException(status, type, title, detail, null, Map.of());
  }
}
