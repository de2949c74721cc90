package io.fleetgate.vehicle;

/**
 * Told when a vehicle leaves the working set (archived) or comes back (restored), after the store accepted
 * the change and the unit's sessions were closed. Called on the thread that completed the change; must not
 * block and should not throw (a failure is logged and the other listeners still run).
 */
public interface VehicleLifecycleListener {

  /** The vehicle was archived: its unit is disconnected and can no longer log in. */
  void vehicleRemoved(String vehicleId, String unitId);

  /** The vehicle was restored from the archive with its unit re-attached. */
  void vehicleRestored(String vehicleId, String unitId);
}
