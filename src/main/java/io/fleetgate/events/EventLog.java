package io.fleetgate.events;

import io.vertx.core.Future;
import java.util.List;
import java.util.Set;

/**
 * The fleet's event log ({@code GET /events}, the resume of a stream): every event a fleet received except
 * {@code VehicleStateRecorded}, as the envelope it received, ordered by message id (a ULID: the order of
 * publication on this node). Appending is best effort and never blocks: the log must not slow what
 * published the event. In memory (a bounded ring per fleet) or in PostgreSQL.
 */
public interface EventLog {

  /** Whether events of this type are logged at all (state events never are). */
  static boolean logged(EventType type) {
    return type != EventType.VEHICLE_STATE_RECORDED;
  }

  /** One logged event: what the listing filters on, and the envelope as the fleet received it. */
  record Entry(String messageId, EventType type, String vehicleId, long occurredAtMs, String json) {
    public static Entry of(Event e) {
      return new Entry(e.messageId(), e.type(), e.vehicleId(), e.occurredAtMs(), e.json());
    }
  }

  /**
   * What to list: one fleet's events, optionally only some types (empty = all), one vehicle, an
   * {@code occurred_at} window (inclusive, epoch ms; {@link Long#MIN_VALUE}/{@link Long#MAX_VALUE} for
   * none) and message ids strictly between {@code afterId} and {@code beforeId} (null = unbounded).
   */
  record Query(String fleetId, Set<EventType> types, String vehicleId, long fromMs, long toMs, String afterId,
      String beforeId, int limit) {
    public boolean matches(Entry e, long oldestMs) {
      return e.occurredAtMs() >= oldestMs && e.occurredAtMs() >= fromMs && e.occurredAtMs() <= toMs
          && (types.isEmpty() || types.contains(e.type())) && (vehicleId == null || vehicleId.equals(e.vehicleId()))
          && (afterId == null || e.messageId().compareTo(afterId) > 0)
          && (beforeId == null || e.messageId().compareTo(beforeId) < 0);
    }
  }

  /** Any thread, never blocks: logs the event if its type is logged (best effort, see the implementations). */
  void append(Event event);

  /** At most {@code limit} matching events, newest first. */
  Future<List<Entry>> newestFirst(Query query);

  /** At most {@code limit} matching events, oldest first (the replay of a resumed stream). */
  Future<List<Entry>> oldestFirst(Query query);

  /** Deletes events that occurred before {@code beforeMs}; the number deleted (0 where the log bounds itself). */
  Future<Long> purge(long beforeMs);

  /** Writes what is buffered (a stop); completes, never fails, once done or given up. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
