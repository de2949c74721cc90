package io.fleetgate.vehicle;

/** An entry of the vehicle model catalog: what a known kind of vehicle is and what it supports. */
public record VehicleModel(String id, String vehicleType, String brand, String model, Capabilities capabilities) {}
