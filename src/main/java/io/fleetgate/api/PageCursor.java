package io.fleetgate.api;

import io.fleetgate.vehicle.KeysetPage;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The position, page size and filters of a listing, from the query or from an opaque cursor
 * ({@link Cursors}). A cursor carries everything: combined with {@code limit} or a filter in the query it
 * is a 400 (naming the parameter), so that a client never believes a changed filter was applied.
 *
 * @param kind which listing the cursor belongs to; a cursor of another listing is a bad cursor
 * @param filters the listing's filters as given (strings), validated by the route
 */
record PageCursor(String kind, int limit, KeysetPage.Position at, JsonObject filters, boolean fromCursor) {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 500;

  /** The page request of {@code ctx}: its cursor, or limit and the named filters at the first page. */
  static PageCursor of(RoutingContext ctx, String kind, List<String> filterNames) {
    String cursor = single(ctx, "cursor");
    if (cursor != null) {
      if (single(ctx, "limit") != null) {
        throw Problems.validation("/limit", "not allowed with a cursor: the cursor carries the limit");
      }
      for (String f : filterNames) {
        if (single(ctx, f) != null) {
          throw Problems.validation("/" + f, "not allowed with a cursor: the cursor carries the filters");
        }
      }
      return decode(cursor, kind);
    }
    JsonObject filters = new JsonObject();
    for (String f : filterNames) {
      String v = single(ctx, f);
      if (v != null) {
        filters.put(f, v);
      }
    }
    return new PageCursor(kind, limit(single(ctx, "limit")), KeysetPage.Position.FIRST, filters, false);
  }

  static int limit(String raw) {
    if (raw == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(raw);
      if (n >= 1 && n <= MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw Problems.validation("/limit", "must be a whole number from 1 to " + MAX_LIMIT);
  }

  /** The one value of a query parameter, or null; repeating it is a 400. */
  static String single(RoutingContext ctx, String name) {
    List<String> values = ctx.queryParam(name);
    if (values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw Problems.validation("/" + name, "give this parameter once");
    }
    return values.get(0);
  }

  /** This listing at another position (same kind, limit and filters), as an opaque cursor; null for null. */
  String at(KeysetPage.Position position) {
    if (position == null) {
      return null;
    }
    return Cursors.encode(new JsonObject()
        .put("k", kind)
        .put("l", limit)
        .put("d", position.forward() ? "f" : "b")
        .put("p", position.key())
        .put("f", filters));
  }

  static PageCursor decode(String cursor, String kind) {
    JsonObject s = Cursors.decode(cursor);
    Object l = s.getValue("l");
    Object p = s.getValue("p");
    Object d = s.getValue("d");
    Object f = s.getValue("f");
    if (!kind.equals(s.getValue("k")) || !(l instanceof Integer limit) || limit < 1 || limit > MAX_LIMIT
        || !(p instanceof Number key) || key.longValue() < 0 || !(d instanceof String dir)
        || !(dir.equals("f") || dir.equals("b")) || !(f instanceof JsonObject filters)) {
      throw badCursor();
    }
    for (String name : filters.fieldNames()) {
      if (!(filters.getValue(name) instanceof String) && !(filters.getValue(name) instanceof Number)) {
        throw badCursor();
      }
    }
    return new PageCursor(kind, limit, new KeysetPage.Position(dir.equals("f"), key.longValue()), filters, true);
  }

  static ProblemException badCursor() {
    return Problems.validation("/cursor", "bad cursor");
  }

  /** {@code {"self", "first", "prev", "next", "last"}} of a page of this listing. */
  JsonObject cursors(KeysetPage<?> page, boolean withLast) {
    return new JsonObject()
        .put("self", at(this.at))
        .put("first", at(KeysetPage.Position.FIRST))
        .put("prev", at(page.prev()))
        .put("next", at(page.next()))
        .put("last", withLast ? at(KeysetPage.Position.LAST) : null);
  }
}
