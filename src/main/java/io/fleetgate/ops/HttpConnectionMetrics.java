package io.fleetgate.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The REST listener's connection meters: {@code fleetgate_http_connections} (open now, served and on
 * probation), {@code fleetgate_http_connections_refused_total{reason=max_connections|max_connections_per_address}}
 * (over a cap at accept: answered 503 or closed) and {@code fleetgate_http_connections_closed_total{reason=
 * header_timeout|keep_alive_timeout|slow_body}} (closed by the gateway for being too slow).
 */
public final class HttpConnectionMetrics {
  private final MeterRegistry registry;
  private final Map<String, Counter> refused = new ConcurrentHashMap<>();
  private final Map<String, Counter> closed = new ConcurrentHashMap<>();

  public HttpConnectionMetrics(MeterRegistry registry, HttpConnectionLimits limits) {
    this.registry = registry;
    Gauge.builder("fleetgate_http_connections", limits::open)
        .description("Open HTTP connections (served and being refused)").register(registry);
  }

  public void refused(String reason) {
    refused.computeIfAbsent(reason, r -> Counter.builder("fleetgate_http_connections_refused").tag("reason", r)
        .description("HTTP connections over a connection cap at accept (answered 503 or closed)").register(registry))
        .increment();
  }

  public void closed(String reason) {
    closed.computeIfAbsent(reason, r -> Counter.builder("fleetgate_http_connections_closed").tag("reason", r)
        .description("HTTP connections the gateway closed for sending too slowly").register(registry))
        .increment();
  }
}
