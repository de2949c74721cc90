package io.fleetgate.api;

import io.fleetgate.auth.Permission;
import io.fleetgate.auth.Principal;
import io.fleetgate.auth.TokenService;
import io.fleetgate.fleet.ApiClient;
import io.fleetgate.fleet.FleetDirectory;
import io.fleetgate.ops.RateLimiter;
import io.fleetgate.ops.WorkingSetCoherence;
import io.fleetgate.problem.ProblemException;
import io.fleetgate.problem.Problems;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;

/**
 * What route groups share: authentication, permission checks, JSON responses and running a future-returning
 * handler with its failure routed to the one {@link FailureHandler}.
 */
public final class ApiSupport {
  private static final String PRINCIPAL = "fleetgate.principal";
  private static final String TOKEN_EXPIRES_AT = "fleetgate.tokenExpiresAt";
  private static final String COHERENCE = "fleetgate.coherence";

  private final TokenService tokens;
  private final FleetDirectory directory;
  /** Per-client buckets; null = no rate limit. */
  private final RateLimiter rate;
  /** A cluster node's working set: refuse while it is stale, barrier after a write; null for a single node. */
  private final WorkingSetCoherence coherence;

  /** Without a rate limit (tests that only mount routes). */
  public ApiSupport(TokenService tokens, FleetDirectory directory) {
    this(tokens, directory, null);
  }

  public ApiSupport(TokenService tokens, FleetDirectory directory, RateLimiter rate) {
    this(tokens, directory, rate, null);
  }

  public ApiSupport(TokenService tokens, FleetDirectory directory, RateLimiter rate, WorkingSetCoherence coherence) {
    this.tokens = tokens;
    this.directory = directory;
    this.rate = rate;
    this.coherence = coherence;
  }

  /**
   * Handler that refuses with 503 while this cluster node's working set may be stale (for routes that read it
   * without a bearer token, e.g. the token endpoint); passes everything on a single node.
   */
  public Handler<RoutingContext> current() {
    return ctx -> {
      String stale = coherence == null ? null : coherence.staleReason();
      if (stale != null) {
        ctx.fail(stale(stale));
        return;
      }
      ctx.next();
    };
  }

  private static ProblemException stale(String why) {
    return Problems.serviceUnavailable("this node cannot authorize requests right now (" + why + "); retry, or use another node", 1);
  }

  /**
   * Handler that requires a valid bearer token of a client that still exists, and the given permission.
   * Permissions are the client's current ones (so changes apply at once), bounded by the token's scope.
   */
  public Handler<RoutingContext> requires(Permission permission) {
    return requiresAny(permission);
  }

