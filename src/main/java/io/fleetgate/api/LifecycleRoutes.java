package io.fleetgate.api;

import io.fleetgate.sharing.SharingService;
import io.fleetgate.auth.Permission;
import io.fleetgate.vehicle.ArchivedVehicle;
import io.fleetgate.vehicle.KeysetPage;
import io.fleetgate.vehicle.TelematicsUnit;
import io.fleetgate.vehicle.VehicleLifecycle;
import io.fleetgate.vehicle.VehicleService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The vehicle lifecycle beyond adding: removing (archiving) a vehicle, the archive and restoring from it, and
 * a unit's password. All need {@code vehicle-lifecycle} and act on the caller's own fleet only.
 */
public final class LifecycleRoutes implements RouteGroup {
  private final VehicleLifecycle lifecycle;
  private final VehicleService vehicles;
  private final SharingService sharing;

  public LifecycleRoutes(VehicleLifecycle lifecycle, VehicleService vehicles, SharingService sharing) {
    this.sharing = sharing;
    this.lifecycle = lifecycle;
    this.vehicles = vehicles;
  }

  @Override
  public void mount(Router router, ApiSupport api) {
    router.delete("/vehicles/:id").handler(api.requires(Permission.VEHICLE_LIFECYCLE)).handler(ApiSupport.json(204, this::remove));
    router.get("/archived-vehicles").handler(api.requires(Permission.VEHICLE_LIFECYCLE)).handler(ApiSupport.json(200, this::archived));
    router.post("/archived-vehicles/:id/restore").handler(api.requires(Permission.VEHICLE_LIFECYCLE))
        .handler(ApiSupport.json(200, this::restore));
    router.put("/telematics-units/:id/password").handler(api.requires(Permission.VEHICLE_LIFECYCLE))
        .handler(ApiSupport.json(204, this::password));
  }

  private Future<Void> remove(RoutingContext ctx) {
    return lifecycle.remove(ApiSupport.principal(ctx), ctx.pathParam("id"));
  }

  private Future<JsonObject> archived(RoutingContext ctx) {
    PageCursor page = PageCursor.of(ctx, "archived-vehicles", List.of());
    KeysetPage<ArchivedVehicle> result = lifecycle.archived(ApiSupport.principal(ctx), page.at(), page.limit());
    JsonArray items = new JsonArray();
    result.items().forEach(a -> items.add(render(a)));
    return Future.succeededFuture(new JsonObject().put("items", items).put("cursors", page.cursors(result, true)));
  }

  private Future<JsonObject> restore(RoutingContext ctx) {
    return lifecycle.restore(ApiSupport.principal(ctx), ctx.pathParam("id")).map(v -> {
      ctx.response().putHeader("Location", "/vehicles/" + v.id());
      return VehicleJson.vehicle(v, vehicles.live(v), vehicles.unitOf(v), sharing.view(v.fleetId(), v));
    });
  }

  private Future<Void> password(RoutingContext ctx) {
    String unitId = ctx.pathParam("id");
    vehicles.unit(ApiSupport.principal(ctx), unitId); // 404 before the body is judged
    JsonInput in = JsonInput.body(ctx).allowOnly("password");
    String password = in.string("password", TelematicsUnit.PASSWORD_MIN, TelematicsUnit.PASSWORD_MAX, true);
    in.check();
    return lifecycle.changePassword(ApiSupport.principal(ctx), unitId, password);
  }

  /** The vehicle resource as it was when archived, plus {@code archived_at} and {@code expires_at}. */
  private JsonObject render(ArchivedVehicle a) {
    // an archived vehicle has no sharing: removal is refused while one is active or scheduled
    return VehicleJson.vehicle(a.vehicle(), lifecycle.liveOf(a), a.unit(), null)
        .put("archived_at", VehicleJson.time(a.archivedAt()))
        .put("expires_at", VehicleJson.time(lifecycle.expiresAt(a)));
  }
}
