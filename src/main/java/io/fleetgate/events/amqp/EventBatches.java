package io.fleetgate.events.amqp;

import io.fleetgate.events.Event;
import io.fleetgate.events.EventType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Splits events taken from the publisher's queue (in the order they were delivered) into batch messages of
 * {@code amqp.batchEvents}: each batch holds events of one recipient fleet and one type, so that it keeps the
 * routing key {@code {fleet_id}.{type}} every consumer's queue is bound with.
 *
 * <p>Batches are published in the order they were opened. An event joins the open batch of its fleet and
 * type only if no later-opened batch holds an event of its vehicle for the same fleet; otherwise it opens a
 * new batch. So, per vehicle and recipient fleet, events are published in their order even across types
 * (e.g. a VehicleStateRecorded never overtakes an earlier VehicleChanged of its vehicle), and an owner's and a
 * partner's events of a shared vehicle, which alternate in the queue, still fill one batch each.
 */
final class EventBatches {
  private EventBatches() {}

  /** The batches of {@code items} (in queue order), each at most {@code max} long, in publishing order. */
  static <T> List<List<T>> group(List<T> items, int max, Function<T, Event> event) {
    List<List<T>> batches = new ArrayList<>();
    Map<Topic, Integer> open = new HashMap<>();
    Map<Stream, Integer> lastOfVehicle = new HashMap<>();
    for (T item : items) {
      Event e = event.apply(item);
      Topic topic = new Topic(e.fleetId(), e.type());
      Stream stream = new Stream(e.fleetId(), e.vehicleId());
      Integer i = open.get(topic);
      Integer last = lastOfVehicle.get(stream);
      if (i == null || batches.get(i).size() >= max || (last != null && last > i)) {
        i = batches.size();
        batches.add(new ArrayList<>(Math.min(max, 64)));
        open.put(topic, i);
      }
      batches.get(i).add(item);
      lastOfVehicle.put(stream, i);
    }
    return batches;
  }

  /** What a batch shares: the routing key. */
  private record Topic(String fleetId, EventType type) {}

  /** One vehicle's events as one recipient fleet gets them: the unit of ordering. */
  private record Stream(String fleetId, String vehicleId) {}
}
