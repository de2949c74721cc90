package io.fleetgate.protocol.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonParser;
import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.FrameException.Reason;
import io.fleetgate.protocol.Plausibility;
import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonStateDecoderTest {
  static final long TS = Instant.parse("2026-11-21T10:15:30.250Z").toEpochMilli();
  static final long NOW = TS + 60_000;

  /** JSON with single quotes for readability. */
  static byte[] json(String s) {
    return s.replace('\'', '"').getBytes(UTF_8);
  }

  static StateFrame decode(String s) {
    return Plausibility.check(JsonStateDecoder.decode(json(s), NOW), NOW);
  }

  @Test
  void contractExample() {
    StateFrame f = decode("""
        {"ts": "2026-11-21T10:15:30.250Z", "seq": 1842,
         "state": {"position": {"lat": 52.5200, "lon": 13.4050}, "central_lock": "LOCKED",
                   "mileage_in_kilometers": {"value": 10234.5, "timestamp": "2026-11-21T10:15:29Z"}}}
        """);
    assertEquals(new StateFrame(TS, 1842, List.of(
        new Reading(Property.POSITION, TS, new Position(52.52, 13.405)),
        new Reading(Property.CENTRAL_LOCK, TS, "LOCKED"),
        new Reading(Property.MILEAGE_IN_KILOMETERS, Instant.parse("2026-11-21T10:15:29Z").toEpochMilli(), 10234.5)),
        0), f);
  }

  @Test
  void epochMillisOffsetsAndKeyOrder() {
    StateFrame f = decode("{'state': {'ignition': 'ON', 'speed_in_kilometers_per_hour': 0}, 'ts': " + TS + "}");
    assertEquals(new StateFrame(TS, StateFrame.NO_SEQ, List.of(new Reading(Property.IGNITION, TS, "ON"),
        new Reading(Property.SPEED_IN_KILOMETERS_PER_HOUR, TS, 0.0)), 0), f);
    assertEquals(TS, decode("{'ts': '2026-11-21T11:15:30.250+01:00', 'state': {}}").timestampMs());
    StateFrame wrapped = decode("{'ts': 0, 'state': {'position': {'timestamp': " + TS
        + ", 'value': {'lon': 13.405, 'lat': 52.52}}, 'driving_enabled': {'value': false}}}");
    assertEquals(List.of(new Reading(Property.POSITION, TS, new Position(52.52, 13.405)),
        new Reading(Property.DRIVING_ENABLED, 0, false)), wrapped.readings());
  }

  @Test
  void labelsAreTheCanonicalInstances() {
    StateFrame f = decode("{'ts': 1, 'state': {'doors': 'OPEN', 'charging_status': 'NOT_CHARGING'}}");
    org.junit.jupiter.api.Assertions.assertSame(Property.DOORS.oneLabel, f.readings().get(0).value());
    org.junit.jupiter.api.Assertions.assertSame(Property.CHARGING_STATUS.zeroLabel, f.readings().get(1).value());
  }

  @Test
  void decodesASliceOfALargerBuffer() {
    byte[] whole = json("xx{'ts': 1, 'seq': 0, 'state': {'cellular_signal_quality': 4}}yy");
    StateFrame f = JsonStateDecoder.decode(whole, 2, whole.length - 4, NOW);
    assertEquals(List.of(new Reading(Property.CELLULAR_SIGNAL_QUALITY, 1, 4.0)), f.readings());
  }

  @Test
  void decodeStateLeavesTheParserOnItsEndObject() throws Exception {
    try (JsonParser p = JsonStateDecoder.FACTORY.createParser(json("{'central_lock': 'UNLOCKED'} 7"))) {
      p.nextToken();
      assertEquals(List.of(new Reading(Property.CENTRAL_LOCK, 5, "UNLOCKED")), JsonStateDecoder.decodeState(p, 5, NOW));
      assertEquals(7, p.nextIntValue(0));
    }
  }

  /** One bad frame per line: reason | frame (single quotes for double). */
  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      EMPTY              | <nothing>
      EMPTY              | <spaces>
      MALFORMED_JSON     | {'ts': 1, 'state': {}
      MALFORMED_JSON     | [1, 2]
      MALFORMED_JSON     | {'ts': 1, 'state': {'central_lock': LOCKED}}
      MALFORMED_JSON     | {'ts': 1 'state': {}}
      TRAILING_BYTES     | {'ts': 1, 'state': {}} {}
      MISSING_FIELD      | {'state': {}}
      MISSING_FIELD      | {'ts': 1}
      MISSING_FIELD      | {'ts': 1, 'state': {'position': {'lat': 1}}}
      MISSING_FIELD      | {'ts': 1, 'state': {'position': {}}}
      MISSING_FIELD      | {'ts': 1, 'state': {'doors': {'timestamp': 1}}}
      UNKNOWN_FIELD      | {'ts': 1, 'state': {}, 'extra': 1}
      UNKNOWN_FIELD      | {'ts': 1, 'state': {'doors': {'value': 'OPEN', 'ts': 1}}}
      UNKNOWN_FIELD      | {'ts': 1, 'state': {'position': {'lat': 1, 'lon': 2, 'alt': 3}}}
      UNKNOWN_PROPERTY   | {'ts': 1, 'state': {'life_status': 'ONLINE'}}
      UNKNOWN_PROPERTY   | {'ts': 1, 'state': {'Central_Lock': 'LOCKED'}}
      DUPLICATE_PROPERTY | {'ts': 1, 'state': {'doors': 'OPEN', 'doors': 'CLOSED'}}
      DUPLICATE_PROPERTY | {'ts': 1, 'ts': 2, 'state': {}}
      DUPLICATE_PROPERTY | {'ts': 1, 'state': {'position': {'lat': 1, 'lat': 2, 'lon': 3}}}
      OUT_OF_RANGE       | {'ts': 1, 'state': {'central_lock': 'locked'}}
      OUT_OF_RANGE       | {'ts': 1, 'state': {'ignition': 'LOCKED'}}
      OUT_OF_RANGE       | {'ts': 1, 'state': {'speed_in_kilometers_per_hour': -0.1}}
      OUT_OF_RANGE       | {'ts': 1, 'state': {'heading_in_degrees': 360}}
      OUT_OF_RANGE       | {'ts': 1, 'state': {'state_of_charge_or_fuel_level_in_percent': 100.5}}
      OUT_OF_RANGE       | {'ts': 1, 'state': {'cellular_signal_quality': 6}}
      OUT_OF_RANGE       | {'ts': 1, 'state': {'cellular_signal_quality': 2.5}}
      OUT_OF_RANGE       | {'ts': 1, 'state': {'position': {'lat': 90.0001, 'lon': 0}}}
      OUT_OF_RANGE       | {'ts': 1, 'state': {'position': {'lat': 0, 'lon': -180.5}}}
      OUT_OF_RANGE       | {'ts': 1, 'state': {'mileage_in_kilometers': 1e999}}
      OUT_OF_RANGE       | {'ts': 1, 'seq': -1, 'state': {}}
      OUT_OF_RANGE       | {'ts': 1, 'seq': 4294967296, 'state': {}}
      WRONG_TYPE         | {'ts': 1, 'state': {'speed_in_kilometers_per_hour': '12'}}
      WRONG_TYPE         | {'ts': 1, 'state': {'driving_enabled': 'true'}}
      WRONG_TYPE         | {'ts': 1, 'state': {'driving_enabled': 1}}
      WRONG_TYPE         | {'ts': 1, 'state': {'central_lock': null}}
      WRONG_TYPE         | {'ts': 1, 'state': {'central_lock': {'value': ['LOCKED']}}}
      WRONG_TYPE         | {'ts': 1, 'state': {'position': [52.5, 13.4]}}
      WRONG_TYPE         | {'ts': 1, 'state': {'position': {'lat': '52.5', 'lon': 13.4}}}
      WRONG_TYPE         | {'ts': 1, 'state': []}
      WRONG_TYPE         | {'ts': 1, 'seq': 1.5, 'state': {}}
      WRONG_TYPE         | {'ts': true, 'state': {}}
      BAD_TIMESTAMP      | {'ts': '2026-11-21T10:15:30', 'state': {}}
      BAD_TIMESTAMP      | {'ts': '2026-02-29T10:15:30Z', 'state': {}}
      BAD_TIMESTAMP      | {'ts': '21.11.2026 10:15', 'state': {}}
      BAD_TIMESTAMP      | {'ts': -1, 'state': {}}
      BAD_TIMESTAMP      | {'ts': 1.5, 'state': {}}
      BAD_TIMESTAMP      | {'ts': 99999999999999999999, 'state': {}}
      BAD_TIMESTAMP      | {'ts': 1, 'state': {'doors': {'value': 'OPEN', 'timestamp': 'yesterday'}}}
      FUTURE_TIMESTAMP   | {'ts': '2026-11-21T10:21:30.251Z', 'state': {}}
      FUTURE_TIMESTAMP   | {'ts': 1, 'state': {'doors': {'value': 'OPEN', 'timestamp': '2027-01-01T00:00:00Z'}}}
      """)
  void rejectsBadFramesWhole(Reason reason, String line) {
    String frame = line.replace("<nothing>", "").replace("<spaces>", " \r\n\t ");
    FrameException e = assertThrows(FrameException.class, () -> JsonStateDecoder.decode(json(frame), NOW));
    assertEquals(reason, e.reason(), e.getMessage());
  }

  @Test
  void theFutureStartsFiveMinutesAfterNow() {
    assertEquals(NOW + 300_000, decode("{'ts': " + (NOW + 300_000) + ", 'state': {}}").timestampMs());
  }
}
