package io.fleetgate.api;

import io.fleetgate.problem.ProblemException;
import io.fleetgate.problem.Problems;
import io.fleetgate.vehicle.KeysetPage;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

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
  /** Longer than any filter value a listing accepts from the query (the longest: a vehicle tag, a time). */
  static final int MAX_FILTER_LENGTH = 200;
  /** The keys of every cursor: kind, limit, direction, position, filters. */
  private static final Set<String> KEYS = Set.of("k", "l", "d", "p", "f");
  private static final Pattern LIMIT = Pattern.compile("[1-9][0-9]{0,2}");

  /** The page request of {@code ctx}: its cursor, or limit and the named filters at the first page. */
  static PageCursor of(RoutingContext ctx, String kind, List<String> filterNames) {
    return of(ctx, kind, filterNames, List.of());
  }

  /**
   * As {@link #of(RoutingContext, String, List)}, for a listing whose cursors also carry filters the route
   * adds itself ({@code carried}, e.g. the vehicle of a history): a cursor may hold those and no others.
   */
  static PageCursor of(RoutingContext ctx, String kind, List<String> filterNames, List<String> carried) {
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
      Set<String> allowed = new HashSet<>(filterNames);
      allowed.addAll(carried);
      return decode(cursor, kind, allowed);
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

  /**
   * The page size of a {@code limit} parameter: plain decimal digits without a leading zero, 1 to
   * {@link #MAX_LIMIT}; a sign, fraction, exponent, empty value or anything larger is a 400.
   */
  static int limit(String raw) {
    if (raw == null) {
      return DEFAULT_LIMIT;
    }
    if (LIMIT.matcher(raw).matches()) {
      int n = Integer.parseInt(raw);
      if (n <= MAX_LIMIT) {
        return n;
      }
    }
    throw Problems.validation("/limit", "must be a whole number from 1 to " + MAX_LIMIT + " in plain digits");
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

  /**
   * A cursor of listing {@code kind}, strictly: exactly the keys {@link #at} writes, a limit in range, a
   * position that is a whole number from 0 to 2^63-1 (no fraction, exponent or wider number), and filters
   * among {@code allowedFilters} whose values are strings of at most {@link #MAX_FILTER_LENGTH} characters
   * (the route then validates their values as it does the query's; a bad one is a bad cursor too).
   */
  static PageCursor decode(String cursor, String kind, Set<String> allowedFilters) {
    JsonObject s = Cursors.decode(cursor);
    if (!s.fieldNames().equals(KEYS)) {
      throw Cursors.bad("unexpected keys");
    }
    if (!kind.equals(s.getValue("k"))) {
      throw Cursors.bad("not a cursor of this listing");
    }
    if (!(s.getValue("l") instanceof Integer limit) || limit < 1 || limit > MAX_LIMIT) {
      throw Cursors.bad("limit out of range");
    }
    Object d = s.getValue("d");
    if (!"f".equals(d) && !"b".equals(d)) {
      throw Cursors.bad("unknown direction");
    }
    Object p = s.getValue("p");
    if (!(p instanceof Integer || p instanceof Long) || ((Number) p).longValue() < 0) {
      throw Cursors.bad("position out of range");
    }
    if (!(s.getValue("f") instanceof JsonObject filters) || filters.size() > allowedFilters.size()) {
      throw Cursors.bad("unexpected filters");
    }
    for (String name : filters.fieldNames()) {
      if (!allowedFilters.contains(name)) {
        throw Cursors.bad("unexpected filter '" + (name.length() > 40 ? name.substring(0, 40) + "…" : name) + "'");
      }
      if (!(filters.getValue(name) instanceof String v) || v.isEmpty() || v.length() > MAX_FILTER_LENGTH) {
        throw Cursors.bad("filter '" + name + "' out of range");
      }
    }
    return new PageCursor(kind, limit, new KeysetPage.Position("f".equals(d), ((Number) p).longValue()), filters, true);
  }

  /** A cursor whose content the route cannot use (another vehicle's, a filter value it refuses). */
  static ProblemException badCursor() {
    return Cursors.bad("not valid for this listing");
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
