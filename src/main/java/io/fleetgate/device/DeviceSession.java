package io.fleetgate.device;

/** One connected, authenticated unit, whatever the protocol. */
public interface DeviceSession {
  String unitId();

  String vehicleId();

  /**
   * Closes this session because a newer connection of the same unit replaced it. Called from any thread;
   * the session closes on its own event loop. Its close must not set the vehicle OFFLINE: the newer session
   * is the unit's current one.
   */
  void takenOver();

  /**
   * Closes this session because the unit may no longer use it: its vehicle was removed or its password
   * changed. Called from any thread; the session closes on its own event loop.
   */
  void revoke();
}
