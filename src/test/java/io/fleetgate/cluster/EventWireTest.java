package io.fleetgate.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fleetgate.events.Event;
import io.fleetgate.events.EventType;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** An event crosses nodes as it was rendered: same envelope bytes, same fields the streams filter on. */
class EventWireTest {

  @Test
  void roundTripKeepsTheEnvelopeAndTheFilteredFields() {
    Event e = new Event("01JDQ3Z6X1V4M2K8R5T7W9Y0AB", EventType.VEHICLE_CHANGED, 1_733_000_000_123L, "flow-é",
        "fleet-1", "VEH1", new JsonObject().put("vehicle_id", "VEH1").put("note", "ü ✓ 𝄞"));
    Buffer wire = EventWire.encode("node-a", e);
    assertEquals("node-a", EventWire.origin(wire));
    Event back = EventWire.decode("fleet-1", wire);
    assertEquals(e.messageId(), back.messageId());
    assertEquals(e.type(), back.type());
    assertEquals(e.occurredAtMs(), back.occurredAtMs());
    assertEquals(e.flowId(), back.flowId());
    assertEquals("fleet-1", back.fleetId());
    assertEquals("VEH1", back.vehicleId());
    assertArrayEquals(e.jsonBytes(), back.jsonBytes());
    assertEquals(e.json(), back.json());
    assertEquals(e.envelope(), back.envelope());
  }

  @Test
  void nullFlowAndVehicleSurvive() {
    Event e = new Event("01JDQ3Z6X1V4M2K8R5T7W9Y0AC", EventType.VEHICLE_STATE_RECORDED, 5, null, "f", null, new JsonObject());
    Event back = EventWire.decode("f", EventWire.encode("n", e));
    assertNull(back.flowId());
    assertNull(back.vehicleId());
    assertEquals(e.json(), back.json());
  }
}
