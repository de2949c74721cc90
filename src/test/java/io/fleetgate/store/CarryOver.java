package io.fleetgate.store;

import static io.fleetgate.TestGateway.await;

import io.fleetgate.TestGateway;
import io.fleetgate.fleet.Fleet;
import io.fleetgate.vehicle.TelematicsUnit;
import io.fleetgate.vehicle.Vehicle;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * For restart tests of the sharing and command stores: the fleets, vehicles and units a test made in the
 * first gateway, put into the second one when that did not load them itself (a build whose fleet and
 * vehicle stores are still in memory). Where those stores are durable, the second gateway loaded them all
 * and {@link #into} changes nothing.
 */
public final class CarryOver {
  private final List<Fleet> fleets = new ArrayList<>();
  private final List<Vehicle> vehicles = new ArrayList<>();
  private final List<TelematicsUnit> units = new ArrayList<>();

  /** Takes the named fleets and vehicles (with their units) from a gateway's working set. */
  public static CarryOver of(TestGateway gw, Collection<String> fleetIds, Collection<String> vehicleIds) {
    CarryOver c = new CarryOver();
    for (String id : fleetIds) {
      c.fleets.add(gw.gateway.directory.fleet(id));
    }
    for (String id : vehicleIds) {
      Vehicle v = gw.gateway.registry.vehicle(id);
      c.vehicles.add(v);
      c.units.add(gw.gateway.registry.unit(v.unitId()));
    }
    return c;
  }

  /** Puts what {@code gw} lacks into its stores and working set. */
  public void into(TestGateway gw) {
    for (Fleet f : fleets) {
      if (gw.gateway.directory.fleet(f.id()) == null) {
        await(gw.gateway.stores.fleets().insertFleet(f));
        gw.gateway.directory.put(f);
      }
    }
    for (int i = 0; i < vehicles.size(); i++) {
      Vehicle v = vehicles.get(i);
      if (gw.gateway.registry.vehicle(v.id()) == null) {
        await(gw.gateway.stores.vehicles().insertVehicle(v, units.get(i)));
        gw.gateway.registry.put(units.get(i));
        gw.gateway.registry.put(v);
      }
    }
  }
}
