package io.fleetgate.api;

import io.fleetgate.Gateway;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** Operations endpoints without a token: health. */
public final class OpsRoutes implements RouteGroup {
  private final Gateway gateway;

  public OpsRoutes(Gateway gateway) {
    this.gateway = gateway;
  }

  @Override
  public void mount(Router router, ApiSupport api) {
    router.get("/health/live").handler(ctx -> ApiSupport.sendJson(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(ctx -> ApiSupport.sendJson(ctx, 200, new JsonObject().put("status", "UP")));
  }
}
