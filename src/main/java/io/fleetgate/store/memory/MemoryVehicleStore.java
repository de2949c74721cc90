package io.fleetgate.store.memory;

import io.fleetgate.problem.DuplicateKeyException;
import io.fleetgate.vehicle.ArchivedVehicle;
import io.fleetgate.vehicle.TelematicsUnit;
import io.fleetgate.vehicle.Vehicle;
import io.fleetgate.vehicle.VehicleStore;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link VehicleStore} in memory: keeps nothing across restarts. */
public final class MemoryVehicleStore implements VehicleStore {
  private final Map<String, Vehicle> vehicles = new HashMap<>();
  private final Map<String, TelematicsUnit> units = new HashMap<>();
  private final Map<String, ArchivedVehicle> archived = new HashMap<>();
  /** Unit ids of archived vehicles: reserved for them until the purge. */
  private final Set<String> reservedUnits = new HashSet<>();
  /** Ids of purged vehicles: never handed out again. */
  private final Set<String> retired = new HashSet<>();
  private long lastSeq;

  @Override
  public synchronized Future<Void> insertVehicle(Vehicle vehicle, TelematicsUnit unit) {
    String id = vehicle.id();
    if (vehicles.containsKey(id) || archived.containsKey(id) || retired.contains(id)) {
      return Future.failedFuture(new DuplicateKeyException(DuplicateKeyException.VEHICLE, "vehicle " + id));
    }
    if (units.containsKey(unit.id()) || reservedUnits.contains(unit.id())) {
      return Future.failedFuture(new DuplicateKeyException(DuplicateKeyException.TELEMATICS_UNIT, "telematics unit " + unit.id()));
    }
    vehicles.put(id, vehicle);
    units.put(unit.id(), unit);
    lastSeq = Math.max(lastSeq, vehicle.seq());
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> updateVehicle(Vehicle vehicle) {
    vehicles.computeIfPresent(vehicle.id(), (id, old) -> vehicle);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> updateUnit(TelematicsUnit unit) {
    units.computeIfPresent(unit.id(), (id, old) -> unit);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Boolean> saveKeyedVerifier(String unitId, long credentialVersion, String verifier) {
    TelematicsUnit u = units.get(unitId);
    if (u == null || u.credentialVersion() != credentialVersion) {
      return Future.succeededFuture(false);
    }
    units.put(unitId, u.withKeyedVerifier(verifier));
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Boolean> archiveVehicle(ArchivedVehicle entry) {
    Vehicle v = vehicles.remove(entry.id());
    if (v == null) {
      return Future.succeededFuture(false);
    }
    units.remove(v.unitId());
    reservedUnits.add(v.unitId());
    archived.put(entry.id(), entry);
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Boolean> restoreVehicle(String vehicleId) {
    ArchivedVehicle entry = archived.get(vehicleId);
    if (entry == null) {
      return Future.succeededFuture(false);
    }
    if (units.containsKey(entry.unit().id())) {
      return Future.failedFuture(new DuplicateKeyException(DuplicateKeyException.TELEMATICS_UNIT, "telematics unit " + entry.unit().id()));
    }
    archived.remove(vehicleId);
    reservedUnits.remove(entry.unit().id());
    vehicles.put(vehicleId, entry.vehicle());
    units.put(entry.unit().id(), entry.unit());
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Boolean> purgeVehicle(String vehicleId) {
    ArchivedVehicle entry = archived.remove(vehicleId);
    if (entry == null) {
      return Future.succeededFuture(false);
    }
    reservedUnits.remove(entry.unit().id());
    retired.add(vehicleId);
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<List<ArchivedVehicle>> loadArchived() {
    return Future.succeededFuture(new ArrayList<>(archived.values()));
  }

  @Override
  public synchronized Future<List<Vehicle>> loadVehicles() {
    return Future.succeededFuture(new ArrayList<>(vehicles.values()));
  }

  @Override
  public synchronized Future<List<TelematicsUnit>> loadUnits() {
    return Future.succeededFuture(new ArrayList<>(units.values()));
  }

  @Override
  public synchronized Future<Long> lastSeq() {
    return Future.succeededFuture(lastSeq);
  }
}
