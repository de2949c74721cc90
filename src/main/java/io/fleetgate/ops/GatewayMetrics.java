package io.fleetgate.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.UUID;
import java.util.logging.Filter;
import java.util.logging.Logger;

/**
 * The gateway's Micrometer set-up, in one place: the Prometheus registry (configured before any meter exists,
 * as Micrometer requires), the HTTP latency histogram, the build info gauge and the Vert.x metrics options.
 */
public final class GatewayMetrics {
  /** The Vert.x HTTP server timer (Prometheus: {@code vertx_http_server_response_time_seconds}). */
  public static final String HTTP_SERVER_TIME = "vertx.http.server.response.time";
  public static final String BUILD_INFO = "fleetgate.build.info";

  /**
   * Latency buckets of the HTTP server histogram: 5 ms to 30 s, so that a synchronous command waiting for its
   * unit (timeout 20 s by default) still lands in a finite bucket.
   */
  static final Duration[] HTTP_BUCKETS = {
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20),
      Duration.ofSeconds(30)};

  private static final Logger METER_REGISTRY_LOG = Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");

  static {
    quietVertxGaugeReRegistration();
  }

  private GatewayMetrics() {}

  /** A registry with the latency histogram configured and {@code fleetgate_build_info} registered. */
  public static PrometheusMeterRegistry newRegistry(BuildInfo build) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(httpLatencyHistogram());
    Gauge.builder(BUILD_INFO, () -> 1)
        .description("The running gateway's version; always 1")
        .tag("version", build.version())
        .tag("vertx_version", build.vertxVersion())
        .tag("java_version", build.javaVersion())
        .strongReference(true)
        .register(registry);
    return registry;
  }

  /**
   * Vert.x metrics into {@code registry}: JVM binders (memory, GC, threads, class loading, process and system
   * CPU, uptime), and HTTP server metrics labelled by method, status code and vertx-web route template
   * ({@code /vehicles/:id}) rather than the raw path, so the number of series stays bounded whatever the
   * clients send. Requests no route matches are labelled with an empty route.
   */
  public static MicrometerMetricsOptions vertxOptions(PrometheusMeterRegistry registry) {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        // Vert.x keeps backends in a JVM-wide map by name; a name per registry keeps two gateways in one JVM
        // (tests) from writing into each other's registry.
        .setRegistryName("fleetgate-" + UUID.randomUUID())
        .setJvmMetricsEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE,
            Label.POOL_NAME, Label.EB_SIDE))
        // the gateway makes no HTTP calls of its own
        .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT);
  }

  private static MeterFilter httpLatencyHistogram() {
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (!id.getName().equals(HTTP_SERVER_TIME)) {
          return config;
        }
        double[] nanos = new double[HTTP_BUCKETS.length];
        for (int i = 0; i < nanos.length; i++) {
          nanos[i] = HTTP_BUCKETS[i].toNanos();
        }
        return DistributionStatisticConfig.builder()
            .percentilesHistogram(false)
            .serviceLevelObjectives(nanos)
            .build()
            .merge(config);
      }
    };
  }

  /**
   * vertx-micrometer-metrics 5.0 registers its per-connection and per-request gauges again for every
   * connection and request; the value is right (the gauges share one counter per id), but Micrometer (since
   * 1.13.9) logs "This Gauge has been already registered" the first time. That is upstream's
   * (vert-x3/vertx-micrometer-metrics#259); drop exactly that message for Vert.x's own meters and keep every
   * other warning, ours included.
   */
  private static void quietVertxGaugeReRegistration() {
    Filter previous = METER_REGISTRY_LOG.getFilter();
    METER_REGISTRY_LOG.setFilter(r -> {
      String m = r.getMessage();
      boolean vertxDuplicate = m != null && m.contains("already registered") && m.contains("MeterId{name='vertx.");
      return !vertxDuplicate && (previous == null || previous.isLoggable(r));
    });
  }
}
