package io.fleetgate.device;

/**
 * The current session of each connected unit. A unit has at most one: registering a second one returns the
 * first, which the caller then closes (takeover). The callbacks run atomically with the change for that
 * unit id, so that the life status a session sets can never be overtaken by an older session's close.
 */
public interface DeviceSessions {

  /**
   * Makes {@code session} the current one of its unit and runs {@code onCurrent} atomically with that.
   *
   * @return the session it replaced, or null
   */
  DeviceSession register(DeviceSession session, Runnable onCurrent);

  /**
   * Removes {@code session} if it is still the current one of its unit, running {@code onRemoved}
   * atomically with that.
   *
   * @return whether it was the current one (false after a takeover)
   */
  boolean unregister(DeviceSession session, Runnable onRemoved);

  /** The current session of a unit, or null. */
  DeviceSession current(String unitId);

  int size();
}
