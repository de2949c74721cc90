package io.fleetgate.protocol.tcp;

import java.util.List;

/** The contract's command codes of the TCP COMMAND frame: name ↔ code 1..11. */
public final class CommandCodes {
  private static final List<String> NAMES = List.of(
      "REQUEST_VEHICLE_STATE", "ENABLE_DRIVING", "DISABLE_DRIVING", "UNLOCK_CENTRAL_LOCK", "LOCK_CENTRAL_LOCK",
      "UNLOCK_AND_ENABLE_DRIVING", "LOCK_AND_DISABLE_DRIVING", "UNLOCK_TOP_CASE", "LOCK_TOP_CASE", "DRAW_ATTENTION",
      "UNLOCK_BATTERY_COMPARTMENT");

  private CommandCodes() {}

  /** The code of a command name, or -1 when the contract has none. */
  public static int code(String name) {
    int i = NAMES.indexOf(name);
    return i < 0 ? -1 : i + 1;
  }

  /** The name of a code, or null when it is not 1..11. */
  public static String name(int code) {
    return code >= 1 && code <= NAMES.size() ? NAMES.get(code - 1) : null;
  }

  public static List<String> names() {
    return NAMES;
  }
}
