package io.fleetgate.access;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * An immutable view of who shares what: vehicle id → its current (active or scheduled) sharing, and fleet →
 * its partners. Never changed after construction; every change builds a new snapshot that
 * {@link SharingIndex} swaps in atomically, so a reader on any thread sees one consistent state without a
 * lock. Lookups are hash lookups; a change copies the maps it touches (sharings and partnerships are few next
 * to vehicles and change rarely next to how often they are read).
 */
public final class AccessSnapshot {
  public static final AccessSnapshot EMPTY = new AccessSnapshot(Map.of(), Map.of(), Map.of());

  private final Map<String, Sharing> byVehicle;
  private final Map<String, Partnership> byPair;
  private final Map<String, NavigableMap<Long, Partnership>> byFleet;
  /**
   * The hot-path copy of {@code byVehicle}: open addressing on the vehicle's creation sequence (a long the
   * check already has in hand), so that a lookup reads two small arrays and never the vehicle id string.
   * Sized to at most half full, so a miss ends at the first or second empty slot.
   */
  private final long[] seqs;
  private final Sharing[] bySeq;
  private final int mask;

  private AccessSnapshot(Map<String, Sharing> byVehicle, Map<String, Partnership> byPair,
      Map<String, NavigableMap<Long, Partnership>> byFleet) {
    this.byVehicle = byVehicle;
    this.byPair = byPair;
    this.byFleet = byFleet;
    int size = Integer.highestOneBit(Math.max(8, byVehicle.size() * 2 + 1)) << 1;
    this.seqs = new long[size];
    this.bySeq = new Sharing[size];
    this.mask = size - 1;
    for (Sharing sh : byVehicle.values()) {
      int at = slot(sh.vehicleSeq());
      while (bySeq[at] != null) {
        at = (at + 1) & mask;
      }
      seqs[at] = sh.vehicleSeq();
      bySeq[at] = sh;
    }
  }

  private int slot(long seq) {
    long h = seq * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  /** The sharing of the vehicle with this creation sequence, or null: the access check's O(1) lookup. */
  public Sharing sharingBySeq(long vehicleSeq) {
    int at = slot(vehicleSeq);
    Sharing sh;
    while ((sh = bySeq[at]) != null) {
      if (seqs[at] == vehicleSeq) {
        return sh;
      }
      at = (at + 1) & mask;
    }
    return null;
  }

  /** The vehicle's sharing (active, scheduled, or ended but not yet removed by its timer), or null. */
  public Sharing sharing(String vehicleId) {
    return byVehicle.get(vehicleId);
  }

  public Collection<Sharing> sharings() {
    return byVehicle.values();
  }

  public int sharingCount() {
    return byVehicle.size();
  }

  /** The partnership of two fleets (either order), or null. */
  public Partnership partnership(String one, String other) {
    return byPair.get(Partnership.key(one, other));
  }

  /** The fleet's partnerships by creation sequence (empty when none). */
  public NavigableMap<Long, Partnership> partnershipsOf(String fleetId) {
    NavigableMap<Long, Partnership> m = byFleet.get(fleetId);
    return m == null ? Collections.emptyNavigableMap() : m;
  }

  public AccessSnapshot withSharing(Sharing s) {
    Map<String, Sharing> m = new HashMap<>(byVehicle);
    m.put(s.vehicleId(), s);
    return new AccessSnapshot(Collections.unmodifiableMap(m), byPair, byFleet);
  }

  /** Without the vehicle's sharing, if it is still the one with {@code sharingId}. */
  public AccessSnapshot withoutSharing(String vehicleId, long sharingId) {
    Sharing current = byVehicle.get(vehicleId);
    if (current == null || current.id() != sharingId) {
      return this;
    }
    Map<String, Sharing> m = new HashMap<>(byVehicle);
    m.remove(vehicleId);
    return new AccessSnapshot(Collections.unmodifiableMap(m), byPair, byFleet);
  }

  public AccessSnapshot withPartnership(Partnership p) {
    Map<String, Partnership> pairs = new HashMap<>(byPair);
    pairs.put(p.key(), p);
    Map<String, NavigableMap<Long, Partnership>> fleets = new HashMap<>(byFleet);
    for (String f : new String[] {p.fleetA(), p.fleetB()}) {
      TreeMap<Long, Partnership> list = new TreeMap<>(partnershipsOf(f));
      list.put(p.seq(), p);
      fleets.put(f, Collections.unmodifiableNavigableMap(list));
    }
    return new AccessSnapshot(byVehicle, Collections.unmodifiableMap(pairs), Collections.unmodifiableMap(fleets));
  }

  public AccessSnapshot withoutPartnership(Partnership p) {
    if (!byPair.containsKey(p.key())) {
      return this;
    }
    Map<String, Partnership> pairs = new HashMap<>(byPair);
    pairs.remove(p.key());
    Map<String, NavigableMap<Long, Partnership>> fleets = new HashMap<>(byFleet);
    for (String f : new String[] {p.fleetA(), p.fleetB()}) {
      TreeMap<Long, Partnership> list = new TreeMap<>(partnershipsOf(f));
      list.remove(p.seq());
      if (list.isEmpty()) {
        fleets.remove(f);
      } else {
        fleets.put(f, Collections.unmodifiableNavigableMap(list));
      }
    }
    return new AccessSnapshot(byVehicle, Collections.unmodifiableMap(pairs), Collections.unmodifiableMap(fleets));
  }
}
