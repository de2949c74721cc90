package io.fleetgate.protocol;

import io.fleetgate.vehicle.Reading;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A unit's answer to a command, as decoded from MQTT JSON or a TCP COMMAND_RESULT frame. {@code detail} is
 * null when absent; {@code readings} (validated like a state frame's) is empty when the result had no state.
 */
public record CommandResult(UUID id, String status, String detail, List<Reading> readings) {
  public static final String SUCCEEDED = "SUCCEEDED";
  public static final String FAILED = "FAILED";
  public static final String REJECTED = "REJECTED";

  public CommandResult {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
    readings = List.copyOf(readings);
  }

  /** The canonical status constant for a wire label, or null when it is not one of the three. */
  public static String status(String candidate) {
    if (SUCCEEDED.equals(candidate)) {
      return SUCCEEDED;
    }
    if (FAILED.equals(candidate)) {
      return FAILED;
    }
    if (REJECTED.equals(candidate)) {
      return REJECTED;
    }
    return null;
  }
}
