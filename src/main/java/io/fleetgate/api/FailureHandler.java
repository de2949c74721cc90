package io.fleetgate.api;

import io.fleetgate.problem.ProblemException;
import io.fleetgate.problem.Problems;
import io.fleetgate.support.LogSafe;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Renders every failure of the API as problem JSON: the one place where errors become HTTP. Unexpected
 * failures are logged once with the flow id and answered with a bare internal-error problem.
 */
public final class FailureHandler {
  private static final Logger LOG = Logger.getLogger("fleetgate.api");
  private final long bodyLimit;

  public FailureHandler(long bodyLimit) {
    this.bodyLimit = bodyLimit;
  }

  public void handle(RoutingContext ctx) {
    send(ctx, problemOf(ctx));
  }

  private ProblemException problemOf(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ProblemException p) {
      return p;
    }
    if (failure instanceof io.fleetgate.problem.StoreUnavailableException) {
      LOG.warning("flow " + FlowIds.of(ctx) + ": " + ctx.request().method() + " " + LogSafe.escape(ctx.request().path())
          + " answered 503: " + LogSafe.escape(failure.getMessage()));
      return Problems.serviceUnavailable("the database is unavailable; nothing was changed, retry later",
          io.fleetgate.problem.StoreUnavailableException.RETRY_AFTER_SECONDS);
    }
    if (failure instanceof io.vertx.core.json.DecodeException) {
      return Problems.validation("the body is not valid JSON");
    }
    int status = ctx.statusCode();
    if (failure == null || status > 0) {
      switch (status) {
        case 400:
          return formDecoding(failure) ? Problems.validation("", "the form body is not valid"
              + " application/x-www-form-urlencoded (an escape is not % and two hex digits)") : Problems.validation("bad request");
        case 401:
          return Problems.unauthorized("authentication required");
        case 404:
          return Problems.notFound("resource");
        case 405:
          return Problems.methodNotAllowed();
        case 413:
          return Problems.payloadTooLarge(bodyLimit);
        case 415:
          return Problems.unsupportedMediaType();
        default:
          break;
      }
    }
    // the path is the client's: escaped; the stack trace is ours (a bug to fix), so it is kept
    LOG.log(Level.SEVERE, "flow " + FlowIds.of(ctx) + ": unexpected failure on " + ctx.request().method() + " "
        + LogSafe.escape(ctx.request().path()) + ": " + LogSafe.escape(String.valueOf(failure)), failure);
    return Problems.internal();
  }

  /** Netty's form decoder failed (BodyHandler, before any route): a client's error, said as such. */
  private static boolean formDecoding(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof io.netty.handler.codec.http.multipart.HttpPostRequestDecoder.ErrorDataDecoderException) {
        return true;
      }
    }
    return false;
  }

  /** Writes a problem response (also used directly by handlers that answer outside the router). */
  public static void send(RoutingContext ctx, ProblemException p) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    JsonObject body = new JsonObject()
        .put("type", "/problems/" + p.type)
        .put("title", p.title)
        .put("status", p.status)
        .put("detail", p.detail())
        .put("flow_id", FlowIds.of(ctx));
    if (p.errors != null) {
      body.put("errors", p.errors);
    }
    p.headers.forEach(ctx.response()::putHeader);
    ctx.response()
        .setStatusCode(p.status)
        .putHeader("Content-Type", "application/problem+json")
        .end(body.encode());
  }
}
