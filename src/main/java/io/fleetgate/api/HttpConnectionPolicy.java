package io.fleetgate.api;

import io.fleetgate.ops.HttpConnectionLimits;
import io.fleetgate.ops.HttpConnectionMetrics;
import java.util.Set;

/**
 * What every API verticle instance enforces on its connections (shared by all of them): the caps decided at
 * accept, the time to send a request head and the slowest body rate.
 *
 * @param headerTimeoutMs http.requestHeaderTimeoutSeconds; also the body's grace period and the keep-alive idle bound
 * @param trustedProxies http.trustedProxies (exempt from the per-address cap)
 */
public record HttpConnectionPolicy(HttpConnectionLimits limits, HttpConnectionMetrics metrics, long headerTimeoutMs,
    long minBodyBytesPerSecond, Set<String> trustedProxies) {

  /** How long a connection on probation has to send its one request (a probe sends it at once). */
  public long probationMs() {
    return Math.min(2000, headerTimeoutMs);
  }
}
