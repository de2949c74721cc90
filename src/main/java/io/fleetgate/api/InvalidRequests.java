package io.fleetgate.api;

import io.fleetgate.problem.ProblemException;
import io.fleetgate.problem.Problems;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * Requests the HTTP codec could not decode (request line over its 4 KiB, headers over http's 16 KiB, a
 * malformed request line or header): Vert.x's default answers them with an empty body, the one place the API would not speak
 * problem JSON. Same statuses as the default, then the connection is closed (the codec may be out of step):
 *
 * <ul>
 *   <li>414 {@code /problems/uri-too-long} (title "URI too long"),
 *   <li>431 {@code /problems/request-header-fields-too-large} (title "Request header fields too large"),
 *   <li>400 {@code /problems/validation-error} otherwise.
 * </ul>
 *
 * The router never sees such a request, so the flow id is fixed here ({@code X-Flow-ID} if the codec got
 * that far and it is a UUID).
 */
final class InvalidRequests implements Handler<HttpServerRequest> {

  @Override
  public void handle(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ProblemException p;
    if (cause instanceof TooLongHttpLineException) {
      p = new ProblemException(414, "uri-too-long", "URI too long", "the request line (method, URI, version) is too long",
          null, java.util.Map.of());
    } else if (cause instanceof TooLongHttpHeaderException) {
      p = new ProblemException(431, "request-header-fields-too-large", "Request header fields too large",
          "the request headers are too large", null, java.util.Map.of());
    } else if (cause instanceof TooLongFrameException) {
      p = new ProblemException(431, "request-header-fields-too-large", "Request header fields too large",
          "a part of the request head is over the codec's limit", null, java.util.Map.of());
    } else {
      p = Problems.validation("the request is not valid HTTP/1.1");
    }
    String flowId = FlowIds.of(request);
    JsonObject body = new JsonObject()
        .put("type", "/problems/" + p.type)
        .put("title", p.title)
        .put("status", p.status)
        .put("detail", p.detail())
        .put("flow_id", flowId);
    HttpConnection connection = request.connection();
    request.response()
        .setStatusCode(p.status)
        .putHeader("Content-Type", "application/problem+json")
        .putHeader(FlowIds.HEADER, flowId)
        .putHeader("Connection", "close")
        .end(body.encode())
        .onComplete(v -> connection.close());
  }
}
