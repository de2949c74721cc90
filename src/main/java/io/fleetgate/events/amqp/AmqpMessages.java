package io.fleetgate.events.amqp;

import com.rabbitmq.client.AMQP;
import io.fleetgate.events.Event;
import io.fleetgate.events.EventType;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How an {@link Event} looks on the exchange ({@code events.md}, "AMQP 0-9-1"): routing key and properties; and,
 * with {@code amqp.batchEvents} above 1, how a batch of events of one fleet and type looks (README, "Batch
 * messages").
 */
public final class AmqpMessages {
  public static final String CONTENT_TYPE = "application/json";
  /** A batch message: {@code {"events": [<envelope>, ...]}}, the envelopes in publishing order. */
  public static final String BATCH_CONTENT_TYPE = "application/vnd.fleetgate.events+json";
  /** Header of a batch message: how many envelopes it holds. */
  public static final String BATCH_HEADER = "x-fleetgate-batch";
  private static final byte[] BATCH_START = "{\"events\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
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

  /**
   * A batch of events of one fleet and type: its own message id (a new ULID; each envelope keeps its own, which
   * is what consumers de-duplicate on), the type, the first event's time, persistent, headers {@code fleet_id},
   * {@code version} and {@link #BATCH_HEADER} (no {@code flow_id}: each envelope carries its own).
   */
  public static AMQP.BasicProperties batchProperties(String messageId, Event first, int count) {
    Map<String, Object> headers = new HashMap<>(4);
    headers.put("fleet_id", first.fleetId());
    headers.put("version", Event.VERSION);
    headers.put(BATCH_HEADER, count);
    return new AMQP.BasicProperties.Builder()
        .contentType(BATCH_CONTENT_TYPE)
        .messageId(messageId)
        .type(first.type().wire)
        .timestamp(new Date(first.occurredAtMs()))
        .deliveryMode(DELIVERY_MODE)
        .headers(headers)
        .build();
  }

  /** {@code {"events":[e1,e2,...]}} from the envelopes' rendered JSON, copied once. */
  public static byte[] batchBody(List<byte[]> envelopes) {
    int length = BATCH_START.length + 2 + Math.max(0, envelopes.size() - 1);
    for (byte[] e : envelopes) {
      length += e.length;
    }
    byte[] out = new byte[length];
    System.arraycopy(BATCH_START, 0, out, 0, BATCH_START.length);
    int at = BATCH_START.length;
    for (int i = 0; i < envelopes.size(); i++) {
      if (i > 0) {
        out[at++] = ',';
      }
      byte[] e = envelopes.get(i);
      System.arraycopy(e, 0, out, at, e.length);
      at += e.length;
    }
    out[at++] = ']';
    out[at] = '}';
    return out;
  }
}
