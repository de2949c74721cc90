package io.fleetgate.vehicle;

import java.time.Instant;

/**
 * A removed vehicle in the archive, with the unit it had: kept (for restore) until its retention ends. The
 * unit record keeps its password hash, so that a restored unit logs in with the password it had.
 */
public record ArchivedVehicle(Vehicle vehicle, TelematicsUnit unit, Instant archivedAt) {

  public String id() {
    return vehicle.id();
  }

  public String fleetId() {
    return vehicle.fleetId();
  }
}
