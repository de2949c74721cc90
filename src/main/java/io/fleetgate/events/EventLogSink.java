package io.fleetgate.events;

import io.vertx.core.Future;

/**
 * Feeds the {@link EventLog}: an {@link EventSink} that wants every logged type for every fleet and never
 * state events, so that the ingest path (state frames) never renders an event for it. Best effort, like the
 * streams: its future completes at once.
 */
public final class EventLogSink implements EventSink {
  private final EventLog log;

  public EventLogSink(EventLog log) {
    this.log = log;
  }

  @Override
  public boolean wants(String fleetId, EventType type, String vehicleId) {
    return EventLog.logged(type);
  }

  @Override
  public Future<Void> deliver(Event event) {
    if (EventLog.logged(event.type())) {
      log.append(event);
    }
    return Future.succeededFuture();
  }
}
