package io.fleetgate.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {

  @Test
  void buildInfoAndHistogramBuckets() {
    PrometheusMeterRegistry registry = GatewayMetrics.newRegistry(new BuildInfo("1.2.3", "5.0.8", "17"));
    Timer.builder(GatewayMetrics.HTTP_SERVER_TIME).tag("route", "/x").register(registry).record(Duration.ofMillis(7));
    String text = registry.scrape();
    assertTrue(text.contains("fleetgate_build_info{java_version=\"17\",version=\"1.2.3\",vertx_version=\"5.0.8\"} 1"), text);
    assertTrue(text.contains("vertx_http_server_response_time_seconds_bucket{route=\"/x\",le=\"0.01\"} 1"), text);
    assertTrue(text.contains("vertx_http_server_response_time_seconds_bucket{route=\"/x\",le=\"0.005\"} 0"), text);
  }

  @Test
  void buildVersionComesFromTheBuild() {
    assertNotEquals("unknown", BuildInfo.current().version());
    assertFalse(BuildInfo.current().version().startsWith("${"));
  }

  @Test
  void onlyVertxGaugeReRegistrationWarningsAreDropped() {
    PrometheusMeterRegistry registry = GatewayMetrics.newRegistry(new BuildInfo("1", "2", "3"));
    Gauge.builder("fleetgate.x", () -> 1).register(registry); // loads GatewayMetrics, which installs the filter
    Logger log = Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");
    assertFalse(log.getFilter().isLoggable(new LogRecord(Level.WARNING,
        "This Gauge has been already registered (MeterId{name='vertx.http.server.active.connections', tags=[]}), the registration will be ignored.")));
    assertTrue(log.getFilter().isLoggable(new LogRecord(Level.WARNING,
        "This Gauge has been already registered (MeterId{name='fleetgate.mqtt.connections', tags=[]}), the registration will be ignored.")));
    assertTrue(log.getFilter().isLoggable(new LogRecord(Level.WARNING, "some other warning")));
  }
}
