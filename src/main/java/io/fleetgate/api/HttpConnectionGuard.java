package io.fleetgate.api;

import io.fleetgate.ops.HttpConnectionLimits;
import io.fleetgate.ops.HttpConnectionLimits.Admission;
import io.fleetgate.problem.Problems;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Enforces the {@link HttpConnectionPolicy} on the connections of one API verticle instance (so everything here
 * runs on its event loop and needs no locks). A connection takes its slot the moment it is accepted
 * ({@link #admit}, the server's connection handler: h2c detection is off, so Vert.x calls it at accept rather
 * than after the first bytes). One periodic sweep, not a timer per connection, closes a connection that
 * <ul>
 *   <li>has not sent a complete request head within the header timeout of its accept, or of the end of its
 *   previous response (this also bounds keep-alive idling: a request head trickled a byte at a time never
 *   completes, and Vert.x only shows complete heads);</li>
 *   <li>sends a request body slower, on average, than the minimum rate once the header timeout has passed
 *   since its head (an upload of 64 KiB at 1 KiB/s takes 74 s and is fine);</li>
 *   <li>is on probation and has not sent its one request within {@link HttpConnectionPolicy#probationMs()}.</li>
 * </ul>
 */
final class HttpConnectionGuard {
  /** How often the sweep runs: a timeout fires at most this late. */
  static final long SWEEP_MS = 250;
  /** Retry-After of the 503 a connection over a cap gets. */
  static final int RETRY_AFTER_SECONDS = 5;

  private enum Phase { AWAIT_HEAD, ACTIVE }

  /** One open connection; {@code since}: when it was accepted, its head arrived, or its last response ended. */
  private static final class Tracked {
    final HttpConnection connection;
    final Admission admission;
    Phase phase = Phase.AWAIT_HEAD;
    long since;
    /** Requests whose head arrived on this connection. */
    int requests;
    /** Closed by the sweep, waiting for Vert.x to report the close: not judged (or counted) again. */
    boolean closing;
    HttpServerRequest request;

    Tracked(HttpConnection connection, Admission admission, long now) {
      this.connection = connection;
      this.admission = admission;
      this.since = now;
    }
  }

  private final Vertx vertx;
  private final HttpConnectionPolicy policy;
  private final Map<HttpConnection, Tracked> open = new HashMap<>();
  private long sweepTimer = -1;

  HttpConnectionGuard(Vertx vertx, HttpConnectionPolicy policy) {
    this.vertx = vertx;
    this.policy = policy;
  }

  void start() {
    sweepTimer = vertx.setPeriodic(SWEEP_MS, id -> sweep());
  }

  void stop() {
    vertx.cancelTimer(sweepTimer);
  }

  /** The server's connection handler: counts the connection from accept, or refuses it. */
  void admit(HttpConnection conn) {
    String address = conn.remoteAddress() == null ? "unknown" : conn.remoteAddress().hostAddress();
    Admission a = policy.limits().admit(ClientAddress.limitKey(address), policy.trustedProxies().contains(address));
    if (a.reason() != null) {
      policy.metrics().refused(a.reason());
    }
    if (a.kind() == HttpConnectionLimits.Kind.CLOSED) {
      conn.close();
      return;
    }
    open.put(conn, new Tracked(conn, a, now()));
    conn.closeHandler(v -> {
      open.remove(conn);
      policy.limits().release(a);
    });
  }

  /**
   * The router's first handler after the flow id: marks the connection busy until the response ends, and
   * answers a connection on probation (a health probe normally, anything else 503) before closing it.
   */
  void onRequest(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Tracked t = open.get(request.connection());
    if (t == null) {
      ctx.next();
      return;
    }
    t.phase = Phase.ACTIVE;
    t.since = now();
    t.request = request;
    t.requests++;
    boolean probation = t.admission.kind() == HttpConnectionLimits.Kind.PROBATION;
    ctx.addEndHandler(ar -> {
      if (probation) {
        t.connection.close(); // after the response: Vert.x closes behind the queued writes
      } else if (t.request == request) {
        // also after a failed exchange: closing here could cut the failure's own answer off (an undecodable
        // form body got a reset instead of its 400); a broken connection is closed by Vert.x, and one the
        // client keeps open idle is closed by the header timeout
        t.phase = Phase.AWAIT_HEAD;
        t.since = now();
        t.request = null;
      }
    });
    if (!probation) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("Connection", "close");
    if (request.path().startsWith("/health/")) {
      ctx.next(); // probes are answered even while every slot is taken
    } else {
      ctx.fail(Problems.serviceUnavailable(
          "too many connections (" + reasonText(t.admission.reason()) + "); retry later",
          RETRY_AFTER_SECONDS));
    }
  }

  private static String reasonText(String reason) {
    return "max_connections".equals(reason) ? "http.maxConnections reached" : "http.maxConnectionsPerAddress reached for this address";
  }

  private void sweep() {
    long now = now();
    List<Tracked> late = new ArrayList<>();
    List<String> why = new ArrayList<>();
    for (Tracked t : open.values()) {
      String reason = overdue(t, now);
      if (reason != null) {
        late.add(t);
        why.add(reason);
      }
    }
    for (int i = 0; i < late.size(); i++) {
      Tracked t = late.get(i);
      t.closing = true;
      if (t.admission.kind() == HttpConnectionLimits.Kind.SERVED) {
        policy.metrics().closed(why.get(i));
      }
      t.connection.close();
    }
  }

  /** Why {@code t} must be closed now, or null. */
  private String overdue(Tracked t, long now) {
    long elapsed = now - t.since;
    if (t.closing) {
      return null;
    }
    if (t.phase == Phase.AWAIT_HEAD) {
      if (t.admission.kind() == HttpConnectionLimits.Kind.PROBATION) {
        return t.requests == 0 && elapsed > policy.probationMs() ? "probation" : null;
      }
      return elapsed > policy.headerTimeoutMs() ? (t.requests > 0 ? "keep_alive_timeout" : "header_timeout") : null;
    }
    HttpServerRequest r = t.request;
    if (r == null || r.isEnded()) {
      return null; // the body is in; the response may take as long as it takes (commands, event streams)
    }
    long late = elapsed - policy.headerTimeoutMs();
    return late > 0 && r.bytesRead() < policy.minBodyBytesPerSecond() * late / 1000 ? "slow_body" : null;
  }

  private static long now() {
    return System.nanoTime() / 1_000_000;
  }
}
