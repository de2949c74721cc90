package io.fleetgate.vehicle;

import io.fleetgate.auth.Principal;
import io.fleetgate.problem.DuplicateKeyException;
import io.fleetgate.problem.Problems;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Removing (archiving), restoring and purging vehicles, and changing a unit's password. Every change is
 * stored first and reaches the working set only once the store accepted it; then the unit's credentials
 * are revoked (cached verifications dropped, live sessions closed) and the listeners are told.
 *
 * <p>History policy: recorded states stay in the state store while a vehicle is archived and are readable
 * again after a restore; the latest state of this process comes back with it; a purge deletes the history.
 */
public final class VehicleLifecycle {
  private static final Logger LOG = Logger.getLogger("fleetgate.vehicle");

  private final VehicleRegistry registry;
  private final VehicleArchive archive;
  private final VehicleStore store;
  private final StateStore states;
  private final UnitCredential.Issuer credentials;
  private final VehicleAccess access;
  private final Consumer<String> revokeUnit;
  private final List<VehicleLifecycleListener> listeners;
  private final Clock clock;

  /**
   * @param credentials hashes a unit password off the event loop and derives its keyed verifier
   * @param revokeUnit drops a unit's cached verifications and closes its live sessions, at once
   * @param listeners told after each archive and restore (a live list: listeners may be added later)
   */
  public VehicleLifecycle(VehicleRegistry registry, VehicleArchive archive, VehicleStore store, StateStore states,
      UnitCredential.Issuer credentials, VehicleAccess access, Consumer<String> revokeUnit,
      List<VehicleLifecycleListener> listeners, Clock clock) {
    this.registry = registry;
    this.archive = archive;
    this.store = store;
    this.states = states;
    this.credentials = credentials;
    this.access = access;
    this.revokeUnit = revokeUnit;
    this.listeners = listeners;
    this.clock = clock;
  }

  /** Loads the archive from the store at start-up (ids stay taken). */
  public Future<Void> load() {
    return store.loadArchived().map(list -> {
      list.stream().sorted(java.util.Comparator.comparing(ArchivedVehicle::archivedAt)).forEach(a -> {
        archive.put(a, null);
        registry.holdId(a.id());
      });
      return null;
    });
  }

  /** Archives a vehicle of the caller's fleet: gone from the working set, its unit disconnected and locked out. */
  public Future<Void> remove(Principal principal, String vehicleId) {
    Vehicle v = registry.vehicle(VehicleService.normalize(vehicleId));
    access.requireRemove(principal, v); // the who-may-do-what "remove" row: one place decides
    TelematicsUnit unit = registry.unit(v.unitId());
    ArchivedVehicle entry = new ArchivedVehicle(v, unit, clock.instant().truncatedTo(ChronoUnit.MILLIS));
    return store.archiveVehicle(entry).map(done -> {
      if (!done) {
        throw Problems.notFound("vehicle"); // removed by a concurrent request
      }
      VehicleLive live = registry.live(v.id());
      registry.holdId(v.id());
      registry.remove(v.id());
      registry.removeUnit(unit.id(), v.id());
      archive.put(entry, live);
      revokeUnit.accept(unit.id());
      tell(l -> l.vehicleRemoved(v.id(), unit.id()), "removed", v.id());
      return null;
    });
  }

  /** A page of the caller's archived vehicles (unexpired), in archive order. */
  public KeysetPage<ArchivedVehicle> archived(Principal principal, KeysetPage.Position at, int limit) {
    if (principal.fleetId() == null) {
      return new KeysetPage<>(List.of(), null, null);
    }
    return archive.page(principal.fleetId(), at, limit);
  }

  public java.time.Instant expiresAt(ArchivedVehicle a) {
    return archive.expiresAt(a);
  }

  /** The runtime side an archived vehicle had in this process, or null. */
  public VehicleLive liveOf(ArchivedVehicle a) {
    VehicleArchive.Entry e = archive.get(a.id());
    return e == null ? null : e.live();
  }

  /**
   * Restores an archived vehicle of the caller's fleet with the same id, in its original place in listings,
   * its unit re-attached with the password it had. 404 unknown, expired or another fleet's; 409 when the
   * unit id is attached to another vehicle (only archives older than the reservation of unit ids: V4).
   */
  public Future<Vehicle> restore(Principal principal, String vehicleId) {
    VehicleArchive.Entry e = archive.get(VehicleService.normalize(vehicleId));
    if (e == null || principal.fleetId() == null || !principal.fleetId().equals(e.archived().fleetId())) {
      throw Problems.notFound("archived vehicle");
    }
    ArchivedVehicle a = e.archived();
    if (registry.unit(a.unit().id()) != null) {
      throw unitTaken(a);
    }
    return store.restoreVehicle(a.id())
        .recover(err -> Future.failedFuture(err instanceof DuplicateKeyException ? unitTaken(a) : err))
        .map(done -> {
          if (!done) {
            throw Problems.notFound("archived vehicle"); // restored or purged by a concurrent request
          }
          archive.remove(a.id());
          registry.put(a.unit());
          registry.put(a.vehicle(), e.live());
          registry.releaseId(a.id());
          tell(l -> l.vehicleRestored(a.id(), a.unit().id()), "restored", a.id());
          return a.vehicle();
        });
  }

