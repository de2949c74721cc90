package io.fleetgate.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.protocol.Plausibility;
import io.fleetgate.protocol.binary.BinaryStateDecoder;
import io.fleetgate.protocol.binary.BinaryStateEncoder;
import io.fleetgate.protocol.json.JsonStateDecoder;
import io.fleetgate.protocol.json.StateJson;
import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UnitModelTest {
  private static final long START = 1_795_255_200_000L; // 2026-11-21T10:00:00Z

  /** Two simulated hours of a few cars, one frame a second: every frame plausible, the story consistent. */
  @Test
  void twoHoursOfDrivingArePlausible() {
    boolean anyCharging = false;
    for (long seed = 1; seed <= 5; seed++) {
      UnitModel m = new UnitModel(seed, START);
      double lastMileage = -1;
      Set<UnitModel.Phase> phases = EnumSet.noneOf(UnitModel.Phase.class);
      boolean sawCharging = false;
      double maxDistanceKm = 0;
      for (int s = 1; s <= 7200; s++) {
        m.advance(START + s * 1000L);
        phases.add(m.phase());
        StateFrame frame = m.frame(s, s % 30 == 0);
        Plausibility.check(frame, START + s * 1000L);
        Map<Property, Object> v = values(frame);
        Position pos = (Position) v.get(Property.POSITION);
        maxDistanceKm = Math.max(maxDistanceKm,
            UnitModel.distanceM(UnitModel.CENTRE_LAT, UnitModel.CENTRE_LON, pos.lat(), pos.lon()) / 1000);
        double speed = (Double) v.get(Property.SPEED_IN_KILOMETERS_PER_HOUR);
        double heading = (Double) v.get(Property.HEADING_IN_DEGREES);
        double mileage = (Double) v.get(Property.MILEAGE_IN_KILOMETERS);
        double soc = (Double) v.get(Property.STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT);
        assertTrue(speed >= 0 && speed < 130, "speed " + speed);
        assertTrue(heading >= 0 && heading < 360, "heading " + heading);
        assertTrue(mileage >= lastMileage, "mileage went back from " + lastMileage + " to " + mileage);
        assertTrue(soc >= 0 && soc <= 100, "soc " + soc);
        if (m.phase() != UnitModel.Phase.DRIVING) {
          assertEquals(0.0, speed, "a car that is not driving stands still");
        }
        if (m.phase() == UnitModel.Phase.DRIVING) {
          assertEquals("ON", m.value(Property.IGNITION));
          assertEquals("UNLOCKED", m.value(Property.CENTRAL_LOCK));
        }
        if (m.phase() == UnitModel.Phase.PARKED) {
          assertEquals("OFF", m.value(Property.IGNITION));
          assertEquals("LOCKED", m.value(Property.CENTRAL_LOCK));
          assertEquals("CLOSED", m.value(Property.DOORS));
        }
        sawCharging |= "CHARGING".equals(m.value(Property.CHARGING_STATUS));
        lastMileage = mileage;
      }
      assertEquals(EnumSet.allOf(UnitModel.Phase.class), phases, "seed " + seed + " went through every phase");
      assertTrue(lastMileage > 0);
      assertTrue(maxDistanceKm < 8, "stays around the centre: " + maxDistanceKm);
      anyCharging |= sawCharging;
    }
    assertTrue(anyCharging, "some car charges while parked");
  }

  @Test
  void drivingAddsMileageAndDrainsTheBattery() {
    UnitModel m = new UnitModel(7, START);
    double mileage0 = (Double) m.value(Property.MILEAGE_IN_KILOMETERS);
    double drivenSeconds = 0;
    for (int s = 1; s <= 3600; s++) {
      m.advance(START + s * 1000L);
      if (m.phase() == UnitModel.Phase.DRIVING) {
        drivenSeconds++;
      }
    }
    double mileage1 = (Double) m.value(Property.MILEAGE_IN_KILOMETERS);
    assertTrue(drivenSeconds > 300, "drives a fair share of an hour: " + drivenSeconds + " s");
    assertTrue(mileage1 - mileage0 > 1, "drove " + (mileage1 - mileage0) + " km");
  }

  @Test
  void framesSendMotionAlwaysAndDiscreteValuesWhenChanged() {
    UnitModel m = new UnitModel(3, START);
    StateFrame first = m.frame(1, false);
    assertEquals(UnitModel.PROPERTIES.size(), first.readings().size(), "the first frame is complete");
    m.advance(START + 1000);
    StateFrame second = m.frame(2, false);
    assertTrue(second.readings().size() < first.readings().size());
    assertNotNull(values(second).get(Property.POSITION));
    assertEquals(UnitModel.PROPERTIES.size(), m.frame(3, true).readings().size());
  }

  @Test
  void framesSurviveBothCodecs() {
    UnitModel m = new UnitModel(11, START);
    for (int s = 1; s <= 600; s++) {
      m.advance(START + s * 1000L);
      StateFrame frame = m.frame(s, s % 10 == 0);
      long now = START + s * 1000L;
      StateFrame fromJson = JsonStateDecoder.decode(StateJson.encodeFrame(frame), now);
      StateFrame fromBinary = BinaryStateDecoder.decode(BinaryStateEncoder.encode(frame), now);
      assertEquals(values(frame), values(fromJson));
      assertEquals(values(frame), values(fromBinary));
    }
  }

  @Test
  void commands() {
    UnitModel m = new UnitModel(5, START);
    assertEquals("LOCKED", m.value(Property.CENTRAL_LOCK));
    assertNull(m.execute("UNLOCK_CENTRAL_LOCK"));
    assertEquals("UNLOCKED", m.value(Property.CENTRAL_LOCK));
    assertNull(m.execute("LOCK_AND_DISABLE_DRIVING"));
    assertEquals(Boolean.FALSE, m.value(Property.DRIVING_ENABLED));
    m.advance(START + 3_600_000);
    assertEquals(UnitModel.Phase.PARKED, m.phase(), "a car with driving disabled stays parked");
    assertNotNull(m.execute("UNLOCK_TOP_CASE"));
  }

  private static Map<Property, Object> values(StateFrame frame) {
    Map<Property, Object> out = new HashMap<>();
    for (Reading r : frame.readings()) {
      out.put(r.property(), r.value());
    }
    return out;
  }
}
