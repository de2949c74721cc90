package io.fleetgate.api;

import io.fleetgate.auth.Permission;
import io.fleetgate.auth.Principal;
import io.fleetgate.problem.ProblemException;
import io.fleetgate.problem.Problems;
import io.fleetgate.protocol.json.Iso8601;
import io.fleetgate.protocol.json.StateJson;
import io.fleetgate.sharing.SharingService;
import io.fleetgate.vehicle.KeysetPage;
import io.fleetgate.vehicle.MasterData;
import io.fleetgate.vehicle.TelematicsUnit;
import io.fleetgate.vehicle.Vehicle;
import io.fleetgate.vehicle.VehicleAccess;
import io.fleetgate.vehicle.VehicleCatalog;
import io.fleetgate.vehicle.VehicleFilter;
import io.fleetgate.vehicle.VehicleService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Vehicles, their state and history, telematics units and the model catalog: HTTP in, {@link VehicleService}
 * and {@link VehicleJson} out. Reading a vehicle needs {@code vehicles.ro}, changing it {@code vehicles},
 * adding it {@code vehicle-lifecycle}; the catalog and the units need {@code vehicle-lifecycle} or
 * {@code vehicles.ro}.
 */
public final class VehicleRoutes implements RouteGroup {
  static final List<String> FILTERS = List.of("q", "life_status", "operation_status", "vehicle_type", "tag", "sharing");
  static final List<String> LIFE_STATUSES = List.of("ONLINE", "OFFLINE");
  static final List<String> SHARING = List.of("own", "shared_with_me", "shared_by_me");

  private final VehicleService vehicles;
  private final VehicleCatalog catalog;
  private final SharingService sharing;

  public VehicleRoutes(VehicleService vehicles, VehicleCatalog catalog, SharingService sharing) {
    this.vehicles = vehicles;
    this.catalog = catalog;
    this.sharing = sharing;
  }

  @Override
  public void mount(Router router, ApiSupport api) {
    router.get("/vehicle-models").handler(api.requiresAny(Permission.VEHICLE_LIFECYCLE, Permission.VEHICLES_RO))
        .handler(ApiSupport.json(200, this::models));
    router.post("/vehicles").handler(api.requires(Permission.VEHICLE_LIFECYCLE)).handler(ApiSupport.json(201, this::add));
    router.get("/vehicles").handler(api.requires(Permission.VEHICLES_RO)).handler(ApiSupport.json(200, this::list));
    router.get("/vehicles/:id").handler(api.requires(Permission.VEHICLES_RO)).handler(ApiSupport.json(200, this::get));
    router.patch("/vehicles/:id").handler(api.requires(Permission.VEHICLES)).handler(ApiSupport.json(200, this::patch));
    router.get("/vehicles/:id/state").handler(api.requires(Permission.VEHICLES_RO)).handler(ApiSupport.json(200, this::state));
    router.get("/vehicles/:id/states").handler(api.requires(Permission.VEHICLES_RO)).handler(ApiSupport.json(200, this::states));
    router.get("/telematics-units").handler(api.requiresAny(Permission.VEHICLE_LIFECYCLE, Permission.VEHICLES_RO))
        .handler(ApiSupport.json(200, this::units));
    router.get("/telematics-units/:id").handler(api.requiresAny(Permission.VEHICLE_LIFECYCLE, Permission.VEHICLES_RO))
        .handler(ApiSupport.json(200, this::unit));
  }

  private Future<JsonObject> models(RoutingContext ctx) {
    JsonArray items = new JsonArray();
    catalog.models().forEach(m -> items.add(VehicleJson.model(m)));
    return Future.succeededFuture(new JsonObject().put("items", items));
  }

  private Future<JsonObject> add(RoutingContext ctx) {
    var input = VehicleInput.newVehicle(JsonInput.body(ctx));
    return vehicles.add(ApiSupport.principal(ctx), input).compose(v -> {
      ctx.response().putHeader("Location", "/vehicles/" + v.id());
      return render(ctx, v);
    });
  }

  private Future<JsonObject> get(RoutingContext ctx) {
    return render(ctx, vehicles.get(ApiSupport.principal(ctx), ctx.pathParam("id")));
  }

  private Future<JsonObject> patch(RoutingContext ctx) {
    Principal principal = ApiSupport.principal(ctx);
    String id = ctx.pathParam("id");
    vehicles.access().requireModify(principal, vehicles.get(principal, id)); // 404/403 before the body is judged
    var patch = VehicleInput.patch(JsonInput.body(ctx));
    return vehicles.patch(principal, id, patch).compose(v -> render(ctx, v));
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    PageCursor page = PageCursor.of(ctx, "vehicles", FILTERS);
    VehicleFilter filter;
    try {
      filter = filter(page.filters());
    } catch (ProblemException e) {
      throw page.fromCursor() ? PageCursor.badCursor() : e;
    }
    Principal principal = ApiSupport.principal(ctx);
    KeysetPage<Vehicle> result = vehicles.list(principal, filter, page.at(), page.limit());
    // the page's live sides in one go: at most one request per node holding some of its units
    return vehicles.liveNow(result.items()).map(live -> {
      JsonArray items = new JsonArray();
      result.items().forEach(v -> items.add(VehicleJson.vehicle(v, live.get(v.id()), vehicles.unitOf(v), sharing.view(principal.fleetId(), v))));
      return new JsonObject().put("items", items).put("cursors", page.cursors(result, true));
    });
  }

