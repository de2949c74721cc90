package io.fleetgate.sim;

import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One simulated shared car, as a pure state machine over time: parked (locked, maybe charging) → boarding
 * (unlocked, doors open) → driving a loop of waypoints around Berlin's centre → alighting → parked again.
 * Position, speed and heading follow from the motion; mileage only grows; the battery drains per kilometre
 * and charges while parked at a charger. No I/O and no clock: the caller passes the time, so a seed and a
 * sequence of {@link #advance} calls always give the same states.
 */
public final class UnitModel {
  public static final double CENTRE_LAT = 52.5200;
  public static final double CENTRE_LON = 13.4050;
  private static final double EARTH_RADIUS_M = 6_371_000;
  private static final double FULL_RANGE_KM = 220;
  private static final double SOC_PER_KM = 0.45;
  private static final double CHARGE_PER_SECOND = 0.05;
  private static final double ACCELERATION = 1.8; // m/s²
  private static final double BRAKING = 2.5; // m/s²
  private static final long STEP_MS = 250; // integration step: smooth turns at waypoints
  /** Properties that change with every step of motion; sent in every frame. */
  private static final List<Property> MOTION = List.of(Property.POSITION, Property.SPEED_IN_KILOMETERS_PER_HOUR,
      Property.HEADING_IN_DEGREES, Property.MILEAGE_IN_KILOMETERS, Property.STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT);

  /** The properties this model reports (the capabilities a simulated vehicle needs). */
  public static final List<Property> PROPERTIES = List.of(Property.POSITION, Property.ALTITUDE_IN_METERS,
      Property.SPEED_IN_KILOMETERS_PER_HOUR, Property.HEADING_IN_DEGREES, Property.MILEAGE_IN_KILOMETERS,
      Property.STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT, Property.REMAINING_RANGE_IN_KILOMETERS,
      Property.CENTRAL_LOCK, Property.DRIVING_ENABLED, Property.IGNITION, Property.CELLULAR_SIGNAL_QUALITY,
      Property.BOARD_VOLTAGE_IN_VOLTS, Property.DOORS, Property.CHARGING_STATUS);

  /** The commands this model answers with SUCCEEDED (others are REJECTED). */
  public static final List<String> COMMANDS = List.of("REQUEST_VEHICLE_STATE", "ENABLE_DRIVING", "DISABLE_DRIVING",
      "UNLOCK_CENTRAL_LOCK", "LOCK_CENTRAL_LOCK", "UNLOCK_AND_ENABLE_DRIVING", "LOCK_AND_DISABLE_DRIVING",
      "DRAW_ATTENTION");

  /** Where the car is in its day. */
  public enum Phase { PARKED, BOARDING, DRIVING, ALIGHTING }

  private final SplittableRandom random;
  private final double[][] waypoints; // {lat, lon}, a closed loop
  private Phase phase = Phase.PARKED;
  private long phaseEndsMs;
  private long nowMs;
  private int nextWaypoint;
  private int waypointsLeftInTrip;
  private double lat;
  private double lon;
  private double speedMs;
  private double cruiseMs;
  private double heading;
  private double mileageKm;
  private double soc;
  private double altitude;
  private double boardVoltage;
  private int cellular;
  private boolean locked = true;
  private boolean ignition;
  private boolean doorsOpen;
  private boolean charging;
  private boolean drivingEnabled = true;
  private boolean atCharger;
  /** Bits of discrete properties changed since the last frame. */
  private int dirty = Property.allMask();

  public UnitModel(long seed, long startMs) {
    this.random = new SplittableRandom(seed);
    this.waypoints = route(random);
    this.nowMs = startMs;
    int start = random.nextInt(waypoints.length);
    this.lat = waypoints[start][0];
    this.lon = waypoints[start][1];
    this.nextWaypoint = (start + 1) % waypoints.length;
    this.heading = bearing(lat, lon, waypoints[nextWaypoint][0], waypoints[nextWaypoint][1]);
    this.mileageKm = 1_000 + random.nextInt(60_000) + random.nextInt(10) / 10.0;
    this.soc = 35 + random.nextInt(60);
    this.altitude = 30 + random.nextInt(20);
    this.cellular = 2 + random.nextInt(4);
    this.atCharger = random.nextInt(3) == 0;
    this.charging = atCharger && soc < 95;
    this.boardVoltage = 12.6;
    // the first trip of each car starts at a different time, so a fleet does not move in lockstep
    this.phaseEndsMs = startMs + 2_000 + random.nextInt(30_000);
  }

  /** Moves the model forward to {@code toMs} (earlier times are ignored). */
  public void advance(long toMs) {
    while (nowMs < toMs) {
      long step = Math.min(STEP_MS, toMs - nowMs);
      nowMs += step;
      step(step / 1000.0);
    }
  }

  private void step(double dt) {
    switch (phase) {
      case PARKED -> {
        if (charging) {
          soc = Math.min(100, soc + CHARGE_PER_SECOND * dt);
          if (soc >= 100) {
            setCharging(false);
          }
        }
        if (nowMs >= phaseEndsMs && drivingEnabled && soc > 8) {
          setCharging(false);
          setLocked(false);
          setDoorsOpen(true);
          enter(Phase.BOARDING, 3_000 + random.nextInt(5_000));
        }
      }
      case BOARDING -> {
        if (nowMs >= phaseEndsMs) {
          setDoorsOpen(false);
          setIgnition(true);
          waypointsLeftInTrip = 2 + random.nextInt(4);
          cruiseMs = kmh(28 + random.nextInt(25));
          phase = Phase.DRIVING;
        }
      }
      case DRIVING -> drive(dt);
      case ALIGHTING -> {
        if (nowMs >= phaseEndsMs) {
          setDoorsOpen(false);
          setLocked(true);
          atCharger = soc < 40 || random.nextInt(4) == 0;
          setCharging(atCharger && soc < 95);
          enter(Phase.PARKED, 15_000 + random.nextInt(60_000));
        }
      }
      default -> throw new IllegalStateException(phase.name());
    }
    cellular = Math.max(0, Math.min(5, cellular + (random.nextInt(40) == 0 ? random.nextInt(3) - 1 : 0)));
    double baseVoltage = ignition ? 14.1 : charging ? 13.6 : 12.6;
    boardVoltage = baseVoltage + (random.nextInt(21) - 10) / 100.0;
  }

  private void drive(double dt) {
    double[] target = waypoints[nextWaypoint];
    double distance = distanceM(lat, lon, target[0], target[1]);
    boolean lastLeg = waypointsLeftInTrip <= 1 || !drivingEnabled || soc <= 3;
    // brake in time for the trip's last waypoint, slow down for corners otherwise
    double limit = lastLeg ? Math.max(1.5, Math.sqrt(2 * BRAKING * Math.max(0, distance - 2))) : Math.max(kmh(15), Math.sqrt(2 * BRAKING * distance) + kmh(15));
    double wanted = Math.min(cruiseMs, limit);
    speedMs = wanted > speedMs ? Math.min(wanted, speedMs + ACCELERATION * dt) : Math.max(wanted, speedMs - BRAKING * dt);
    double travelled = Math.min(speedMs * dt, distance);
    if (distance > 0.5) {
      heading = bearing(lat, lon, target[0], target[1]);
      moveAlong(heading, travelled);
    }
    mileageKm += travelled / 1000;
    soc = Math.max(0, soc - SOC_PER_KM * travelled / 1000);
    if (distance - travelled <= 1.0) {
      lat = target[0];
      lon = target[1];
      nextWaypoint = (nextWaypoint + 1) % waypoints.length;
      waypointsLeftInTrip--;
      if (lastLeg) {
        speedMs = 0;
        setIgnition(false);
        setDoorsOpen(true);
        enter(Phase.ALIGHTING, 2_000 + random.nextInt(4_000));
      }
    }
  }

  private void enter(Phase next, long durationMs) {
    phase = next;
    phaseEndsMs = nowMs + durationMs;
  }

  /**
   * A frame of the state at the current time: the motion properties always, the discrete ones when they changed
   * since the last frame (or all of them when {@code full}). Every reading carries the frame's time.
   */
  public StateFrame frame(long seq, boolean full) {
    List<Reading> readings = new ArrayList<>(PROPERTIES.size());
    for (Property p : PROPERTIES) {
      if (full || MOTION.contains(p) || (dirty & p.bit) != 0) {
        readings.add(new Reading(p, nowMs, value(p)));
      }
    }
    dirty = 0;
    return new StateFrame(nowMs, seq, readings, 0);
  }

  /** Every property's current value, at the current time. */
  public List<Reading> readings() {
    List<Reading> readings = new ArrayList<>(PROPERTIES.size());
    for (Property p : PROPERTIES) {
      readings.add(new Reading(p, nowMs, value(p)));
    }
    return readings;
  }

  /** The value of one reported property, rounded to what the binary payload carries. */
  public Object value(Property p) {
    return switch (p) {
      case POSITION -> new Position(round(lat, 1e7), round(lon, 1e7));
      case ALTITUDE_IN_METERS -> (double) Math.round(altitude);
      case SPEED_IN_KILOMETERS_PER_HOUR -> round(speedMs * 3.6, 10);
      case HEADING_IN_DEGREES -> {
        double h = round(heading, 10);
        yield h >= 360 ? 0.0 : h;
      }
      case MILEAGE_IN_KILOMETERS -> Math.floor(mileageKm * 10) / 10; // floor: rounding must never go backwards
      case STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT -> (double) Math.round(soc);
      case REMAINING_RANGE_IN_KILOMETERS -> (double) Math.round(soc / 100 * FULL_RANGE_KM);
      case CENTRAL_LOCK -> locked ? p.oneLabel : p.zeroLabel;
      case DRIVING_ENABLED -> drivingEnabled;
      case IGNITION -> ignition ? p.oneLabel : p.zeroLabel;
      case CELLULAR_SIGNAL_QUALITY -> (double) cellular;
      case BOARD_VOLTAGE_IN_VOLTS -> round(boardVoltage, 100);
      case DOORS -> doorsOpen ? p.oneLabel : p.zeroLabel;
      case CHARGING_STATUS -> charging ? p.oneLabel : p.zeroLabel;
      default -> throw new IllegalArgumentException(p + " is not simulated");
    };
  }

  /**
   * Executes a command as a unit would: SUCCEEDED, or REJECTED with a reason for one it cannot do now.
   *
   * @return null when it succeeded, else the rejection detail
   */
  public String execute(String command) {
    switch (command) {
      case "REQUEST_VEHICLE_STATE", "DRAW_ATTENTION" -> {
        return null;
      }
      case "UNLOCK_CENTRAL_LOCK" -> setLocked(false);
      case "LOCK_CENTRAL_LOCK" -> {
        if (phase == Phase.DRIVING) {
          return "vehicle is moving";
        }
        setLocked(true);
      }
      case "ENABLE_DRIVING" -> setDrivingEnabled(true);
      case "DISABLE_DRIVING" -> setDrivingEnabled(false); // a moving car stops at its next waypoint
      case "UNLOCK_AND_ENABLE_DRIVING" -> {
        setLocked(false);
        setDrivingEnabled(true);
      }
      case "LOCK_AND_DISABLE_DRIVING" -> {
        if (phase == Phase.DRIVING) {
          return "vehicle is moving";
        }
        setLocked(true);
        setDrivingEnabled(false);
      }
      default -> {
        return "command not supported by this unit";
      }
    }
    return null;
  }

  public Phase phase() {
    return phase;
  }

  public long nowMs() {
    return nowMs;
  }

  private void setLocked(boolean v) {
    dirty |= locked != v ? Property.CENTRAL_LOCK.bit : 0;
    locked = v;
  }

  private void setIgnition(boolean v) {
    dirty |= ignition != v ? Property.IGNITION.bit | Property.BOARD_VOLTAGE_IN_VOLTS.bit : 0;
    ignition = v;
  }

  private void setDoorsOpen(boolean v) {
    dirty |= doorsOpen != v ? Property.DOORS.bit : 0;
    doorsOpen = v;
  }

  private void setCharging(boolean v) {
    dirty |= charging != v ? Property.CHARGING_STATUS.bit | Property.REMAINING_RANGE_IN_KILOMETERS.bit : 0;
    charging = v;
  }

  private void setDrivingEnabled(boolean v) {
    dirty |= drivingEnabled != v ? Property.DRIVING_ENABLED.bit : 0;
    drivingEnabled = v;
  }

  /** A closed loop of 5–9 waypoints, 0.8–7 km from the centre, in angular order (no self-crossing). */
  static double[][] route(SplittableRandom random) {
    int n = 5 + random.nextInt(5);
    double[][] points = new double[n][];
    double offset = random.nextDouble() * 360;
    boolean clockwise = random.nextBoolean();
    for (int i = 0; i < n; i++) {
      double angle = offset + (clockwise ? -1 : 1) * (360.0 / n) * (i + random.nextDouble() * 0.6);
      double distance = 800 + random.nextDouble() * 6_200;
      points[i] = destination(CENTRE_LAT, CENTRE_LON, angle, distance);
    }
    return points;
  }

  private void moveAlong(double bearingDeg, double meters) {
    double[] to = destination(lat, lon, bearingDeg, meters);
    lat = to[0];
    lon = to[1];
  }

  /** Local flat-earth step: good to centimetres over a few kilometres. */
  static double[] destination(double lat, double lon, double bearingDeg, double meters) {
    double b = Math.toRadians(bearingDeg);
    double dLat = meters * Math.cos(b) / EARTH_RADIUS_M;
    double dLon = meters * Math.sin(b) / (EARTH_RADIUS_M * Math.cos(Math.toRadians(lat)));
    return new double[] {lat + Math.toDegrees(dLat), lon + Math.toDegrees(dLon)};
  }

  static double distanceM(double lat1, double lon1, double lat2, double lon2) {
    double x = Math.toRadians(lon2 - lon1) * Math.cos(Math.toRadians((lat1 + lat2) / 2));
    double y = Math.toRadians(lat2 - lat1);
    return Math.sqrt(x * x + y * y) * EARTH_RADIUS_M;
  }

  /** Bearing in [0, 360). */
  static double bearing(double lat1, double lon1, double lat2, double lon2) {
    double x = Math.toRadians(lon2 - lon1) * Math.cos(Math.toRadians((lat1 + lat2) / 2));
    double y = Math.toRadians(lat2 - lat1);
    double deg = Math.toDegrees(Math.atan2(x, y));
    return deg < 0 ? deg + 360 : deg >= 360 ? deg - 360 : deg;
  }

  private static double kmh(double kmh) {
    return kmh / 3.6;
  }

  private static double round(double v, double scale) {
    return Math.round(v * scale) / scale;
  }
}
