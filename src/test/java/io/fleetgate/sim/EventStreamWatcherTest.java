package io.fleetgate.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.fleetgate.protocol.json.Iso8601;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventStreamWatcherTest {

  private static long[] times(String envelope) {
    return EventStreamWatcher.times(envelope.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsOccurredAtAndTheNewestReadingTimestamp() {
    String env = "{\"metadata\": {\"message_id\": \"m\", \"occurred_at\": \"2026-11-21T10:15:30.300Z\", \"tags\": [1, {}]},"
        + " \"data\": {\"vehicle_id\": \"v\", \"state\": {"
        + "\"speed_in_kilometers_per_hour\": {\"timestamp\": \"2026-11-21T10:15:30.250Z\", \"value\": 42.7},"
        + "\"position\": {\"value\": {\"lat\": 1, \"lon\": 2}, \"timestamp\": \"2026-11-21T10:15:30.260Z\"}}}}";
    assertArrayEquals(new long[] {Iso8601.parse("2026-11-21T10:15:30.300Z"), Iso8601.parse("2026-11-21T10:15:30.260Z")},
        times(env));
  }

  @Test
  void missingPartsAreMinusOne() {
    assertArrayEquals(new long[] {Iso8601.parse("2026-11-21T10:15:30.300Z"), -1},
        times("{\"metadata\": {\"occurred_at\": \"2026-11-21T10:15:30.300Z\"}, \"data\": {\"vehicle_id\": \"v\"}}"));
    assertArrayEquals(new long[] {-1, -1}, times("{\"data\": 3}"));
  }

  @Test
  void garbageIsUnreadable() {
    assertArrayEquals(new long[] {-1, -1}, times("not json"));
    assertArrayEquals(new long[] {-1, -1}, times("{\"metadata\": {\"occurred_at\": \"yesterday\"}}"));
    assertArrayEquals(new long[] {-1, -1}, times("{\"metadata\": {"));
  }
}
