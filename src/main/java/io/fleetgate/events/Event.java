package io.fleetgate.events;

import io.fleetgate.protocol.json.Iso8601;
import io.vertx.core.json.JsonObject;

/**
 * One delivered message: the envelope of {@code events.md} for one recipient fleet. Immutable once built; its
 * JSON is rendered at most once, however many streams of that fleet take it.
 */
public final class Event {
  public static final String VERSION = "1.0.0";

  private final String messageId;
  private final EventType type;
  private final long occurredAtMs;
  private final String flowId;
  private final String fleetId;
  private final String vehicleId;
  private final JsonObject data;
  private volatile String json;

  public Event(String messageId, EventType type, long occurredAtMs, String flowId, String fleetId, String vehicleId,
      JsonObject data) {
    this.messageId = messageId;
    this.type = type;
    this.occurredAtMs = occurredAtMs;
    this.flowId = flowId;
    this.fleetId = fleetId;
    this.vehicleId = vehicleId;
    this.data = data;
  }

  public String messageId() {
    return messageId;
  }

  public EventType type() {
    return type;
  }

  public long occurredAtMs() {
    return occurredAtMs;
  }

  public String flowId() {
    return flowId;
  }

  /** The recipient. */
  public String fleetId() {
    return fleetId;
  }

  public String vehicleId() {
    return vehicleId;
  }

  public JsonObject envelope() {
    return new JsonObject()
        .put("metadata", new JsonObject()
            .put("message_id", messageId)
            .put("type", type.wire)
            .put("version", VERSION)
            .put("occurred_at", Iso8601.format(occurredAtMs))
            .put("flow_id", flowId)
            .put("fleet_id", fleetId))
        .put("data", data);
  }

  /** The envelope on one line (rendered once). */
  public String json() {
    String j = json;
    if (j == null) {
      j = envelope().encode();
      json = j;
    }
    return j;
  }
}
