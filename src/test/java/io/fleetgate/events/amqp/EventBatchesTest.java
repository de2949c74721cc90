package io.fleetgate.events.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.events.Event;
import io.fleetgate.events.EventType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** How queued events become batch messages: one fleet and type each, bounded, never reordering a vehicle's events. */
class EventBatchesTest {
  private int next;

  private Event event(String fleet, EventType type, String vehicle) {
    next++;
    return new Event("m" + next, type, 1_700_000_000_000L + next, "flow-" + next, fleet, vehicle,
        new JsonObject().put("vehicle_id", vehicle).put("n", next));
  }

  private static List<String> ids(List<Event> batch) {
    return batch.stream().map(Event::messageId).toList();
  }

  @Test
  void eventsOfOneFleetAndTypeFillBatchesUpToTheBoundInOrder() {
    List<Event> queue = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      queue.add(event("a", EventType.VEHICLE_STATE_RECORDED, "v" + (i % 3)));
    }
    List<List<Event>> batches = EventBatches.group(queue, 4, Function.identity());
    assertEquals(List.of(List.of("m1", "m2", "m3", "m4"), List.of("m5", "m6", "m7", "m8"), List.of("m9", "m10")),
        batches.stream().map(EventBatchesTest::ids).toList());
  }

  @Test
  void anOwnersAndAPartnersEventsOfASharedVehicleAlternatingInTheQueueFillOneBatchEach() {
    List<Event> queue = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      queue.add(event("owner", EventType.VEHICLE_STATE_RECORDED, "v"));
      queue.add(event("partner", EventType.VEHICLE_STATE_RECORDED, "v"));
    }
    List<List<Event>> batches = EventBatches.group(queue, 32, Function.identity());
    assertEquals(2, batches.size());
    assertEquals(List.of("m1", "m3", "m5", "m7"), ids(batches.get(0)));
    assertEquals(List.of("m2", "m4", "m6", "m8"), ids(batches.get(1)));
  }

  @Test
  void aVehiclesEventOfAnotherTypeIsNeverOvertakenByItsLaterEvents() {
    // v: state, changed, state: the second state must not join the first batch (it would overtake "changed")
    Event s1 = event("a", EventType.VEHICLE_STATE_RECORDED, "v");
    Event w1 = event("a", EventType.VEHICLE_STATE_RECORDED, "w");
    Event c = event("a", EventType.VEHICLE_CHANGED, "v");
    Event s2 = event("a", EventType.VEHICLE_STATE_RECORDED, "v");
    Event w2 = event("a", EventType.VEHICLE_STATE_RECORDED, "w");
    List<List<Event>> batches = EventBatches.group(List.of(s1, w1, c, s2, w2), 32, Function.identity());
    // s2 opens a new batch of the type, which w2 then joins
    assertEquals(List.of(List.of("m1", "m2"), List.of("m3"), List.of("m4", "m5")), batches.stream().map(EventBatchesTest::ids).toList());
    assertOrderPerVehicleAndFleet(List.of(s1, w1, c, s2, w2), batches);
  }

  @Test
  void randomQueuesKeepEveryEventOnceInOrderPerVehicleAndFleetWithinTheBound() {
    java.util.Random random = new java.util.Random(13);
    EventType[] types = EventType.values();
    for (int round = 0; round < 200; round++) {
      List<Event> queue = new ArrayList<>();
      int n = 1 + random.nextInt(300);
      for (int i = 0; i < n; i++) {
        queue.add(event("f" + random.nextInt(3), types[random.nextInt(3)], "v" + random.nextInt(5)));
      }
      int max = 1 + random.nextInt(20);
      List<List<Event>> batches = EventBatches.group(queue, max, Function.identity());
      int total = 0;
      for (List<Event> b : batches) {
        total += b.size();
        assertEquals(true, b.size() >= 1 && b.size() <= max, "within the bound");
        assertEquals(1, b.stream().map(e -> e.fleetId() + "." + e.type()).distinct().count(), "one routing key");
      }
      assertEquals(n, total, "every event once");
      assertOrderPerVehicleAndFleet(queue, batches);
    }
  }

  private static void assertOrderPerVehicleAndFleet(List<Event> queue, List<List<Event>> batches) {
    Map<String, List<String>> expected = new HashMap<>();
    queue.forEach(e -> expected.computeIfAbsent(e.fleetId() + "/" + e.vehicleId(), k -> new ArrayList<>()).add(e.messageId()));
    Map<String, List<String>> published = new HashMap<>();
    batches.forEach(b -> b.forEach(e -> published.computeIfAbsent(e.fleetId() + "/" + e.vehicleId(), k -> new ArrayList<>())
        .add(e.messageId())));
    assertEquals(expected, published);
  }

  @Test
  void aBatchBodyIsTheEnvelopesInOrderUnderEvents() {
    Event a = event("a", EventType.VEHICLE_STATE_RECORDED, "v");
    Event b = event("a", EventType.VEHICLE_STATE_RECORDED, "w \"quoted\" ü");
    JsonObject body = new JsonObject(new String(AmqpMessages.batchBody(List.of(a.jsonBytes(), b.jsonBytes())), StandardCharsets.UTF_8));
    assertEquals(new JsonObject().put("events", new JsonArray().add(a.envelope()).add(b.envelope())), body);
    assertEquals(new JsonObject().put("events", new JsonArray().add(a.envelope())),
        new JsonObject(new String(AmqpMessages.batchBody(List.of(a.jsonBytes())), StandardCharsets.UTF_8)));
  }

  @Test
  void aBatchMessageHasItsOwnIdTheSharedTypeAndTheCount() {
    Event a = event("acme", EventType.VEHICLE_CHANGED, "v");
    var props = AmqpMessages.batchProperties("01BATCH", a, 3);
    assertEquals("application/vnd.fleetgate.events+json", props.getContentType());
    assertEquals("01BATCH", props.getMessageId());
    assertEquals("VehicleChanged", props.getType());
    assertEquals(2, props.getDeliveryMode());
    assertEquals(a.occurredAtMs(), props.getTimestamp().getTime());
    assertEquals(Map.of("fleet_id", "acme", "version", "1.0.0", "x-fleetgate-batch", 3), props.getHeaders());
  }
}
