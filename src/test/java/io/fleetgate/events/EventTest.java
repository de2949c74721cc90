package io.fleetgate.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventTest {

  private static Event event(JsonObject data, long atMs) {
    return new Event("01JD4Q3M7R8X9V2B5N6C0K1H2G", EventType.VEHICLE_STATE_RECORDED, atMs, "6f1c-flow", "acme-berlin",
        "veh-1", data);
  }

  @Test
  void streamingRenderingIsTheTextOfTheVertxEncoding() {
    JsonObject data = new JsonObject()
        .put("vehicle_id", "veh-1")
        .put("state", new JsonObject()
            .put("central_lock", new JsonObject().put("timestamp", "2026-11-21T10:15:30.250Z").put("value", "LOCKED"))
            .put("mileage", new JsonObject().put("timestamp", "2026-11-21T10:15:30Z").put("value", 12345L))
            .put("fuel", new JsonObject().put("value", 41.5).put("n", 7).put("f", 1.25f))
            .put("position", new JsonObject().put("value", new JsonObject().put("lat", 52.52).put("lon", 13.405)))
            .put("ignition", new JsonObject().put("value", true).put("none", (Object) null)))
        .put("reasons", new JsonArray().add("SHARING_STARTED").add(new JsonArray().add(1).add(false)))
        .put("text", "quote \" backslash \\ newline \n umlaut ä emoji \uD83D\uDE97 control \u0001");
    for (long at : new long[] {1_795_256_130_250L, 1_795_255_200_000L}) {
      Event e = event(data, at);
      String vertx = e.envelope().encode();
      assertEquals(vertx, e.json());
      assertArrayEquals(vertx.getBytes(StandardCharsets.UTF_8), e.jsonBytes());
      assertEquals(new JsonObject(vertx), new JsonObject(e.json()));
    }
  }

  @Test
  void valuesTheWalkDoesNotKnowFallBackToVertx() {
    JsonObject data = new JsonObject().put("at", java.time.Instant.ofEpochMilli(0)).put("raw", new byte[] {1, 2});
    Event e = event(data, 0);
    assertEquals(e.envelope().encode(), e.json());
  }

  @Test
  void flowIdsAreVersion4Uuids() {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      java.util.UUID u = java.util.UUID.fromString(Flows.newId());
      assertEquals(4, u.version());
      assertEquals(2, u.variant());
      seen.add(u.toString());
    }
    assertEquals(10_000, seen.size());
  }
}
