package io.fleetgate.vehicle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.Function;

/**
 * Keyset pagination over an index ordered by a long key (a fleet's creation-sequence index). A position is
 * a key and a direction, never an offset, so additions and removals elsewhere in the index never make a
 * walk skip or repeat an entry. Keys at or above the {@code horizon} are not listed yet (see
 * {@link VehicleRegistry#horizon()}).
 *
 * @param items the page, in ascending key order
 * @param prev position of the page before, or null when there is none
 * @param next position of the page after, or null when there is none
 */
public record KeysetPage<T>(List<T> items, Position prev, Position next) {

  /**
   * Where a page starts: {@code forward} lists the first entries with key &gt; {@code key}; backward lists
   * the last entries with key &lt; {@code key}.
   */
  public record Position(boolean forward, long key) {
    public static final Position FIRST = new Position(true, 0);
    public static final Position LAST = new Position(false, Long.MAX_VALUE);
  }

  /**
   * One page.
   *
   * @param resolve maps an index entry to its item, or null to leave it out (filtered, or gone meanwhile)
   */
  public static <V, T> KeysetPage<T> of(NavigableMap<Long, V> index, long horizon, Position at, int limit,
      Function<V, T> resolve) {
    boolean moreBeyondHorizon = !index.tailMap(horizon, true).isEmpty();
    NavigableMap<Long, V> scan = at.forward()
        ? between(index, at.key(), false, horizon)
        : index.headMap(Math.min(at.key(), horizon), false).descendingMap();
    List<T> items = new ArrayList<>(Math.min(limit, 64));
    List<Long> keys = new ArrayList<>(Math.min(limit, 64));
    boolean more = false;
    for (Map.Entry<Long, V> e : scan.entrySet()) {
      T item = resolve.apply(e.getValue());
      if (item == null) {
        continue;
      }
      if (items.size() == limit) {
        more = true;
        break;
      }
      items.add(item);
      keys.add(e.getKey());
    }
    if (!at.forward()) {
      Collections.reverse(items);
      Collections.reverse(keys);
    }
    if (items.isEmpty()) {
      // Nothing here: offer the way back towards entries on the other side of the position, if any.
      boolean before = at.forward() && any(index.headMap(Math.min(at.key() + 1, horizon), false).descendingMap(), resolve);
      boolean after = !at.forward() && (any(between(index, at.key(), true, horizon), resolve) || moreBeyondHorizon);
      return new KeysetPage<>(items, before ? new Position(false, at.key() + 1) : null,
          after ? new Position(true, at.key() - 1) : null);
    }
    long firstKey = keys.get(0);
    long lastKey = keys.get(keys.size() - 1);
    boolean before = at.forward() ? any(index.headMap(firstKey, false).descendingMap(), resolve) : more;
    boolean after = at.forward() ? more || moreBeyondHorizon
        : any(between(index, lastKey, false, horizon), resolve) || moreBeyondHorizon;
    return new KeysetPage<>(items, before ? new Position(false, firstKey) : null, after ? new Position(true, lastKey) : null);
  }

  /** Entries from {@code from} (inclusive or not) up to the horizon (exclusive); empty when none. */
  private static <V> NavigableMap<Long, V> between(NavigableMap<Long, V> index, long from, boolean inclusive, long horizon) {
    if (from >= horizon) {
      return Collections.emptyNavigableMap();
    }
    return index.subMap(from, inclusive, horizon, false);
  }

  private static <V, T> boolean any(NavigableMap<Long, V> view, Function<V, T> resolve) {
    for (V v : view.values()) {
      if (resolve.apply(v) != null) {
        return true;
      }
    }
    return false;
  }
}
