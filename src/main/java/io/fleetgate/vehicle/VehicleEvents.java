package io.fleetgate.vehicle;

import io.vertx.core.Future;
import java.util.List;

/**
 * What the vehicle services announce to the event fan-out ({@code io.fleetgate.events}). Implementations must
 * be cheap when nobody listens and must never block; the flow id is the current REST request's, if any.
 */
public interface VehicleEvents {

  /** Why a vehicle changed ({@code VehicleChanged.reasons}). */
  enum Reason {
    MASTER_DATA_CHANGED, OPERATION_STATUS_CHANGED, LIFE_STATUS_CHANGED, SHARING_STARTED, SHARING_ENDED,
    TELEMATICS_UNIT_CHANGED
  }

  VehicleEvents NONE = new VehicleEvents() {
    @Override
    public Future<Void> stateRecorded(Vehicle vehicle, List<Reading> applied, long atMs) {
      return Future.succeededFuture();
    }

    @Override
    public void added(Vehicle vehicle) {}

    @Override
    public void changed(Vehicle vehicle, List<Reason> reasons) {}
  };

  /**
   * A frame's readings were applied (one flow id per call). Completes once every sink that must confirm has
   * (none yet: the in-process streams never hold it up), so a device ack can wait for a broker later.
   */
  Future<Void> stateRecorded(Vehicle vehicle, List<Reading> applied, long atMs);

  /** Whether a confirming sink's buffer nears its bound (see {@link StateStore#congested}). Hot path: cheap. */
  default boolean congested() {
    return false;
  }

  /** How many events may wait for a confirming sink at most ({@link Integer#MAX_VALUE}: none confirms). */
  default int pendingCapacity() {
    return Integer.MAX_VALUE;
  }

  /** Added or restored. */
  void added(Vehicle vehicle);

  void changed(Vehicle vehicle, List<Reason> reasons);
}
