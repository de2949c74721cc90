package io.fleetgate.vehicle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The in-memory index of archived vehicles, mirroring the store: by id, and per fleet in archive order (the
 * order of {@code GET /archived-vehicles}). An entry past its retention counts as gone when read, even
 * before the purge timer has removed it.
 *
 * <p>Each entry also keeps the vehicle's runtime side (latest state) of this process, so that a restore
 * brings the last known state back; after a restart it is what the state store kept (or empty).
 */
public final class VehicleArchive {
  /** One archived vehicle; {@code order} is its position in its fleet's listing. */
  public record Entry(ArchivedVehicle archived, long order, VehicleLive live) {}

  private final Map<String, Entry> byId = new ConcurrentHashMap<>();
  private final Map<String, NavigableMap<Long, String>> byFleet = new ConcurrentHashMap<>();
  private final Duration retention;
  private final Clock clock;
  private long order;

  public VehicleArchive(Duration retention, Clock clock) {
    this.retention = retention;
    this.clock = clock;
  }

  /**
   * Adds an entry at the end of its fleet's listing. Synchronized so that orders enter the index in
   * increasing order: a cursor that moved past an entry never misses one archived later.
   */
  public synchronized void put(ArchivedVehicle archived, VehicleLive live) {
    Entry e = new Entry(archived, ++order, live);
    byId.put(archived.id(), e);
    byFleet.computeIfAbsent(archived.fleetId(), f -> new ConcurrentSkipListMap<>()).put(e.order(), archived.id());
  }

  /**
   * Gives an entry loaded without a runtime side (start-up) the one its stored latest state makes, so that a
   * restore after a restart brings that state back. Keeps the entry's place in its fleet's listing.
   */
  public void attachLive(String vehicleId, VehicleLive live) {
    byId.computeIfPresent(vehicleId, (id, e) -> e.live() == null ? new Entry(e.archived(), e.order(), live) : e);
  }

  /** The unexpired entry of an id, or null. */
  public Entry get(String vehicleId) {
    Entry e = vehicleId == null ? null : byId.get(vehicleId);
    return e == null || expired(e.archived(), clock.instant()) ? null : e;
  }

  /** Whether the id belongs to an archived vehicle, expired or not (its id is taken either way). */
  public boolean contains(String vehicleId) {
    return byId.containsKey(vehicleId);
  }

  public Entry remove(String vehicleId) {
    Entry e = byId.remove(vehicleId);
    if (e != null) {
      NavigableMap<Long, String> index = byFleet.get(e.archived().fleetId());
      if (index != null) {
        index.remove(e.order());
      }
    }
    return e;
  }

  public Instant expiresAt(ArchivedVehicle a) {
    return a.archivedAt().plus(retention);
  }

  private boolean expired(ArchivedVehicle a, Instant now) {
    return !now.isBefore(expiresAt(a));
  }

  /** Ids of the entries whose retention has ended. */
  public List<String> expired() {
    Instant now = clock.instant();
    List<String> out = new ArrayList<>();
    byId.values().forEach(e -> {
      if (expired(e.archived(), now)) {
        out.add(e.archived().id());
      }
    });
    return out;
  }

  /** A page of a fleet's unexpired archived vehicles, in archive order. */
  public KeysetPage<ArchivedVehicle> page(String fleetId, KeysetPage.Position at, int limit) {
    NavigableMap<Long, String> index = byFleet.get(fleetId);
    if (index == null) {
      return new KeysetPage<>(List.of(), null, null);
    }
    return KeysetPage.of(index, Long.MAX_VALUE, at, limit, id -> {
      Entry e = get(id);
      return e == null ? null : e.archived();
    });
  }

  public int size() {
    return byId.size();
  }
}
