package io.fleetgate.benchmarks;

import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import java.util.List;

/** The frame a moving vehicle sends most: position, speed, heading, mileage, soc, central_lock, ignition. */
final class Frames {
  static final long TS = 1_795_256_130_250L; // 2026-11-21T10:15:30.250Z

  private Frames() {}

  static StateFrame realistic() {
    return new StateFrame(TS, 1842, List.of(
        new Reading(Property.POSITION, TS, new Position(52.5200123, 13.4050456)),
        new Reading(Property.SPEED_IN_KILOMETERS_PER_HOUR, TS, 42.7),
        new Reading(Property.HEADING_IN_DEGREES, TS, 271.5),
        new Reading(Property.MILEAGE_IN_KILOMETERS, TS, 10234.5),
        new Reading(Property.STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT, TS, 80.0),
        new Reading(Property.CENTRAL_LOCK, TS, "LOCKED"),
        new Reading(Property.IGNITION, TS, "ON")), 0);
  }
}
