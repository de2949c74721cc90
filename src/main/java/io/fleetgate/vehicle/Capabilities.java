package io.fleetgate.vehicle;

import java.util.List;

/**
 * What a vehicle supports: command names and state properties. {@code stateMask} has the bit of every
 * supported {@link Property}, for an allocation-free filter on the ingest path.
 */
public record Capabilities(List<String> commands, List<Property> vehicleState, int stateMask) {

  public static final List<String> ALL_COMMANDS = List.of(
      "REQUEST_VEHICLE_STATE", "ENABLE_DRIVING", "DISABLE_DRIVING", "UNLOCK_CENTRAL_LOCK", "LOCK_CENTRAL_LOCK",
      "UNLOCK_AND_ENABLE_DRIVING", "LOCK_AND_DISABLE_DRIVING", "UNLOCK_TOP_CASE", "LOCK_TOP_CASE",
      "DRAW_ATTENTION", "UNLOCK_BATTERY_COMPARTMENT");

  public static Capabilities of(List<String> commands, List<Property> state) {
    int mask = 0;
    for (Property p : state) {
      mask |= p.bit;
    }
    return new Capabilities(List.copyOf(commands), List.copyOf(state), mask);
  }
}
