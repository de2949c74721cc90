package io.fleetgate.api;

import io.fleetgate.auth.Permission;
import io.fleetgate.auth.Principal;
import io.fleetgate.fleet.AdminService;
import io.fleetgate.fleet.ApiClient;
import io.fleetgate.fleet.Fleet;
import io.fleetgate.problem.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Platform administration: {@code /fleets} and {@code /fleets/{fleet_id}/api-clients}. Everything needs
 * {@code admin}, except that a fleet's own clients may read their fleet.
 */
public final class FleetRoutes implements RouteGroup {
  public static final int CLIENT_NAME_MAX = 100;
  private static final String ID_RULE = "must be 1 to 100 characters of A-Z, a-z, 0-9, '_' and '-'";

  private final AdminService admin;

  public FleetRoutes(AdminService admin) {
    this.admin = admin;
  }

  @Override
  public void mount(Router router, ApiSupport api) {
    router.post("/fleets").handler(api.requires(Permission.ADMIN)).handler(ApiSupport.json(201, this::createFleet));
    router.get("/fleets").handler(api.requires(Permission.ADMIN)).handler(ApiSupport.json(200, this::listFleets));
    router.get("/fleets/:fleet_id").handler(api.authenticated()).handler(ApiSupport.json(200, this::getFleet));
    router.patch("/fleets/:fleet_id").handler(api.requires(Permission.ADMIN)).handler(ApiSupport.json(200, this::renameFleet));
    router.post("/fleets/:fleet_id/api-clients").handler(api.requires(Permission.ADMIN))
        .handler(ApiSupport.json(201, this::createClient));
    router.get("/fleets/:fleet_id/api-clients").handler(api.requires(Permission.ADMIN))
        .handler(ApiSupport.json(200, this::listClients));
    router.delete("/fleets/:fleet_id/api-clients/:client_id").handler(api.requires(Permission.ADMIN))
        .handler(ApiSupport.json(204, this::deleteClient));
  }

  private Future<JsonObject> createFleet(RoutingContext ctx) {
    JsonInput in = JsonInput.body(ctx).allowOnly("fleet_id", "name");
    String fleetId = in.matching("fleet_id", Fleet.ID, 100, true, ID_RULE);
    String name = in.string("name", 1, Fleet.NAME_MAX, true);
    in.check();
    return admin.createFleet(fleetId, name).map(fleet -> {
      ctx.response().putHeader("Location", "/fleets/" + fleet.id());
      return fleetJson(fleet);
    });
  }

  private Future<JsonObject> listFleets(RoutingContext ctx) {
    PageRequest req = PageRequest.of(ctx);
    AdminService.FleetPage page = req.before ? admin.fleetsBefore(req.key, req.limit) : admin.fleetsAfter(req.key, req.limit);
    JsonArray items = new JsonArray();
    page.items().forEach(f -> items.add(fleetJson(f)));
    List<Fleet> list = page.items();
    String prev = !page.hasPrev() ? null
        : PageRequest.cursor(true, list.isEmpty() ? null : list.get(0).id(), req.limit);
    String next = !page.hasNext() ? null
        : PageRequest.cursor(false, list.isEmpty() ? null : list.get(list.size() - 1).id(), req.limit);
    JsonObject cursors = new JsonObject()
        .put("self", PageRequest.cursor(req.before, req.key, req.limit))
        .put("first", PageRequest.cursor(false, null, req.limit))
        .put("prev", prev)
        .put("next", next)
        .put("last", PageRequest.cursor(true, null, req.limit));
    return Future.succeededFuture(new JsonObject().put("items", items).put("cursors", cursors));
  }

  /** Admins see every fleet; a fleet's own clients see theirs; other fleets' clients get a 404 (no existence leak). */
  private Future<JsonObject> getFleet(RoutingContext ctx) {
    Principal caller = ApiSupport.principal(ctx);
    String fleetId = ctx.pathParam("fleet_id");
    if (caller.isPlatform() && !caller.has(Permission.ADMIN)) {
      throw Problems.missingPermissions(Permission.ADMIN.wire);
    }
    if (!caller.isPlatform() && !caller.fleetId().equals(fleetId)) {
      throw Problems.notFound("fleet");
    }
    return Future.succeededFuture(fleetJson(admin.fleet(fleetId)));
  }

  private Future<JsonObject> renameFleet(RoutingContext ctx) {
    String fleetId = ctx.pathParam("fleet_id");
    admin.fleet(fleetId);
    JsonInput in = JsonInput.body(ctx).allowOnly("name");
    String name = in.string("name", 1, Fleet.NAME_MAX, true);
    in.check();
    return admin.renameFleet(fleetId, name).map(FleetRoutes::fleetJson);
  }

