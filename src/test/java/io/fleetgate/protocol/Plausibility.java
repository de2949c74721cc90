package io.fleetgate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks every decoded frame must pass whatever the input was (Traccar's {@code verifyPosition} habit): lat/lon
 * in range, speed ≥ 0, numbers in their property's range, canonical labels, time not in the future.
 */
public final class Plausibility {
  private Plausibility() {}

  public static StateFrame check(StateFrame frame, long nowMs) {
    assertNotNull(frame);
    assertTrue(frame.timestampMs() >= 0, "frame time before the epoch");
    assertTrue(frame.timestampMs() <= nowMs + StateRules.MAX_FUTURE_SKEW_MS, "frame time in the future");
    assertTrue(frame.seq() == StateFrame.NO_SEQ || (frame.seq() >= 0 && frame.seq() <= StateRules.MAX_SEQ));
    assertTrue(frame.unknownSkipped() >= 0);
    check(frame.readings(), nowMs);
    return frame;
  }

  public static void check(List<Reading> readings, long nowMs) {
    Set<Property> seen = new HashSet<>();
    for (Reading r : readings) {
      Property p = r.property();
      assertNotNull(p);
      assertTrue(seen.add(p), p + " twice");
      assertTrue(r.timestampMs() >= 0, p + " time before the epoch");
      assertTrue(r.timestampMs() <= nowMs + StateRules.MAX_FUTURE_SKEW_MS, p + " time in the future");
      Object v = r.value();
      switch (p.kind) {
        case POSITION -> {
          Position pos = (Position) v;
          assertTrue(pos.lat() >= -90 && pos.lat() <= 90, "lat " + pos.lat());
          assertTrue(pos.lon() >= -180 && pos.lon() <= 180, "lon " + pos.lon());
        }
        case NUMBER -> {
          double d = (Double) v;
          assertFalse(Double.isNaN(d) || Double.isInfinite(d), p + " " + d);
          assertTrue(d >= p.min && d <= p.max, p + " " + d);
          if (p == Property.SPEED_IN_KILOMETERS_PER_HOUR) {
            assertTrue(d >= 0, "speed " + d);
          }
          if (p == Property.CELLULAR_SIGNAL_QUALITY) {
            assertEquals(Math.rint(d), d);
          }
        }
        case ENUM -> assertTrue(v == p.oneLabel || v == p.zeroLabel, p + " label " + v + " not canonical");
        case BOOLEAN -> assertSame(Boolean.class, v.getClass());
        default -> throw new AssertionError(p.kind);
      }
    }
  }
}
