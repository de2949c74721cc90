package io.fleetgate.command;

/** Told when a unit becomes able to take commands (connected and subscribed), so queued ones can go out. */
@FunctionalInterface
public interface CommandReadiness {
  CommandReadiness NONE = vehicleId -> {};

  void commandsReady(String vehicleId);
}
