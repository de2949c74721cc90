package io.fleetgate.store;

import io.fleetgate.command.CommandStore;
import io.fleetgate.command.memory.MemoryCommandStore;
import io.fleetgate.config.GatewayConfig;
import io.fleetgate.fleet.FleetStore;
import io.fleetgate.sharing.SharingStore;
import io.fleetgate.store.memory.MemoryFleetStore;
import io.fleetgate.store.memory.MemorySharingStore;
import io.fleetgate.store.memory.MemoryStateStore;
import io.fleetgate.store.memory.MemoryVehicleStore;
import io.fleetgate.vehicle.StateStore;
import io.fleetgate.vehicle.VehicleStore;

/** The store ports the gateway runs on; in memory by default, PostgreSQL when {@code db.url} is set. */
public record Stores(FleetStore fleets, VehicleStore vehicles, StateStore states, SharingStore sharing, CommandStore commands) {

  /** The embedded default: everything in this process, gone when it ends. */
  public static Stores memory(GatewayConfig config) {
    return new Stores(new MemoryFleetStore(), new MemoryVehicleStore(), new MemoryStateStore(config.historyPerVehicle()),
        new MemorySharingStore(), new MemoryCommandStore(config.commands().historyPerVehicle()));
  }
}
