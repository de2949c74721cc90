package io.fleetgate.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetgate.protocol.FrameException.Reason;
import io.fleetgate.protocol.binary.BinaryStateDecoder;
import io.fleetgate.protocol.json.CommandResultDecoder;
import io.fleetgate.protocol.json.JsonStateDecoder;
import java.util.EnumSet;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Every reason is reachable from some bad frame, and each has a stable metrics label. */
class FrameExceptionTest {
  static final long NOW = 1_795_255_200_000L;

  @Test
  void everyReasonHasABadFrame() {
    Function<String, Reason> json = s -> assertThrows(FrameException.class,
        () -> JsonStateDecoder.decode(s.replace('\'', '"').getBytes(UTF_8), NOW)).reason();
    Function<String, Reason> bin = s -> assertThrows(FrameException.class,
        () -> BinaryStateDecoder.decode(Hex.bytes(s), NOW)).reason();
    Function<String, Reason> result = s -> assertThrows(FrameException.class,
        () -> CommandResultDecoder.decode(s.replace('\'', '"').getBytes(UTF_8), NOW)).reason();
    Map<Reason, Reason> seen = new java.util.EnumMap<>(Reason.class);
    for (Reason r : new Reason[] {
        json.apply(""), json.apply("{'ts':"), json.apply("{'ts': 1, 'state': {'speed': 1}}"),
        json.apply("{'ts': 1, 'state': {}, 'x': 0}"), json.apply("{'ts': 1}"),
        json.apply("{'ts': 1, 'state': {'doors': 'OPEN', 'doors': 'OPEN'}}"),
        json.apply("{'ts': 1, 'state': {'doors': 'AJAR'}}"), json.apply("{'ts': 1, 'state': {'doors': true}}"),
        json.apply("{'ts': 1895255200000, 'state': {}}"), json.apply("{'ts': 'now', 'state': {}}"),
        result.apply("{'id': 'x', 'status': 'FAILED'}"), bin.apply("02"), bin.apply("01 0000000000000001 00000000 01 0802 0000"),
        bin.apply("01 0000000000000001 00000000 01 08"), bin.apply("01 0000000000000001 00000000 00 FF")}) {
      seen.put(r, r);
    }
    assertEquals(EnumSet.allOf(Reason.class), seen.keySet());
  }

  @Test
  void labelsAndNoStackTrace() {
    assertEquals("malformed_json", Reason.MALFORMED_JSON.label());
    assertEquals("future_timestamp", Reason.FUTURE_TIMESTAMP.label());
    FrameException e = new FrameException(Reason.BAD_LENGTH, "central_lock has length 2, not 1 at offset 15");
    assertEquals(0, e.getStackTrace().length);
    assertEquals("bad_length: central_lock has length 2, not 1 at offset 15", e.getMessage());
    assertEquals("central_lock has length 2, not 1 at offset 15", e.detail());
  }
}
