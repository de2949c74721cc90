package io.fleetgate.store;

import io.fleetgate.vehicle.TelematicsUnit;
import io.fleetgate.vehicle.Vehicle;
import io.vertx.core.Future;
import java.util.List;

/**
 * Persistence of vehicles and their telematics units. A vehicle and its unit are inserted together
 * (atomically); a unit id or vehicle id that is taken fails with {@link DuplicateKeyException}.
 */
public interface VehicleStore {
  Future<Void> insertVehicle(Vehicle vehicle, TelematicsUnit unit);

  Future<Void> updateVehicle(Vehicle vehicle);

  Future<Void> updateUnit(TelematicsUnit unit);

  Future<List<Vehicle>> loadVehicles();

  Future<List<TelematicsUnit>> loadUnits();
}
