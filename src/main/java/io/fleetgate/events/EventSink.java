package io.fleetgate.events;

import io.vertx.core.Future;

/**
 * Where events go: the in-process streams ({@link SseHub}) now, a RabbitMQ publisher with confirms later.
 * Both methods are called on whichever thread published and must not block.
 */
public interface EventSink {

  /** Cheap: whether this sink would take such an event for this fleet (nothing is rendered otherwise). */
  boolean wants(String fleetId, EventType type, String vehicleId);

  /**
   * Takes an event. The future completes once the event is safe by this sink's standard: at once for
   * best-effort sinks, on the broker's confirm for a broker; the ingest path acknowledges a frame only then.
   */
  Future<Void> deliver(Event event);

  /**
   * Whether this sink's buffer of unconfirmed events nears its bound, so that device sessions slow their
   * units down before {@link #deliver} has to refuse events. Called for every frame: cheap.
   */
  default boolean congested() {
    return false;
  }

  /** How many events may wait for this sink's confirm at most ({@link Integer#MAX_VALUE}: it holds none). */
  default int pendingCapacity() {
    return Integer.MAX_VALUE;
  }
}
