package io.fleetgate.events.amqp;

import com.rabbitmq.client.AMQP;
import io.fleetgate.events.Event;
import io.fleetgate.events.EventType;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;

/** How an {@link Event} looks on the exchange ({@code events.md}, "AMQP 0-9-1"): routing key and properties. */
public final class AmqpMessages {
  public static final String CONTENT_TYPE = "application/json";
  /** Persistent. */
  public static final int DELIVERY_MODE = 2;
  /** Queues of event consumers expire after 3 days without a consumer. */
  public static final long QUEUE_EXPIRES_MS = 3L * 24 * 60 * 60 * 1000;

  private AmqpMessages() {}

  /** {@code {fleet_id}.{type}}: fleet ids contain no dots, so a consumer binds exactly its fleet's events. */
  public static String routingKey(String fleetId, EventType type) {
    return fleetId + "." + type.wire;
  }

  /** The queue of one topic of an event consumer: {@code fleetgate.{fleet_id}.{consumer_id}.{type}}. */
  public static String queueName(String fleetId, String consumerId, EventType type) {
    return "fleetgate." + fleetId + "." + consumerId + "." + type.wire;
  }

  public static AMQP.BasicProperties properties(Event e) {
    Map<String, Object> headers = new HashMap<>(4);
    headers.put("flow_id", e.flowId());
    headers.put("fleet_id", e.fleetId());
    headers.put("version", Event.VERSION);
    return new AMQP.BasicProperties.Builder()
        .contentType(CONTENT_TYPE)
        .messageId(e.messageId())
        .type(e.type().wire)
        .timestamp(new Date(e.occurredAtMs()))
        .deliveryMode(DELIVERY_MODE)
        .headers(headers)
        .build();
  }
}
