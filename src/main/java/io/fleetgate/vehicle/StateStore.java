package io.fleetgate.vehicle;

import io.fleetgate.ops.ReadinessCheck;
import io.fleetgate.problem.StoreUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.util.List;

/**
 * Persistence of recorded vehicle states (history) and of the latest state. The working set keeps the latest
 * state in memory ({@link VehicleLive}); a durable store writes it behind ({@link #latestChanged}) and gives
 * it back at start-up ({@link #loadLatest}).
 */
public interface StateStore {

  /**
   * Records what one frame applied. The returned future completes once the entry is as safe as this store
   * makes it; device acknowledgements wait for it. It fails with {@link StoreUnavailableException} when the
   * store holds as many unwritten entries as it may (the unit is not acknowledged and resends).
   */
  Future<Void> record(String vehicleId, long recordedAtMs, List<Reading> readings);

  /**
   * Whether the store's unwritten entries near its bound: device sessions then stop reading until their
   * frames in flight are done, so units are slowed before {@link #record} has to refuse them. Hot path: cheap.
   */
  default boolean congested() {
    return false;
  }

  /** How many entries may wait to be written at most ({@link Integer#MAX_VALUE}: no bound, nothing waits). */
  default int pendingCapacity() {
    return Integer.MAX_VALUE;
  }

  /**
   * Recorded states of a vehicle, newest first, with {@code fromMs <= recordedAt <= toMs} and id below
   * {@code beforeId}, at most {@code limit}.
   */
  Future<List<HistoryEntry>> history(String vehicleId, long fromMs, long toMs, long beforeId, int limit);

  /** Drops the history and the stored latest state of a vehicle (purge). */
  Future<Void> forget(String vehicleId);

  /**
   * Deletes history recorded before {@code beforeMs} (retention), a little at a time; completes with the
   * number of entries deleted.
   */
  Future<Long> purgeHistory(long beforeMs);

  /**
   * The latest state, life status or last contact of a vehicle changed. Called on the ingest path for every
   * frame: must only note it (a durable store writes {@code live} behind, coalesced per vehicle).
   */
  default void latestChanged(String vehicleId, VehicleLive live) {}

  /** The latest states the store kept, to put back into the working set at start-up. */
  default Future<List<StoredLatest>> loadLatest() {
    return Future.succeededFuture(List.of());
  }

  /** Publishes the store's meters (backlog, flush latency, failed flushes); nothing for a store without any. */
  default void bindMetrics(MeterRegistry registry) {}

  /** A readiness check of the store's own (its write backlog), or null. */
  default ReadinessCheck readiness() {
    return null;
  }

  /** Writes what is pending (graceful stop); the gateway stops ingesting before. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /**
   * A vehicle's latest state as stored: its readings, life status ({@code online} since
   * {@code lifeModifiedMs}) and last contact (0 = never).
   */
  record StoredLatest(String vehicleId, List<Reading> readings, boolean online, long lifeModifiedMs, long lastContactMs) {}
}
