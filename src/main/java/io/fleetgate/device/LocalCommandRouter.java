package io.fleetgate.device;

import io.fleetgate.command.Command;
import io.fleetgate.command.CommandRouter;
import io.fleetgate.command.UnitOfflineException;
import io.fleetgate.vehicle.Vehicle;
import io.fleetgate.vehicle.VehicleRegistry;
import io.vertx.core.Future;

/** Routes to the current session of the vehicle's unit in this process. */
public final class LocalCommandRouter implements CommandRouter {
  private final VehicleRegistry registry;
  private final DeviceSessions sessions;

  public LocalCommandRouter(VehicleRegistry registry, DeviceSessions sessions) {
    this.registry = registry;
    this.sessions = sessions;
  }

  private DeviceSession session(String vehicleId) {
    Vehicle v = registry.vehicle(vehicleId);
    DeviceSession s = v == null ? null : sessions.current(v.unitId());
    return s != null && s.acceptsCommands() ? s : null;
  }

  @Override
  public boolean reachable(String vehicleId) {
    return session(vehicleId) != null;
  }

  @Override
  public Future<Void> deliver(Command command) {
    DeviceSession s = session(command.vehicleId());
    if (s == null) {
      return Future.failedFuture(new UnitOfflineException("the unit is not connected or not subscribed to its commands"));
    }
    return s.deliver(command);
  }
}
