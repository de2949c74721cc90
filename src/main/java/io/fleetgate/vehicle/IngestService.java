package io.fleetgate.vehicle;

import io.fleetgate.store.StateStore;
import io.vertx.core.Future;
import java.util.List;

/**
 * Applies decoded state frames to vehicles: per-property timestamp merge into the latest state, capability
 * filtering, history. Protocol-neutral: MQTT and TCP sessions call it and acknowledge to the unit once the
 * returned future succeeds (the hand-off that makes the frame safe).
 */
public final class IngestService {
  private final VehicleRegistry registry;
  private final StateStore states;
  private final IngestMetrics metrics;

  public IngestService(VehicleRegistry registry, StateStore states, IngestMetrics metrics) {
    this.registry = registry;
    this.states = states;
    this.metrics = metrics;
  }

  /**
   * Applies the readings of a frame to a vehicle.
   *
   * @return the readings applied (changed or refreshed), once they are recorded
   */
  public Future<List<Reading>> apply(String vehicleId, List<Reading> readings, long nowMs) {
    Vehicle vehicle = registry.vehicle(vehicleId);
    VehicleLive live = registry.live(vehicleId);
    if (vehicle == null || live == null) {
      return Future.failedFuture(new IllegalStateException("vehicle " + vehicleId + " is not in the working set"));
    }
    live.touch(nowMs);
    LatestState.MergeResult result = live.state.merge(readings, vehicle.capabilities().stateMask());
    metrics.droppedNotCapable(result.droppedNotCapable());
    metrics.droppedStale(result.droppedStale());
    if (result.applied().isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return states.record(vehicleId, nowMs, result.applied()).map(v -> result.applied());
  }

  /** Counters of the ingest path; implemented over Micrometer by the gateway, no-op in unit tests. */
  public interface IngestMetrics {
    IngestMetrics NONE = new IngestMetrics() {
      @Override
      public void droppedNotCapable(int n) {}

      @Override
      public void droppedStale(int n) {}
    };

    void droppedNotCapable(int n);

    void droppedStale(int n);
  }
}
