package io.fleetgate.command;

/**
 * The life of a command: {@code QUEUED → DELIVERED → SUCCEEDED | FAILED | REJECTED}, or {@code EXPIRED} /
 * {@code CANCELED}. Which step may follow which is decided here and only here ({@link #mayBecome}).
 */
public enum CommandStatus {
  QUEUED, DELIVERED, SUCCEEDED, FAILED, REJECTED, EXPIRED, CANCELED;

  public boolean isTerminal() {
    return this != QUEUED && this != DELIVERED;
  }

  /**
   * Whether a command in this status may move to {@code next}. Terminal statuses never change. A result may
   * arrive before the PUBACK that proves delivery has been processed, so QUEUED may end in a result status
   * directly (the result is proof of delivery too). Only a command the unit does not have yet can expire or
   * be canceled: once DELIVERED, only the unit's result ends it.
   */
  public boolean mayBecome(CommandStatus next) {
    return switch (this) {
      case QUEUED -> next != QUEUED;
      case DELIVERED -> next == SUCCEEDED || next == FAILED || next == REJECTED;
      default -> false;
    };
  }

  /** The status of a unit's result label ({@code SUCCEEDED}, {@code FAILED}, {@code REJECTED}). */
  public static CommandStatus ofResult(String label) {
    return switch (label) {
      case "SUCCEEDED" -> SUCCEEDED;
      case "FAILED" -> FAILED;
      case "REJECTED" -> REJECTED;
      default -> throw new IllegalArgumentException("not a result status: " + label);
    };
  }
}