  private Future<JsonObject> createClient(RoutingContext ctx) {
    String fleetId = ctx.pathParam("fleet_id");
    admin.fleet(fleetId);
    JsonInput in = JsonInput.body(ctx).allowOnly("name", "permissions");
    String name = in.string("name", 1, CLIENT_NAME_MAX, true);
    List<String> wire = in.strings("permissions", Permission.values().length * 2, 50, true);
    Set<Permission> permissions = EnumSet.noneOf(Permission.class);
    if (wire != null) {
      for (int i = 0; i < wire.size(); i++) {
        Permission p = Permission.of(wire.get(i));
        if (p == null) {
          in.error("permissions", i, "unknown permission '" + wire.get(i) + "'");
        } else {
          permissions.add(p);
        }
      }
    }
    in.check();
    return admin.createClient(fleetId, name, permissions).map(created -> {
      ctx.response().putHeader("Location", "/fleets/" + fleetId + "/api-clients/" + created.client().clientId());
      JsonObject body = clientJson(created.client());
      return new JsonObject().put("client_id", body.remove("client_id")).put("client_secret", created.secret())
          .mergeIn(body);
    });
  }

  private Future<JsonObject> listClients(RoutingContext ctx) {
    JsonArray items = new JsonArray();
    admin.clients(ctx.pathParam("fleet_id")).forEach(c -> items.add(clientJson(c)));
    return Future.succeededFuture(new JsonObject().put("items", items));
  }

  private Future<Void> deleteClient(RoutingContext ctx) {
    return admin.deleteClient(ctx.pathParam("fleet_id"), ctx.pathParam("client_id"));
  }

  static JsonObject fleetJson(Fleet f) {
    return new JsonObject()
        .put("fleet_id", f.id())
        .put("name", f.name())
        .put("created_at", f.createdAt().toString())
        .put("modified_at", f.modifiedAt().toString());
  }

  /** A client as the API shows it: never its secret or hash. */
  static JsonObject clientJson(ApiClient c) {
    JsonArray permissions = new JsonArray();
    EnumSet.copyOf(c.permissions().isEmpty() ? EnumSet.noneOf(Permission.class) : c.permissions())
        .forEach(p -> permissions.add(p.wire));
    return new JsonObject()
        .put("client_id", c.clientId())
        .put("name", c.name())
        .put("fleet_id", c.fleetId())
        .put("permissions", permissions)
        .put("created_at", c.createdAt().toString());
  }

  /**
   * Where a page of fleets starts: after a fleet id (forwards) or before one (backwards), with its limit. From
   * a {@code cursor} parameter (which carries the limit, so {@code limit} must then be absent) or from
   * {@code limit} alone (the first page).
   */
  private record PageRequest(boolean before, String key, int limit) {
    static final int MAX_LIMIT = 500;

    static PageRequest of(RoutingContext ctx) {
      String cursor = PageCursor.single(ctx, "cursor");
      String limit = PageCursor.single(ctx, "limit");
      if (cursor != null) {
        if (limit != null) {
          throw Problems.validation("/limit", "omit limit when following a cursor: the cursor carries it");
        }
        return decode(cursor);
      }
      return new PageRequest(false, null, PageCursor.limit(limit));
    }

    static String cursor(boolean before, String key, int limit) {
      JsonObject state = new JsonObject().put("d", before ? "b" : "a").put("l", limit);
      if (key != null) {
        state.put("k", key);
      }
      return Cursors.encode(state);
    }

    /** Strictly ({@link Cursors}): exactly d, l and (past the first page) k, each in range. */
    private static PageRequest decode(String cursor) {
      JsonObject state = Cursors.decode(cursor);
      Object d = state.getValue("d");
      Object k = state.getValue("k");
      Object l = state.getValue("l");
      boolean keys = state.fieldNames().equals(k == null ? Set.of("d", "l") : Set.of("d", "l", "k"));
      boolean ok = keys
          && ("a".equals(d) || "b".equals(d))
          && (k == null || (k instanceof String s && Fleet.ID.matcher(s).matches()))
          && l instanceof Integer n && n >= 1 && n <= MAX_LIMIT;
      if (!ok) {
        throw Cursors.bad(keys ? "a value out of range" : "unexpected keys");
      }
      return new PageRequest("b".equals(d), (String) k, (Integer) l);
    }
  }
}
