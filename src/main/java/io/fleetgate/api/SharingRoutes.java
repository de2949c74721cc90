package io.fleetgate.api;

import io.fleetgate.auth.Permission;
import io.fleetgate.auth.Principal;
import io.fleetgate.fleet.Fleet;
import io.fleetgate.problem.Problems;
import io.fleetgate.protocol.json.Iso8601;
import io.fleetgate.sharing.SharingService;
import io.fleetgate.vehicle.Vehicle;
import io.fleetgate.vehicle.VehicleService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

/**
 * FleetShare on a vehicle: {@code POST/PATCH/DELETE /vehicles/{id}/sharing} (owner) and
 * {@code DELETE /vehicles/{id}/sharing/partner} (partner), all with {@code fleetshare}. Who may do what is
 * decided by {@code VehicleAccess}, before the body is judged (404/403 first, then 400, then 409).
 */
public final class SharingRoutes implements RouteGroup {
  private final VehicleService vehicles;
  private final SharingService sharing;

  public SharingRoutes(VehicleService vehicles, SharingService sharing) {
    this.vehicles = vehicles;
    this.sharing = sharing;
  }

  @Override
  public void mount(Router router, ApiSupport api) {
    router.post("/vehicles/:id/sharing").handler(api.requires(Permission.FLEETSHARE)).handler(ApiSupport.json(200, this::start));
    router.patch("/vehicles/:id/sharing").handler(api.requires(Permission.FLEETSHARE)).handler(ApiSupport.json(200, this::change));
    router.delete("/vehicles/:id/sharing").handler(api.requires(Permission.FLEETSHARE)).handler(ApiSupport.json(204, this::endAsOwner));
    router.delete("/vehicles/:id/sharing/partner").handler(api.requires(Permission.FLEETSHARE))
        .handler(ApiSupport.json(204, this::endAsPartner));
  }

  private Future<JsonObject> start(RoutingContext ctx) {
    Principal principal = ApiSupport.principal(ctx);
    String id = ctx.pathParam("id");
    vehicles.access().requireShare(principal, vehicles.get(principal, id));
    JsonInput in = JsonInput.body(ctx).allowOnly("fleet_id", "starts_at", "ends_at");
    String fleetId = in.matching("fleet_id", Fleet.ID, 100, true, "must be a fleet id");
    Instant startsAt = time(in, "starts_at");
    Instant endsAt = time(in, "ends_at");
    in.check();
    if (startsAt != null && endsAt != null && !endsAt.isAfter(startsAt)) {
      throw Problems.validation("/ends_at", "must be in the future and after starts_at");
    }
    return sharing.start(principal, id, fleetId, startsAt, endsAt).compose(v -> render(principal, v));
  }

  private Future<JsonObject> change(RoutingContext ctx) {
    Principal principal = ApiSupport.principal(ctx);
    String id = ctx.pathParam("id");
    vehicles.access().requireShare(principal, vehicles.get(principal, id));
    JsonInput in = JsonInput.body(ctx).allowOnly("ends_at");
    if (!in.has("ends_at")) {
      in.error("ends_at", "is required (null for an open end)");
    }
    Instant endsAt = time(in, "ends_at");
    in.check();
    return sharing.changeEnd(principal, id, endsAt).compose(v -> render(principal, v));
  }

  private Future<Void> endAsOwner(RoutingContext ctx) {
    return sharing.endByOwner(ApiSupport.principal(ctx), ctx.pathParam("id"));
  }

  private Future<Void> endAsPartner(RoutingContext ctx) {
    return sharing.endByPartner(ApiSupport.principal(ctx), ctx.pathParam("id"));
  }

  private Future<JsonObject> render(Principal principal, Vehicle v) {
    return VehicleRoutes.render(vehicles, sharing, principal, v);
  }

  /** An optional ISO-8601 date-time property (null when absent or null). */
  private static Instant time(JsonInput in, String key) {
    String s = in.string(key, 1, 40, false);
    if (s == null) {
      return null;
    }
    try {
      return Instant.ofEpochMilli(Iso8601.parse(s));
    } catch (RuntimeException e) {
      in.error(key, "must be an ISO-8601 date-time with a zone, e.g. 2026-11-21T10:15:30Z");
      return null;
    }
  }
}
