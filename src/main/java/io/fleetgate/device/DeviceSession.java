package io.fleetgate.device;

import io.fleetgate.command.Command;
import io.fleetgate.command.DeliveryTimeoutException;
import io.fleetgate.command.UnitOfflineException;
import io.vertx.core.Future;

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

  /** Whether commands can be delivered now: connected and subscribed to its commands (MQTT: at QoS 1). */
  default boolean acceptsCommands() {
    return false;
  }

  /**
   * Sends a command to the unit. Succeeds on proof of delivery (MQTT: the PUBACK of the QoS 1 publish);
   * fails with {@link UnitOfflineException} when the unit does not accept commands (any more), or with
   * {@link DeliveryTimeoutException} when no proof arrived in time. Called from any thread.
   */
  default Future<Void> deliver(Command command) {
    return Future.failedFuture(new UnitOfflineException("this protocol does not deliver commands"));
  }
}
