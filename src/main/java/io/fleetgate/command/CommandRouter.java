package io.fleetgate.command;

import io.vertx.core.Future;

/**
 * Gets a command to the unit of its vehicle. Local today (the unit's session in this process); a clustered
 * router can replace it without the service changing.
 */
public interface CommandRouter {

  /** Whether the vehicle's unit can take a command now (connected and subscribed to its commands). */
  boolean reachable(String vehicleId);

  /**
   * Delivers; succeeds on proof of delivery. Fails with {@link UnitOfflineException} when
   * the unit is not reachable and {@link DeliveryTimeoutException} without proof in time.
   */
  Future<Void> deliver(Command command);

  /**
   * Whether this process drains the vehicle's queue now. On one node always; a clustered router answers true
   * only where the unit's session is, and asks that node to drain instead, so that one node delivers.
   */
  default boolean drainsHere(String vehicleId) {
    return true;
  }
}
