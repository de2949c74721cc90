package io.fleetgate.events;

/** The event catalog of {@code events.md}; the wire name is the enum constant's type name. */
public enum EventType {
  VEHICLE_STATE_RECORDED("VehicleStateRecorded"),
  VEHICLE_CHANGED("VehicleChanged"),
  VEHICLE_ADDED("VehicleAdded"),
  VEHICLE_REMOVED("VehicleRemoved"),
  VEHICLE_COMMAND_STATUS_CHANGED("VehicleCommandStatusChanged");

  public final String wire;

  EventType(String wire) {
    this.wire = wire;
  }

  /** The type of a wire name, or null. */
  public static EventType of(String wire) {
    for (EventType t : values()) {
      if (t.wire.equals(wire)) {
        return t;
      }
    }
    return null;
  }
}
