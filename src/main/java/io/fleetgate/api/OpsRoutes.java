package io.fleetgate.api;

import io.fleetgate.ops.Readiness;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Operations endpoints, without a token: liveness, readiness, Prometheus metrics and the OpenAPI description.
 */
public final class OpsRoutes implements RouteGroup {
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";
  /** Where the OpenAPI description lives on the class path. */
  public static final String OPENAPI_RESOURCE = "openapi.yaml";

  private final Vertx vertx;
  private final Readiness readiness;
  private final PrometheusMeterRegistry metrics;
  private final CachedResource openApi;

  public OpsRoutes(Vertx vertx, Readiness readiness, PrometheusMeterRegistry metrics) {
    this.vertx = vertx;
    this.readiness = readiness;
    this.metrics = metrics;
    this.openApi = new CachedResource(vertx, OPENAPI_RESOURCE);
  }

  @Override
  public void mount(Router router, ApiSupport api) {
    router.get("/health/live").handler(ctx -> ApiSupport.sendJson(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(this::ready);
    router.get("/metrics").handler(this::metrics);
    router.get("/openapi.yaml").handler(this::openApi);
  }

  private void ready(RoutingContext ctx) {
    readiness.evaluate().onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      Readiness.Report report = ar.result();
      ctx.response().putHeader("Cache-Control", "no-store");
      ApiSupport.sendJson(ctx, report.up() ? 200 : 503, report.toJson());
    });
  }

  /**
   * Prometheus text 0.0.4, or OpenMetrics when the scraper asks for it. Scraping walks every meter, so it
   * runs on a worker rather than an event loop.
   */
  private void metrics(RoutingContext ctx) {
    String accept = ctx.request().getHeader("Accept");
    String type = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
    vertx.executeBlocking(() -> metrics.scrape(type), false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      ctx.response().putHeader("Content-Type", type).putHeader("Cache-Control", "no-store").end(ar.result());
    });
  }

  private void openApi(RoutingContext ctx) {
    openApi.get().onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      ctx.response().putHeader("Content-Type", "application/yaml; charset=utf-8").end(ar.result());
    });
  }
}
