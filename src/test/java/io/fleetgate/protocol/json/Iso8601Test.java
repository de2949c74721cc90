package io.fleetgate.protocol.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.FrameException.Reason;
import java.time.OffsetDateTime;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Iso8601Test {

  @ParameterizedTest
  @ValueSource(strings = {"2026-11-21T10:15:30.250Z", "2026-11-21T10:15:30Z", "2026-11-21t10:15:30z",
      "2026-11-21T10:15Z", "2026-11-21T11:15:30.25+01:00", "2026-11-21T05:45:30.250123456-04:30",
      "1970-01-01T00:00:00Z", "2000-02-29T23:59:59.999Z", "1969-12-31T23:59:59Z", "2026-11-21T10:15:30+0100",
      "2026-11-21T10:15:30+01", "9999-12-31T23:59:59.999-18:00", "0001-01-01T00:00:00Z"})
  void agreesWithJavaTime(String s) {
    long expected = OffsetDateTime.parse(s.replace('t', 'T').replace('z', 'Z').replace("+0100", "+01:00")
        .replace("+01", "+01:00").replace("+01:00:00", "+01:00")).toInstant().toEpochMilli();
    assertEquals(expected, Iso8601.parse(s), s);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "2026-11-21", "2026-11-21T10:15:30", "2026-11-21 10:15:30Z", "2026-13-01T00:00:00Z",
      "2026-04-31T00:00:00Z", "2100-02-29T00:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21T10:60:00Z",
      "2026-11-21T10:15:60Z", "2026-11-21T10:15:30.Z", "2026-11-21T10:15:30.1234567890Z", "2026-11-21T10:15:30+19:00",
      "2026-11-21T10:15:30+01:60", "2026-11-21T10:15:30Z ", "+2026-11-21T10:15:30Z", "2026-11-2TT10:15:30Z",
      "2026-11-21T10:15:30UTC", "2026-11-21T10:15:30+1"})
  void rejects(String s) {
    assertEquals(Reason.BAD_TIMESTAMP, assertThrows(FrameException.class, () -> Iso8601.parse(s)).reason(), s);
  }

  @Test
  void formatsUtcWithMillisOnlyWhenNotZero() {
    assertEquals("2026-11-21T10:15:30.250Z", Iso8601.format(1_795_256_130_250L));
    assertEquals("2026-11-21T10:00:00Z", Iso8601.format(1_795_255_200_000L));
  }

  @Test
  void formatThenParseIsIdentity() {
    Random rnd = new Random(1);
    for (int i = 0; i < 10_000; i++) {
      long ms = (long) (rnd.nextDouble() * 253_402_300_799_999L);
      assertEquals(ms, Iso8601.parse(Iso8601.format(ms)));
    }
  }

  @Test
  void fastFormatMatchesInstantToString() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(42);
    long[] edges = {0, -1, 1, 999, 1000, -62_167_219_200_000L, 253_402_300_799_999L, 253_402_300_800_000L,
        -62_167_219_200_001L, 951_782_400_000L /* 2000-02-29 */, 4_107_542_400_000L /* 2100-03-01 */, Long.MAX_VALUE / 1000};
    for (long ms : edges) {
      assertEquals(java.time.Instant.ofEpochMilli(ms).toString(), Iso8601.format(ms), "at " + ms);
    }
    for (int k = 0; k < 200_000; k++) {
      long ms = rnd.nextLong(-70_000_000_000_000L, 260_000_000_000_000L);
      if (k % 3 == 0) {
        ms -= ms % 1000; // whole seconds: no fraction
      }
      assertEquals(java.time.Instant.ofEpochMilli(ms).toString(), Iso8601.format(ms), "at " + ms);
    }
  }
}
