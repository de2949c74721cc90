package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.ops.ReadinessCheck;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The operations endpoints: no token, health shapes, Prometheus content. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpsEndpointsTest {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }


  @Test
  void liveIsUpWithoutAToken() throws Exception {
    HttpResponse<Buffer> r = await(gw.http.get("/health/live").send());
    assertEquals(200, r.statusCode());
    assertEquals("application/json", r.getHeader("Content-Type"));
    assertEquals(new JsonObject().put("status", "UP"), r.bodyAsJsonObject());
  }

  @Test
  void readyIsUpWithTheListenersCheck() throws Exception {
    HttpResponse<Buffer> r = await(gw.http.get("/health/ready").send());
    assertEquals(200, r.statusCode());
    JsonObject body = r.bodyAsJsonObject();
    assertEquals("UP", body.getString("status"));
    JsonObject listeners = body.getJsonArray("checks").getJsonObject(0);
    assertEquals("listeners", listeners.getString("name"));
    assertEquals("UP", listeners.getString("status"));
    assertTrue(listeners.getString("detail").contains("http " + gw.gateway.httpPort()), listeners.encode());
  }

  @Test
  void readyTurns503NamingOnlyTheFailingChecks() throws Exception {
    try (TestGateway own = TestGateway.start()) {
      own.gateway.readiness.register(ReadinessCheck.of("store", () -> Future.succeededFuture(ReadinessCheck.Result.down("connection refused"))));
      own.gateway.readiness.register(ReadinessCheck.of("broker", () -> Future.failedFuture("broker unreachable")));
      HttpResponse<Buffer> r = await(own.http.get("/health/ready").send());
      assertEquals(503, r.statusCode());
      assertEquals("application/json", r.getHeader("Content-Type"));
      JsonObject body = r.bodyAsJsonObject();
      assertEquals("DOWN", body.getString("status"));
      assertEquals(new JsonArray()
          .add(new JsonObject().put("name", "store").put("status", "DOWN").put("detail", "connection refused"))
          .add(new JsonObject().put("name", "broker").put("status", "DOWN").put("detail", "broker unreachable")),
          body.getJsonArray("checks"));
      // liveness is about the process, not its dependencies
      assertEquals(200, await(own.http.get("/health/live").send()).statusCode());
    }
  }

  @Test
  void metricsArePrometheusTextWithTheLatencyHistogramByRouteTemplate() throws Exception {
    assertEquals(200, await(gw.http.get("/health/live").send()).statusCode());
    assertEquals(404, await(gw.http.get("/vehicles-nope/ZZ9QX/unknown").send()).statusCode());
    HttpResponse<Buffer> r = await(gw.http.get("/metrics").send());
    assertEquals(200, r.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", r.getHeader("Content-Type"));
    String text = r.bodyAsString();
    assertTrue(Pattern.compile("(?m)^vertx_http_server_response_time_seconds_bucket\\{code=\"200\",method=\"GET\",route=\"/health/live\",le=\"0\\.005\"} [0-9]+$")
        .matcher(text).find(), "latency histogram with a route label:\n" + grep(text, "response_time_seconds_bucket{code=\"200\",method=\"GET\",route=\"/health/live\""));
    assertTrue(text.contains("le=\"30.0\""), "buckets up to 30 s");
    // raw paths never become labels: unmatched requests share one empty route
    assertFalse(text.contains("ZZ9QX"), "a raw path leaked into a label");
    assertFalse(text.contains("path=\""), "no raw path label");
  }

  @Test
  void metricsCarryBuildInfoAndJvmAndProcessMeters() throws Exception {
    String text = await(gw.http.get("/metrics").send()).bodyAsString();
    assertTrue(Pattern.compile("(?m)^fleetgate_build_info\\{java_version=\"[^\"]+\",version=\"[^\"]+\",vertx_version=\"[^\"]+\"} 1(\\.0)?$").matcher(text).find(),
        "build info:\n" + grep(text, "build_info"));
    for (String meter : new String[] {"jvm_memory_used_bytes{", "jvm_gc_memory_allocated_bytes_total", "jvm_threads_live_threads",
        "process_cpu_usage", "system_cpu_count", "process_uptime_seconds"}) {
      assertTrue(text.contains(meter), meter);
    }
  }

  @Test
  void metricsSpeakOpenMetricsWhenAsked() throws Exception {
    HttpResponse<Buffer> r = await(gw.http.get("/metrics").putHeader("Accept", "application/openmetrics-text; version=1.0.0").send());
    assertEquals(200, r.statusCode());
    assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", r.getHeader("Content-Type"));
    assertTrue(r.bodyAsString().endsWith("# EOF\n"));
  }

  @Test
  void openApiDescriptionIsServedAsYaml() throws Exception {
    HttpResponse<Buffer> r = await(gw.http.get("/openapi.yaml").send());
    assertEquals(200, r.statusCode());
    assertEquals("application/yaml; charset=utf-8", r.getHeader("Content-Type"));
    assertTrue(r.bodyAsString().startsWith("openapi: 3.1."), r.bodyAsString().lines().findFirst().orElse(""));
  }

  @Test
  void opsEndpointsIgnoreABadToken() throws Exception {
    for (String path : new String[] {"/health/live", "/health/ready", "/metrics", "/openapi.yaml", "/docs"}) {
      HttpResponse<Buffer> r = await(gw.http.get(path).putHeader("Authorization", "Bearer not-a-token").send());
      assertEquals(200, r.statusCode(), path);
      assertNull(r.getHeader("WWW-Authenticate"), path);
    }
  }

  private static String grep(String text, String word) {
    return String.join("\n", text.lines().filter(l -> l.contains(word)).limit(20).toList());
  }
}
