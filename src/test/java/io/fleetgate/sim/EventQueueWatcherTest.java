package io.fleetgate.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.events.Event;
import io.fleetgate.events.EventType;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventQueueWatcherTest {

  @Test
  void readsFleetAndOccurredAtOfTheMetadata() {
    Event e = new Event("01JD4Q3M7R8X9V2B5N6C0K1H2G", EventType.VEHICLE_STATE_RECORDED, 1_795_256_130_250L, "flow",
        "acme-berlin", "veh-1", new JsonObject().put("vehicle_id", "veh-1").put("state", new JsonObject()));
    assertArrayEquals(new String[] {"acme-berlin", "2026-11-21T10:15:30.250Z"}, EventQueueWatcher.metadata(e.jsonBytes()));
    // data first, nested objects skipped
    byte[] other = "{\"data\":{\"metadata\":{\"fleet_id\":\"x\"}},\"metadata\":{\"extra\":[1,{\"a\":2}],\"fleet_id\":\"f\"}}"
        .getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(new String[] {"f", null}, EventQueueWatcher.metadata(other));
    assertArrayEquals(new String[] {null, null}, EventQueueWatcher.metadata("not json".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void readsEveryEnvelopeOfABatchMessage() {
    Event a = new Event("01JD4Q3M7R8X9V2B5N6C0K1H2G", EventType.VEHICLE_STATE_RECORDED, 1_795_256_130_250L, "flow",
        "acme-berlin", "veh-1", new JsonObject().put("vehicle_id", "veh-1").put("state", new JsonObject()));
    Event b = new Event("01JD4Q3M7R8X9V2B5N6C0K1H2H", EventType.VEHICLE_STATE_RECORDED, 1_795_256_130_251L, "flow",
        "acme-berlin", "veh-2", new JsonObject().put("vehicle_id", "veh-2").put("state", new JsonObject()));
    java.util.List<String[]> got = EventQueueWatcher.envelopes(
        io.fleetgate.events.amqp.AmqpMessages.batchBody(java.util.List.of(a.jsonBytes(), b.jsonBytes())));
    assertEquals(2, got.size());
    assertArrayEquals(new String[] {"acme-berlin", "2026-11-21T10:15:30.250Z"}, got.get(0));
    assertArrayEquals(new String[] {"acme-berlin", "2026-11-21T10:15:30.251Z"}, got.get(1));
    assertEquals(0, EventQueueWatcher.envelopes("[1]".getBytes(StandardCharsets.UTF_8)).size());
  }
}
