package io.fleetgate.store.memory;

import io.fleetgate.store.DuplicateKeyException;
import io.fleetgate.store.VehicleStore;
import io.fleetgate.vehicle.TelematicsUnit;
import io.fleetgate.vehicle.Vehicle;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@link VehicleStore} in memory: keeps nothing across restarts. */
public final class MemoryVehicleStore implements VehicleStore {
  private final Map<String, Vehicle> vehicles = new HashMap<>();
  private final Map<String, TelematicsUnit> units = new HashMap<>();

  @Override
  public synchronized Future<Void> insertVehicle(Vehicle vehicle, TelematicsUnit unit) {
    if (vehicles.containsKey(vehicle.id())) {
      return Future.failedFuture(new DuplicateKeyException(DuplicateKeyException.VEHICLE, "vehicle " + vehicle.id()));
    }
    if (units.containsKey(unit.id())) {
      return Future.failedFuture(new DuplicateKeyException(DuplicateKeyException.TELEMATICS_UNIT, "telematics unit " + unit.id()));
    }
    vehicles.put(vehicle.id(), vehicle);
    units.put(unit.id(), unit);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> updateVehicle(Vehicle vehicle) {
    vehicles.put(vehicle.id(), vehicle);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> updateUnit(TelematicsUnit unit) {
    units.put(unit.id(), unit);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<Vehicle>> loadVehicles() {
    return Future.succeededFuture(new ArrayList<>(vehicles.values()));
  }

  @Override
  public synchronized Future<List<TelematicsUnit>> loadUnits() {
    return Future.succeededFuture(new ArrayList<>(units.values()));
  }
}
