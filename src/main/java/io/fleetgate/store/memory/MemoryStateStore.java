package io.fleetgate.store.memory;

import io.fleetgate.vehicle.HistoryEntry;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateStore;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link StateStore} in memory: a bounded ring of the last {@code perVehicle} recorded states of each
 * vehicle. Appends of one vehicle come from the one connection of its unit, so the per-ring lock is
 * uncontended; it only guards against a reader. The latest state lives only in the working set: nothing
 * is written behind and nothing is loaded at start-up.
 */
public final class MemoryStateStore implements StateStore {
  private final int perVehicle;
  private final Map<String, Ring> rings = new ConcurrentHashMap<>();

  public MemoryStateStore(int perVehicle) {
    this.perVehicle = perVehicle;
  }

  @Override
  public Future<Void> record(String vehicleId, long recordedAtMs, List<Reading> readings) {
    if (perVehicle > 0) {
      Ring ring = rings.get(vehicleId); // a plain read first: computeIfAbsent locks the bin even when present
      if (ring == null) {
        ring = rings.computeIfAbsent(vehicleId, id -> new Ring(perVehicle));
      }
      ring.add(recordedAtMs, readings);
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<List<HistoryEntry>> history(String vehicleId, long fromMs, long toMs, long beforeId, int limit) {
    Ring ring = rings.get(vehicleId);
    return Future.succeededFuture(ring == null ? List.of() : ring.query(fromMs, toMs, beforeId, limit));
  }

  @Override
  public Future<Void> forget(String vehicleId) {
    rings.remove(vehicleId);
    return Future.succeededFuture();
  }

  @Override
  public Future<Long> purgeHistory(long beforeMs) {
    long n = 0;
    for (Ring ring : rings.values()) {
      n += ring.dropBefore(beforeMs);
    }
    return Future.succeededFuture(n);
  }

  /** A recorded state as the ring keeps it: its readings packed into one array ({@link PackedReadings}). */
  private record Packed(long id, long recordedAtMs, byte[] readings) {
    HistoryEntry unpack() {
      return new HistoryEntry(id, recordedAtMs, PackedReadings.unpack(readings));
    }
  }

  private static final class Ring {
    private final Packed[] entries;
    private long nextId = 1;

    Ring(int capacity) {
      entries = new Packed[capacity];
    }

    void add(long recordedAtMs, List<Reading> readings) {
      byte[] packed = PackedReadings.pack(readings); // outside the lock
      synchronized (this) {
        long id = nextId++;
        entries[(int) (id % entries.length)] = new Packed(id, recordedAtMs, packed);
      }
    }

    synchronized int dropBefore(long beforeMs) {
      int n = 0;
      for (int i = 0; i < entries.length; i++) {
        if (entries[i] != null && entries[i].recordedAtMs() < beforeMs) {
          entries[i] = null;
          n++;
        }
      }
      return n;
    }

    synchronized List<HistoryEntry> query(long fromMs, long toMs, long beforeId, int limit) {
      List<HistoryEntry> out = new ArrayList<>(Math.min(limit, entries.length));
      long newest = Math.min(nextId - 1, beforeId - 1);
      long oldest = Math.max(1, nextId - entries.length);
      for (long id = newest; id >= oldest && out.size() < limit; id--) {
        Packed e = entries[(int) (id % entries.length)];
        if (e != null && e.recordedAtMs() >= fromMs && e.recordedAtMs() <= toMs) {
          out.add(e.unpack());
        }
      }
      return out;
    }
  }
}
