package io.fleetgate.store;

import io.fleetgate.vehicle.HistoryEntry;
import io.fleetgate.vehicle.Reading;
import io.vertx.core.Future;
import java.util.List;

/** Persistence of recorded vehicle states (history) and of the latest state. */
public interface StateStore {

  /**
   * Records what one frame applied. The returned future completes once the entry is as safe as this store
   * makes it; device acknowledgements wait for it.
   */
  Future<Void> record(String vehicleId, long recordedAtMs, List<Reading> readings);

  /**
   * Recorded states of a vehicle, newest first, with {@code fromMs <= recordedAt <= toMs} and id below
   * {@code beforeId}, at most {@code limit}.
   */
  Future<List<HistoryEntry>> history(String vehicleId, long fromMs, long toMs, long beforeId, int limit);

  /** Drops the history of a vehicle (purge). */
  Future<Void> forget(String vehicleId);
}