  /** Like {@link #requires}, satisfied by any one of the given permissions. */
  public Handler<RoutingContext> requiresAny(Permission... anyOf) {
    String names = java.util.Arrays.stream(anyOf).map(p -> p.wire).collect(java.util.stream.Collectors.joining("' or '"));
    return ctx -> authenticate(ctx).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      Principal principal = ar.result();
      if (!admit(ctx, principal)) {
        return;
      }
      boolean allowed = false;
      for (Permission p : anyOf) {
        allowed |= principal.has(p);
      }
      if (!allowed) {
        ctx.fail(Problems.missingPermissions(names));
        return;
      }
      ctx.put(PRINCIPAL, principal);
      ctx.next();
    });
  }

  /**
   * Handler that requires only a valid bearer token of a client that still exists (no permission); for routes
   * whose access depends on the resource, e.g. a fleet's own clients reading their fleet.
   */
  public Handler<RoutingContext> authenticated() {
    return ctx -> authenticate(ctx).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      if (!admit(ctx, ar.result())) {
        return;
      }
      ctx.put(PRINCIPAL, ar.result());
      ctx.next();
    });
  }

  /**
   * The per-client rate limit, checked right after authentication on every authenticated route (before the
   * permission check: a refused request costs a token too). Puts the X-Rate-Limit-* headers on the response;
   * an empty bucket fails the request with 429 and Retry-After.
   */
  private boolean admit(RoutingContext ctx, Principal principal) {
    if (rate == null) {
      return true;
    }
    RateLimiter.Decision d = rate.tryAcquire(principal.clientId());
    java.util.Map<String, String> headers = rateHeaders(d);
    if (!d.allowed()) {
      ctx.fail(Problems.tooManyRequests("the rate limit of this client is exhausted; retry after "
          + d.retryAfterSeconds() + " s", headers));
      return false;
    }
    headers.forEach(ctx.response()::putHeader);
    return true;
  }

  /** The X-Rate-Limit-* headers of a decision, and Retry-After when it refused. */
  public static java.util.Map<String, String> rateHeaders(RateLimiter.Decision d) {
    java.util.Map<String, String> h = new java.util.LinkedHashMap<>();
    h.put("X-Rate-Limit-Limit", Integer.toString(d.limit()));
    h.put("X-Rate-Limit-Remaining", Integer.toString(d.remaining()));
    h.put("X-Rate-Limit-Reset", Long.toString(d.resetEpochSeconds()));
    if (!d.allowed()) {
      h.put("Retry-After", Long.toString(d.retryAfterSeconds()));
    }
    return h;
  }

  private Future<Principal> authenticate(RoutingContext ctx) {
    if (coherence != null) {
      String stale = coherence.staleReason();
      if (stale != null) {
        return Future.failedFuture(stale(stale));
      }
      ctx.put(COHERENCE, coherence);
    }
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() > 8192) {
      return Future.failedFuture(Problems.unauthorized("a bearer token is required"));
    }
    return tokens.verify(header.substring(7).trim())
        .recover(e -> Future.failedFuture(Problems.unauthorized("the token is invalid or expired")))
        .compose(claims -> {
          // strictly at exp (the signature check allows a few seconds of leeway): an event stream ends at its
          // token's exp, and must not be reopened with the same token
          Long exp = claims.getLong("exp");
          if (exp == null || exp * 1000 <= System.currentTimeMillis()) {
            return Future.failedFuture(Problems.unauthorized("the token is invalid or expired"));
          }
          ctx.put(TOKEN_EXPIRES_AT, exp * 1000);
          ApiClient client = directory.client(claims.getString("sub"));
          String fleetId = claims.getString("fleet_id");
          if (client == null || (fleetId == null ? client.fleetId() != null : !fleetId.equals(client.fleetId()))) {
            return Future.failedFuture(Problems.unauthorized("the token's client no longer exists"));
          }
          Set<Permission> scope = EnumSet.noneOf(Permission.class);
          String scopeClaim = claims.getString("scope", "");
          for (String s : scopeClaim.split(" ")) {
            Permission p = Permission.of(s);
            if (p != null) {
              scope.add(p);
            }
          }
          Set<Permission> effective = Permission.effective(client.permissions());
          effective.retainAll(Permission.effective(scope));
          if (client.fleetId() != null) {
            // admin is for platform clients only, whatever a fleet client's record says
            effective.remove(Permission.ADMIN);
          }
          return Future.succeededFuture(new Principal(client.clientId(), client.fleetId(), effective));
        });
  }

  /** The authenticated caller; only valid behind {@link #requires} or {@link #authenticated}. */
  public static Principal principal(RoutingContext ctx) {
    return ctx.get(PRINCIPAL);
  }

  /** When the caller's token expires (epoch ms); only valid behind {@link #requires} or {@link #authenticated}. */
  public static long tokenExpiresAtMs(RoutingContext ctx) {
    Long at = ctx.get(TOKEN_EXPIRES_AT);
    return at == null ? 0 : at;
  }

  /** Runs a handler returning a future of a JSON body, answering {@code status} with it or failing the route. */
  public static Handler<RoutingContext> json(int status, Function<RoutingContext, Future<?>> handler) {
    return ctx -> {
      Future<?> f;
      try {
        f = handler.apply(ctx);
      } catch (RuntimeException e) {
        ctx.fail(e);
        return;
      }
      f.onComplete(ar -> {
        if (ar.failed()) {
          ctx.fail(ar.cause());
          return;
        }
        WorkingSetCoherence coherence = ctx.get(COHERENCE);
        if (coherence == null || ctx.request().method() == HttpMethod.GET || ctx.request().method() == HttpMethod.HEAD) {
          answer(ctx, status, ar.result());
        } else {
          // a change is answered once every node has it (cluster): the write barrier, for every write route at once
          coherence.barrier().onComplete(b -> answer(ctx, status, ar.result()));
        }
      });
    };
  }

  private static void answer(RoutingContext ctx, int status, Object body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    if (body == null) {
      ctx.response().setStatusCode(status == 200 ? 204 : status).end();
    } else {
      sendJson(ctx, status, body);
    }
  }

  public static void sendJson(RoutingContext ctx, int status, Object body) {
    String text = body instanceof JsonObject o ? o.encode() : body instanceof JsonArray a ? a.encode() : body.toString();
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(text);
  }
}