  private static RuntimeException unitTaken(ArchivedVehicle a) {
    return Problems.conflict("telematics unit '" + a.unit().id() + "' is attached to another vehicle now; the vehicle cannot be restored with it");
  }

  /**
   * Deletes the archived vehicles whose retention has ended, with their units and history (the purge
   * timer). Their ids stay taken in the store. Completes with the number purged.
   */
  public Future<Integer> purgeExpired() {
    List<Future<Boolean>> all = new ArrayList<>();
    for (String id : archive.expired()) {
      all.add(store.purgeVehicle(id)
          .compose(done -> states.forget(id).map(done))
          .onSuccess(done -> {
            archive.remove(id);
            registry.releaseId(id); // the store keeps it taken: a new vehicle drawing it is given another
          })
          .onFailure(err -> LOG.log(Level.WARNING, "purge of archived vehicle " + id + " failed; retried by the next run", err)));
    }
    return Future.join(all).otherwiseEmpty().map(v -> (int) all.stream().filter(f -> f.succeeded() && f.result()).count());
  }

  /**
   * Sets a new password of one of the caller's units (hashed off the event loop, stored, then the old one
   * stops working at once: cached verifications are dropped and its sessions closed). 404 for any other unit.
   */
  public Future<Void> changePassword(Principal principal, String unitId, String password) {
    ownUnit(principal, unitId);
    return credentials.issue(unitId, password).compose(credential -> {
      TelematicsUnit current = ownUnit(principal, unitId); // archived while hashing: 404
      TelematicsUnit updated = current.withPassword(credential, clock.instant());
      return store.updateUnit(updated).map(v -> {
        if (!registry.replace(updated)) {
          throw Problems.notFound("telematics unit"); // archived while the new password was stored
        }
        revokeUnit.accept(unitId);
        return null;
      });
    });
  }

  /**
   * Takes a vehicle and its unit as the store holds them now, changed through another node (cluster change
   * feed): added, changed, archived, restored or purged there. No store write, no listener told (the node that
   * made the change did both); a unit whose credentials changed or that left the working set is revoked here
   * (cached verifications dropped, sessions on this node closed). {@code stored} null: purged (or never stored).
   */
  public void applyStored(String vehicleId, VehicleStore.Stored stored) {
    Vehicle active = registry.vehicle(vehicleId);
    if (stored == null || stored.archivedAt() != null) {
      if (active != null) {
        VehicleLive live = registry.live(vehicleId);
        registry.holdId(vehicleId);
        registry.remove(vehicleId);
        registry.removeUnit(active.unitId(), vehicleId);
        if (stored != null) {
          archive.put(new ArchivedVehicle(stored.vehicle(), stored.unit(), stored.archivedAt()), live);
        }
        revokeUnit.accept(active.unitId());
      } else if (stored != null && !archive.contains(vehicleId)) {
        archive.put(new ArchivedVehicle(stored.vehicle(), stored.unit(), stored.archivedAt()), null);
        registry.holdId(vehicleId);
      }
      if (stored == null && archive.remove(vehicleId) != null) {
        registry.releaseId(vehicleId); // the store keeps it taken, as after a purge here
      }
      return;
    }
    VehicleArchive.Entry restored = archive.remove(vehicleId);
    TelematicsUnit unit = stored.unit();
    if (active != null && !active.unitId().equals(unit.id())) {
      registry.removeUnit(active.unitId(), vehicleId);
      revokeUnit.accept(active.unitId());
    }
    TelematicsUnit before = registry.unit(unit.id());
    registry.put(unit);
    if (active == null) {
      registry.put(stored.vehicle(), restored == null ? null : restored.live());
    } else {
      registry.put(stored.vehicle());
    }
    registry.releaseId(vehicleId);
    if (before != null && (before.credentialVersion() != unit.credentialVersion() || !vehicleId.equals(before.vehicleId()))) {
      revokeUnit.accept(unit.id());
    }
  }

  private TelematicsUnit ownUnit(Principal principal, String unitId) {
    TelematicsUnit u = registry.unit(unitId);
    if (u == null || principal.fleetId() == null || !principal.fleetId().equals(u.fleetId())) {
      throw Problems.notFound("telematics unit");
    }
    return u;
  }

  private void tell(Consumer<VehicleLifecycleListener> call, String what, String vehicleId) {
    for (VehicleLifecycleListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException err) {
        LOG.log(Level.WARNING, "a lifecycle listener failed on vehicle " + vehicleId + " " + what, err);
      }
    }
  }
}
