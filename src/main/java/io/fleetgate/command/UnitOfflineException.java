package io.fleetgate.command;

/** A command could not be handed to the unit: not connected, not subscribed, or the connection closed. */
public final class UnitOfflineException extends RuntimeException {
  public UnitOfflineException(String message) {
    super(message, null, false, false);
  }
}
