package io.fleetgate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.protocol.binary.BinaryStateDecoder;
import io.fleetgate.protocol.binary.BinaryStateEncoder;
import io.fleetgate.protocol.json.JsonStateDecoder;
import io.fleetgate.protocol.json.StateJson;
import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** encode → decode gives the same frame, for every property, through both encodings. */
class RoundTripTest {
  static final long T0 = 1_795_256_130_250L; // 2026-11-21T10:15:30.250Z
  static final long NOW = T0 + 1_000;

  /** Values on each property's raw grid, at both ends of its range where the binary encoding reaches. */
  static List<Object> samples(Property p) {
    return switch (p) {
      case POSITION -> List.of(new Position(52.52, 13.405), new Position(-90, -180), new Position(90, 180),
          new Position(-33.8688197, 151.2092955));
      case ALTITUDE_IN_METERS -> List.of(-32768.0, 0.0, 34.0, 32767.0);
      case SPEED_IN_KILOMETERS_PER_HOUR -> List.of(0.0, 12.3, 6553.5);
      case HEADING_IN_DEGREES -> List.of(0.0, 90.5, 359.9);
      case MILEAGE_IN_KILOMETERS -> List.of(0.0, 10234.5, 429496729.5);
      case STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT -> List.of(0.0, 80.0, 100.0);
      case REMAINING_RANGE_IN_KILOMETERS -> List.of(0.0, 123.0, 65535.0);
      case CELLULAR_SIGNAL_QUALITY -> List.of(0.0, 3.0, 5.0);
      case BOARD_VOLTAGE_IN_VOLTS -> List.of(0.0, 12.45, 655.35);
      case DRIVING_ENABLED -> List.of(true, false);
      default -> List.of(p.oneLabel, p.zeroLabel);
    };
  }

  static Stream<Property> properties() {
    return Stream.of(Property.values());
  }

  @ParameterizedTest
  @MethodSource("properties")
  void binary(Property p) {
    for (Object v : samples(p)) {
      StateFrame f = new StateFrame(T0, 42, List.of(new Reading(p, T0, v)), 0);
      assertEquals(f, BinaryStateDecoder.decode(BinaryStateEncoder.encode(f), NOW), p + " " + v);
    }
  }

  @ParameterizedTest
  @MethodSource("properties")
  void json(Property p) {
    for (Object v : samples(p)) {
      StateFrame f = new StateFrame(T0, 42, List.of(new Reading(p, T0, v)), 0);
      assertEquals(f, JsonStateDecoder.decode(StateJson.encodeFrame(f), NOW), p + " " + v);
      StateFrame own = new StateFrame(T0, StateFrame.NO_SEQ, List.of(new Reading(p, T0 - 61_000, v)), 0);
      assertEquals(own, JsonStateDecoder.decode(StateJson.encodeFrame(own), NOW), p + " " + v);
    }
  }

  @Test
  void allPropertiesInOneFrame() {
    List<Reading> all = new ArrayList<>();
    for (Property p : Property.values()) {
      all.add(new Reading(p, T0, samples(p).get(1)));
    }
    StateFrame f = new StateFrame(T0, 0, List.copyOf(all), 0);
    assertEquals(f, BinaryStateDecoder.decode(BinaryStateEncoder.encode(f), NOW));
    assertEquals(f, JsonStateDecoder.decode(StateJson.encodeFrame(f), NOW));
  }
}
