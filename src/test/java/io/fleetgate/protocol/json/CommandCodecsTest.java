package io.fleetgate.protocol.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetgate.protocol.CommandResult;
import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.FrameException.Reason;
import io.fleetgate.protocol.Hex;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandCodecsTest {
  static final UUID ID = UUID.fromString("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
  static final long NOW = 1_795_255_200_000L;

  static byte[] json(String s) {
    return s.replace('\'', '"').getBytes(UTF_8);
  }

  @Test
  void commandMessageByExactBytes() {
    byte[] out = CommandMessageEncoder.encode(ID, "UNLOCK_CENTRAL_LOCK", NOW + 30_000);
    assertEquals("{\"id\":\"3f2504e0-4f89-11d3-9a0c-0305e82c3301\",\"command\":\"UNLOCK_CENTRAL_LOCK\","
        + "\"expires_at\":\"2026-11-21T10:00:30Z\"}", new String(out, UTF_8));
    assertEquals("7B226964223A22", Hex.of(out).substring(0, 14));
    assertThrows(IllegalArgumentException.class, () -> CommandMessageEncoder.encode(ID, "SELF_DESTRUCT", NOW));
  }

  @Test
  void resultWithStateStampedNowUnlessOwnTimestamp() {
    CommandResult r = CommandResultDecoder.decode(json("{'id': '3F2504E0-4F89-11D3-9A0C-0305E82C3301', "
        + "'status': 'SUCCEEDED', 'state': {'central_lock': 'UNLOCKED', "
        + "'driving_enabled': {'value': true, 'timestamp': " + (NOW - 5) + "}}}"), NOW);
    assertEquals(new CommandResult(ID, CommandResult.SUCCEEDED, null, List.of(
        new Reading(Property.CENTRAL_LOCK, NOW, "UNLOCKED"),
        new Reading(Property.DRIVING_ENABLED, NOW - 5, true))), r);
  }

  @Test
  void resultWithDetailOnly() {
    assertEquals(new CommandResult(ID, CommandResult.REJECTED, "vehicle in motion", List.of()),
        CommandResultDecoder.decode(json("{'status': 'REJECTED', 'detail': 'vehicle in motion', "
            + "'id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301'}"), NOW));
    assertEquals(new CommandResult(ID, CommandResult.FAILED, null, List.of()), CommandResultDecoder.decode(
        json("{'id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'status': 'FAILED', 'detail': null}"), NOW));
  }

  /** One bad result per line: reason | result. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      MALFORMED_JSON     | {'id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'status': 'FAILED'
      MISSING_FIELD      | {'status': 'FAILED'}
      MISSING_FIELD      | {'id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301'}
      BAD_ID             | {'id': '1-1-1-1-1', 'status': 'FAILED'}
      BAD_ID             | {'id': '3f2504e0x4f89-11d3-9a0c-0305e82c3301', 'status': 'FAILED'}
      BAD_ID             | {'id': '3f2504e0-4f89-11d3-9a0c-0305e82c330g', 'status': 'FAILED'}
      OUT_OF_RANGE       | {'id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'status': 'succeeded'}
      WRONG_TYPE         | {'id': 7, 'status': 'FAILED'}
      WRONG_TYPE         | {'id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'status': 'FAILED', 'detail': 1}
      UNKNOWN_FIELD      | {'id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'status': 'FAILED', 'code': 1}
      UNKNOWN_PROPERTY   | {'id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'status': 'FAILED', 'state': {'x': 1}}
      DUPLICATE_PROPERTY | {'id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'status': 'FAILED', 'status': 'FAILED'}
      FUTURE_TIMESTAMP   | {'id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'status': 'FAILED', 'state': {'doors': {'value': 'OPEN', 'timestamp': 1895255200000}}}
      TRAILING_BYTES     | {'id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301', 'status': 'FAILED'} []
      """)
  void rejectsBadResults(Reason reason, String result) {
    FrameException e = assertThrows(FrameException.class, () -> CommandResultDecoder.decode(json(result), NOW));
    assertEquals(reason, e.reason(), e.getMessage());
  }

  @Test
  void emptyResult() {
    assertEquals(Reason.EMPTY,
        assertThrows(FrameException.class, () -> CommandResultDecoder.decode(new byte[0], NOW)).reason());
  }
}
