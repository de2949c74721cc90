package io.fleetgate.vehicle;

import io.fleetgate.problem.DuplicateKeyException;
import io.vertx.core.Future;
import java.util.List;

/**
 * Persistence of vehicles and their telematics units. A vehicle and its unit are inserted together
 * (atomically); a unit id or vehicle id that is taken fails with {@link DuplicateKeyException}. A vehicle id
 * stays taken while the vehicle is archived and after it is purged: ids are never reused.
 *
 * <p>Archiving moves a vehicle and its unit out of the active set; its unit id stays reserved for it (an
 * insert with that id fails as taken), so that nothing can block the restore; restoring moves them back;
 * purging deletes an archived vehicle and its unit for good and frees the unit id.
 */
public interface VehicleStore {
  Future<Void> insertVehicle(Vehicle vehicle, TelematicsUnit unit);

  /** Replaces an active vehicle; a vehicle that is not active (archived meanwhile) is left alone. */
  Future<Void> updateVehicle(Vehicle vehicle);

  /** Replaces an active unit; a unit that is not active (archived meanwhile) is left alone. */
  Future<Void> updateUnit(TelematicsUnit unit);

  /**
   * Stores the keyed verifier derived for an active unit's password, only if that password is still the one
   * of {@code credentialVersion} (a password changed meanwhile keeps its own verifier). True when stored.
   */
  Future<Boolean> saveKeyedVerifier(String unitId, long credentialVersion, String verifier);

  /**
   * Moves an active vehicle and its unit to the archive. False when the vehicle is not active (archived or
   * purged meanwhile).
   */
  Future<Boolean> archiveVehicle(ArchivedVehicle entry);

  /**
   * Moves an archived vehicle and its unit back to the active set. False when it is not archived (restored
   * or purged meanwhile); fails with {@link DuplicateKeyException} ({@link DuplicateKeyException#TELEMATICS_UNIT})
   * when its unit id is attached to another vehicle (possible only for archives older than the reservation,
   * PostgreSQL migration V4).
   */
  Future<Boolean> restoreVehicle(String vehicleId);

  /** Deletes an archived vehicle and its unit; its id stays taken. False when it is not archived. */
  Future<Boolean> purgeVehicle(String vehicleId);

  Future<List<ArchivedVehicle>> loadArchived();

  Future<List<Vehicle>> loadVehicles();

  Future<List<TelematicsUnit>> loadUnits();

  /**
   * The highest creation sequence ({@link Vehicle#seq()}) ever stored, purged vehicles included; 0 when none.
   * Sequences continue above it after a restart, so listings and cursors keep one order.
   */
  Future<Long> lastSeq();

  /**
   * A vehicle as stored now, with its unit (its keyed verifier included): {@code archivedAt} null while it is
   * active. What a cluster node reloads when the change feed names the vehicle.
   */
  record Stored(Vehicle vehicle, TelematicsUnit unit, java.time.Instant archivedAt) {}

  /** The vehicle as stored now, or null when there is none (purged, or never stored). */
  default Future<Stored> loadVehicle(String vehicleId) {
    return Future.failedFuture(new UnsupportedOperationException("this store has no change feed"));
  }
}
