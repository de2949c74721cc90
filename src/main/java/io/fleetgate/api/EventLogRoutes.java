package io.fleetgate.api;

import com.github.f4b6a3.ulid.Ulid;
import io.fleetgate.auth.Permission;
import io.fleetgate.auth.Principal;
import io.fleetgate.events.EventLog;
import io.fleetgate.events.EventType;
import io.fleetgate.problem.Problems;
import io.fleetgate.protocol.json.Iso8601;
import io.fleetgate.vehicle.VehicleService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /events} ({@code events}): the token's fleet's event log, newest first, in pages keyed by
 * message id. Every logged type may be asked for; {@code VehicleStateRecorded} is never logged, so asking
 * for it is a 400 (it would always be empty). A cursor carries the limit, the filters and the id to continue
 * before ({@link Cursors}); it is checked as strictly as the query.
 */
public final class EventLogRoutes implements RouteGroup {
  static final String KIND = "events";
  static final List<String> FILTERS = List.of("types", "vehicle_id", "from", "to");

  private final EventLog log;

  public EventLogRoutes(EventLog log) {
    this.log = log;
  }

  @Override
  public void mount(Router router, ApiSupport api) {
    router.get("/events").handler(api.requires(Permission.EVENTS)).handler(ApiSupport.json(200, this::list));
  }

  /** A page request: limit, the filters as given (strings) and the id to continue before (null = newest). */
  record Page(int limit, JsonObject filters, String beforeId) {
    String cursor(String before) {
      JsonObject s = new JsonObject().put("k", KIND).put("l", limit).put("f", filters);
      if (before != null) {
        s.put("b", before);
      }
      return Cursors.encode(s);
    }
  }

  /** The page as JSON text: the logged envelopes are copied as they are, never parsed and encoded again. */
  private Future<String> list(RoutingContext ctx) {
    Principal principal = ApiSupport.principal(ctx);
    if (principal.fleetId() == null) {
      throw Problems.forbiddenResource("the event log belongs to a fleet; a platform client has none");
    }
    Page page = page(ctx);
    JsonObject f = page.filters();
    Set<EventType> types = EventRoutes.types(f.getString("types"));
    if (types.contains(EventType.VEHICLE_STATE_RECORDED)) {
      throw Problems.validation("/types", "VehicleStateRecorded is not in the event log (recorded states are GET /vehicles/{id}/states)");
    }
    String vehicleId = null;
    if (f.getString("vehicle_id") != null) {
      vehicleId = VehicleService.normalize(f.getString("vehicle_id"));
      if (vehicleId == null) {
        throw Problems.validation("/vehicle_id", "not a vehicle id");
      }
    }
    long from = time(f, "from", Long.MIN_VALUE);
    long to = time(f, "to", Long.MAX_VALUE);
    if (from > to) {
      throw Problems.validation("/to", "must not be before from");
    }
    EventLog.Query q = new EventLog.Query(principal.fleetId(), types, vehicleId, from, to, null, page.beforeId(), page.limit() + 1);
    return log.newestFirst(q).map(found -> {
      boolean more = found.size() > page.limit();
      List<EventLog.Entry> items = more ? found.subList(0, page.limit()) : found;
      JsonObject cursors = new JsonObject()
          .put("self", page.cursor(page.beforeId()))
          .put("first", page.cursor(null))
          .put("prev", null)
          .put("next", more ? page.cursor(items.get(items.size() - 1).messageId()) : null)
          .put("last", null);
      StringBuilder out = new StringBuilder(64 + items.stream().mapToInt(e -> e.json().length() + 1).sum());
      out.append("{\"items\":[");
      for (int i = 0; i < items.size(); i++) {
        out.append(i == 0 ? "" : ",").append(items.get(i).json());
      }
      return out.append("],\"cursors\":").append(cursors.encode()).append('}').toString();
    });
  }

  /** The query's limit and filters, or the cursor's (never both: a 400 naming the parameter). */
  static Page page(RoutingContext ctx) {
    String cursor = PageCursor.single(ctx, "cursor");
    if (cursor == null) {
      JsonObject filters = new JsonObject();
      for (String name : FILTERS) {
        String v = PageCursor.single(ctx, name);
        if (v != null) {
          filters.put(name, v);
        }
      }
      return new Page(PageCursor.limit(PageCursor.single(ctx, "limit")), filters, null);
    }
    if (PageCursor.single(ctx, "limit") != null) {
      throw Problems.validation("/limit", "not allowed with a cursor: the cursor carries the limit");
    }
    for (String name : FILTERS) {
      if (PageCursor.single(ctx, name) != null) {
        throw Problems.validation("/" + name, "not allowed with a cursor: the cursor carries the filters");
      }
    }
    JsonObject s = Cursors.decode(cursor);
    Object k = s.getValue("k");
    Object l = s.getValue("l");
    Object b = s.getValue("b");
    Object f = s.getValue("f");
    if (!KIND.equals(k) || !(l instanceof Integer limit) || limit < 1 || limit > PageCursor.MAX_LIMIT
        || !(f instanceof JsonObject filters) || (b != null && !(b instanceof String id && canonicalUlid(id)))
        || s.size() != (b == null ? 3 : 4)) {
      throw PageCursor.badCursor();
    }
    for (String name : filters.fieldNames()) {
      if (!FILTERS.contains(name) || !(filters.getValue(name) instanceof String)) {
        throw PageCursor.badCursor();
      }
    }
    return new Page(limit, filters, (String) b);
  }

  private static boolean canonicalUlid(String id) {
    return Ulid.isValid(id) && Ulid.from(id).toString().equals(id);
  }

  /** An ISO-8601 filter time as epoch ms, or the default when absent. */
  private static long time(JsonObject filters, String name, long absent) {
    String v = filters.getString(name);
    if (v == null) {
      return absent;
    }
    try {
      return Iso8601.parse(v);
    } catch (RuntimeException e) {
      throw Problems.validation("/" + name, "must be an ISO-8601 date-time with a zone, e.g. 2026-11-21T10:15:30Z");
    }
  }
}
