package io.fleetgate;

import io.fleetgate.command.CommandService;
import io.fleetgate.fleet.FleetDirectory;
import io.fleetgate.sharing.PartnerService;
import io.fleetgate.sharing.SharingService;
import io.fleetgate.store.Stores;
import io.fleetgate.vehicle.StateStore;
import io.fleetgate.vehicle.VehicleArchive;
import io.fleetgate.vehicle.VehicleLifecycle;
import io.fleetgate.vehicle.VehicleLive;
import io.fleetgate.vehicle.VehicleRegistry;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;

/**
 * Loads the working set from the stores at start-up, in an order that matters: fleets and clients, units and
 * vehicles, the archive, the command queues, then partnerships and sharings, and last the latest states.
 */
final class WorkingSetLoader {
  private static final Logger LOG = Logger.getLogger("fleetgate");

  private final Stores stores;
  private final FleetDirectory directory;
  private final VehicleRegistry registry;
  private final VehicleArchive archive;
  private final VehicleLifecycle lifecycle;
  private final CommandService commands;
  private final PartnerService partners;
  private final SharingService sharing;

  WorkingSetLoader(Stores stores, FleetDirectory directory, VehicleRegistry registry, VehicleArchive archive,
      VehicleLifecycle lifecycle, CommandService commands, PartnerService partners, SharingService sharing) {
    this.stores = stores;
    this.directory = directory;
    this.registry = registry;
    this.archive = archive;
    this.lifecycle = lifecycle;
    this.commands = commands;
    this.partners = partners;
    this.sharing = sharing;
  }

  Future<Void> load() {
    return stores.fleets().loadFleets().map(list -> {
          list.forEach(directory::put);
          return null;
        })
        .compose(v -> stores.fleets().loadClients()).map(list -> {
          list.forEach(directory::put);
          return null;
        })
        .compose(v -> stores.vehicles().loadUnits()).map(list -> {
          list.forEach(registry::put);
          return null;
        })
        .compose(v -> stores.vehicles().loadVehicles()).map(list -> {
          list.forEach(registry::put);
          return null;
        })
        .compose(v -> stores.vehicles().lastSeq()).map(last -> {
          registry.seqAtLeast(last); // purged and archived vehicles' sequences are never handed out again
          return null;
        })
        .compose(v -> lifecycle.load())
        // the command queues before the sharings: a sharing that ended while the gateway was down cancels its
        // partner's queued commands when it is loaded
        .compose(v -> commands.recover()).map(waiting -> {
          if (waiting > 0) {
            LOG.info(waiting + " queued commands wait for their units");
          }
          return null;
        })
        .compose(v -> stores.sharing().loadPartnerships()).map(list -> {
          partners.load(list);
          return null;
        })
        .compose(v -> stores.sharing().loadSharings()).map(list -> {
          sharing.load(list);
          return null;
        })
        .compose(v -> stores.states().loadLatest()).map(this::restoreLatest);
  }

  /**
   * Puts the stored latest states back into the working set, and into the archive for archived vehicles (a
   * restore brings it back); states of vehicles that are neither are ignored.
   */
  private Void restoreLatest(List<StateStore.StoredLatest> list) {
    Instant now = Instant.now();
    for (StateStore.StoredLatest s : list) {
      VehicleLive live = registry.live(s.vehicleId());
      VehicleArchive.Entry archived = live == null ? archive.get(s.vehicleId()) : null;
      if (archived != null && archived.live() == null) {
        live = new VehicleLive(archived.archived().vehicle().createdAt());
        archive.attachLive(s.vehicleId(), live);
      }
      if (live != null) {
        live.restore(s.readings(), s.online(), Instant.ofEpochMilli(s.lifeModifiedMs()), s.lastContactMs(), now);
      }
    }
    return null;
  }
}