  /** The listing filters, validated (a 400 naming the parameter). */
  static VehicleFilter filter(JsonObject given) {
    JsonInput in = JsonInput.of(given);
    in.allowOnly(FILTERS.toArray(String[]::new));
    String q = in.string("q", 1, 100, false);
    String life = in.oneOf("life_status", LIFE_STATUSES, false);
    String operation = in.oneOf("operation_status", Vehicle.OPERATION_STATUSES, false);
    String type = in.oneOf("vehicle_type", MasterData.VEHICLE_TYPES, false);
    String tag = in.string("tag", 1, MasterData.TAG_MAX, false);
    String sharing = in.oneOf("sharing", SHARING, false);
    in.check();
    return new VehicleFilter(q, life, operation, type, tag, sharing == null ? null : VehicleAccess.SharingFilter.of(sharing));
  }

  private Future<JsonObject> state(RoutingContext ctx) {
    return vehicles.latestState(ApiSupport.principal(ctx), ctx.pathParam("id")).map(StateJson::toJson);
  }

  private Future<JsonObject> states(RoutingContext ctx) {
    Principal principal = ApiSupport.principal(ctx);
    Vehicle vehicle = vehicles.get(principal, ctx.pathParam("id"));
    PageCursor page = PageCursor.of(ctx, "states", List.of("from", "to"), List.of("vehicle_id"));
    long from;
    long to;
    try {
      if (page.fromCursor() && !vehicle.id().equals(page.filters().getValue("vehicle_id"))) {
        throw PageCursor.badCursor();
      }
      from = time(page.filters(), "from", Long.MIN_VALUE);
      to = time(page.filters(), "to", Long.MAX_VALUE);
      if (from > to) {
        throw Problems.validation("/from", "must not be after 'to'");
      }
    } catch (ProblemException e) {
      throw page.fromCursor() ? PageCursor.badCursor() : e;
    }
    JsonObject filters = page.filters().copy().put("vehicle_id", vehicle.id());
    PageCursor history = new PageCursor("states", page.limit(),
        page.fromCursor() ? page.at() : KeysetPage.Position.LAST, filters, page.fromCursor());
    if (history.at().forward()) {
      throw PageCursor.badCursor();
    }
    return vehicles.history(principal, vehicle.id(), from, to, history.at().key(), history.limit()).map(result -> {
      JsonArray items = new JsonArray();
      result.items().forEach(e -> items.add(VehicleJson.historyEntry(e)));
      KeysetPage.Position next = result.nextBeforeId() == null ? null : new KeysetPage.Position(false, result.nextBeforeId());
      JsonObject cursors = new JsonObject()
          .put("self", history.at(history.at()))
          .put("first", history.at(KeysetPage.Position.LAST))
          .put("prev", null)
          .put("next", history.at(next))
          .put("last", null);
      return new JsonObject().put("items", items).put("cursors", cursors);
    });
  }

  /** An ISO-8601 query time as epoch ms, or the default when absent. */
  private static long time(JsonObject filters, String name, long absent) {
    Object v = filters.getValue(name);
    if (v == null) {
      return absent;
    }
    try {
      return Iso8601.parse(v.toString());
    } catch (RuntimeException e) {
      throw Problems.validation("/" + name, "must be an ISO-8601 date-time with a zone, e.g. 2026-11-21T10:15:30Z");
    }
  }

  private Future<JsonObject> units(RoutingContext ctx) {
    PageCursor page = PageCursor.of(ctx, "telematics-units", List.of());
    KeysetPage<TelematicsUnit> result = vehicles.units(ApiSupport.principal(ctx), page.at(), page.limit());
    JsonArray items = new JsonArray();
    result.items().forEach(u -> items.add(VehicleJson.unitResource(u)));
    return Future.succeededFuture(new JsonObject().put("items", items).put("cursors", page.cursors(result, true)));
  }

  private Future<JsonObject> unit(RoutingContext ctx) {
    return Future.succeededFuture(VehicleJson.unitResource(vehicles.unit(ApiSupport.principal(ctx), ctx.pathParam("id"))));
  }

  private Future<JsonObject> render(RoutingContext ctx, Vehicle v) {
    return render(vehicles, sharing, ApiSupport.principal(ctx), v);
  }

  /** A vehicle as a fleet sees it: the vehicle resource of events. */
  public static JsonObject view(VehicleService vehicles, SharingService sharing, String fleetId, Vehicle v) {
    return VehicleJson.vehicle(v, vehicles.live(v), vehicles.unitOf(v), sharing.view(fleetId, v));
  }

  /**
   * A vehicle as {@code principal} sees it (its {@code sharing} depends on the perspective), with the latest
   * state and life status of its unit's node.
   */
  static Future<JsonObject> render(VehicleService vehicles, SharingService sharing, Principal principal, Vehicle v) {
    return vehicles.liveNow(v).map(live -> VehicleJson.vehicle(v, live, vehicles.unitOf(v), sharing.view(principal.fleetId(), v)));
  }
}
