package io.fleetgate.store;

/** The store ports the gateway runs on; in memory by default, PostgreSQL when configured. */
public record Stores(FleetStore fleets, VehicleStore vehicles, StateStore states, SharingStore sharing) {}
