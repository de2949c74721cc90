package io.fleetgate.vehicle;

import io.fleetgate.support.Futures;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Applies decoded state frames to vehicles: per-property timestamp merge into the latest state, capability
 * filtering, history. Protocol-neutral: MQTT and TCP sessions call it and acknowledge to the unit once the
 * returned future succeeds (the hand-off that makes the frame safe).
 */
public final class IngestService {
  private final VehicleRegistry registry;
  private final StateStore states;
  private final IngestMetrics metrics;
  private final VehicleEvents events;
  /**
   * Frames being made safe (recorded, their events confirmed), counted only when a durable store or a
   * confirming sink bounds what may wait: each stage's own buffer only sees the frames that reached it, and a
   * backlog in front of the database arrives at the broker's buffer all at once when the database catches up.
   */
  private final AtomicInteger making = new AtomicInteger();
  /** Frames in {@link #making} from which the ingest path is congested; 0 until known, -1 for no bound. */
  private volatile int congestedAt;

  public IngestService(VehicleRegistry registry, StateStore states, IngestMetrics metrics) {
    this(registry, states, metrics, VehicleEvents.NONE);
  }

  /** @param events told of every applied frame (VehicleStateRecorded) and life status change */
  public IngestService(VehicleRegistry registry, StateStore states, IngestMetrics metrics, VehicleEvents events) {
    this.registry = registry;
    this.states = states;
    this.metrics = metrics;
    this.events = events;
  }

  /**
   * Applies the readings of a frame to a vehicle.
   *
   * @return the readings applied (changed or refreshed), once they are recorded and their event is handed
   *     over (a sink that confirms, like a broker later, holds this future until it has)
   */
  public Future<List<Reading>> apply(String vehicleId, List<Reading> readings, long nowMs) {
    Vehicle vehicle = registry.vehicle(vehicleId);
    VehicleLive live = registry.live(vehicleId);
    if (vehicle == null || live == null) {
      return Future.failedFuture(new IllegalStateException("vehicle " + vehicleId + " is not in the working set"));
    }
    live.touch(nowMs);
    LatestState.MergeResult result = live.state.merge(readings, vehicle.capabilities().stateMask());
    states.latestChanged(vehicleId, live); // last contact at least; written behind by a durable store
    metrics.droppedNotCapable(result.droppedNotCapable());
    metrics.droppedStale(result.droppedStale());
    if (result.applied().isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Reading> applied = result.applied();
    boolean counted = bound() > 0;
    if (counted) {
      making.incrementAndGet();
    }
    Future<List<Reading>> safe = Futures.then(states.record(vehicleId, nowMs, applied),
        v -> Futures.thenMap(events.stateRecorded(vehicle, applied, nowMs), x -> applied));
    if (counted) {
      if (safe.isComplete()) {
        making.decrementAndGet();
      } else {
        safe.onComplete(ar -> making.decrementAndGet());
      }
    }
    return safe;
  }

  /** Three quarters of the smallest bound of the store and the confirming sinks, or -1 when none bounds. */
  private int bound() {
    int at = congestedAt;
    if (at == 0) {
      long capacity = Math.min(states.pendingCapacity(), events.pendingCapacity());
      at = capacity >= Integer.MAX_VALUE ? -1 : (int) Math.max(1, capacity - capacity / 4);
      congestedAt = at;
    }
    return at;
  }

  /**
   * Whether the durable store's or a confirming event sink's buffer nears its bound: sessions then read no
   * more from a connection while it has frames in flight (the units slow down instead of being refused).
   */
  public boolean congested() {
    int at = bound();
    return at > 0 && making.get() >= at || states.congested() || events.congested();
  }

  /** Frames being made safe now (0 when nothing bounds them); for metrics and tests. */
  public int framesInFlight() {
    return making.get();
  }

  /** A unit connected or its last session ended: sets ONLINE/OFFLINE and, if that changed it, tells the events. */
  public void setOnline(String vehicleId, boolean online, java.time.Instant at) {
    VehicleLive live = registry.live(vehicleId);
    if (live != null && live.setOnline(online, at)) {
      states.latestChanged(vehicleId, live);
      Vehicle vehicle = registry.vehicle(vehicleId);
      if (vehicle != null) {
        events.changed(vehicle, List.of(VehicleEvents.Reason.LIFE_STATUS_CHANGED));
      }
    }
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
