package io.fleetgate.sim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.fleetgate.protocol.json.Iso8601;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.rabbitmq.QueueOptions;
import io.vertx.rabbitmq.RabbitMQClient;
import io.vertx.rabbitmq.RabbitMQMessage;
import io.vertx.rabbitmq.RabbitMQOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * A RabbitMQ consumer of event queues (those {@code POST /event-consumers} declared), for the demo and the
 * benchmarks: counts events (each envelope of a batch message, {@code amqp.batchEvents}, counts), checks that each is addressed to the expected fleet, and records the latency
 * from the event's {@code occurred_at} (when the gateway applied its cause) to its arrival here.
 *
 * <p>Run on its own: {@code java -cp fleetgate.jar io.fleetgate.sim.EventQueueWatcher AMQP_URL SECONDS QUEUE...}
 * consumes for SECONDS and prints {@code EVENTS count=… rate=…/s p50_ms=… p99_ms=… wrong_fleet=…}.
 */
public final class EventQueueWatcher implements AutoCloseable {
  private final RabbitMQClient client;
  private final AtomicLong count = new AtomicLong();
  private final AtomicLong wrongFleet = new AtomicLong();
  private final java.util.Map<String, AtomicLong> byFleet = new java.util.concurrent.ConcurrentSkipListMap<>();
  private final Recorder latencyUs = new Recorder(3);

  private EventQueueWatcher(RabbitMQClient client) {
    this.client = client;
  }

  /** Connects and consumes each queue (auto-ack); {@code fleetOf(queue)} is the fleet its messages must be for. */
  public static Future<EventQueueWatcher> start(Vertx vertx, String amqpUrl, List<String> queues) {
    RabbitMQClient client = RabbitMQClient.create(vertx, new RabbitMQOptions().setUri(amqpUrl).setReconnectAttempts(0)
        .setConnectionName("fleetgate-event-watcher"));
    EventQueueWatcher w = new EventQueueWatcher(client);
    Future<Void> chain = client.start();
    for (String queue : queues) {
      String fleet = fleetOfQueue(queue);
      chain = chain.compose(v -> client.basicConsumer(queue, new QueueOptions().setAutoAck(true).setMaxInternalQueueSize(100_000)))
          .map(consumer -> {
            consumer.handler(m -> w.onMessage(fleet, m));
            return null;
          });
    }
    return chain.map(v -> w);
  }

  /** {@code fleetgate.{fleet_id}.{consumer_id}.{type}} → the fleet id. */
  static String fleetOfQueue(String queue) {
    String[] parts = queue.split("\\.");
    return parts.length >= 4 ? parts[1] : null;
  }

  private void onMessage(String fleet, RabbitMQMessage m) {
    long now = System.currentTimeMillis();
    List<String[]> envelopes = envelopes(m.body().getBytes());
    if (envelopes.isEmpty()) {
      envelopes = List.<String[]>of(new String[2]); // not an envelope: counted, as another fleet's
    }
    byFleet.computeIfAbsent(String.valueOf(fleet), k -> new AtomicLong()).addAndGet(envelopes.size());
    for (String[] meta : envelopes) {
      if (fleet != null && !fleet.equals(meta[0])) {
        wrongFleet.incrementAndGet();
      }
      if (meta[1] != null) {
        long occurred = Iso8601.parse(meta[1]);
        latencyUs.recordValue(Math.max(0, now - occurred) * 1000);
      }
      count.incrementAndGet();
    }
  }

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * {fleet_id, occurred_at} of an envelope's {@code metadata}, read with a streaming parser that stops after
   * that object: this consumer shares the benchmark machine with the gateway and the broker, and building the
   * whole tree of every message cost it more CPU than the broker spent on the message.
   */
  static String[] metadata(byte[] body) {
    List<String[]> all = envelopes(body);
    return all.isEmpty() ? new String[2] : all.get(0);
  }

  /**
   * {fleet_id, occurred_at} of every envelope of a message: one for an event message, one per element of
   * {@code events} for a batch message; none for a body that is neither.
   */
  static List<String[]> envelopes(byte[] body) {
    List<String[]> out = new ArrayList<>(1);
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return out;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if ("metadata".equals(name) && t == JsonToken.START_OBJECT) {
          out.add(readMetadata(p));
          return out;
        }
        if ("events".equals(name) && t == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            String[] meta = new String[2];
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String field = p.currentName();
              if (p.nextToken() == JsonToken.START_OBJECT && "metadata".equals(field)) {
                meta = readMetadata(p);
              } else {
                p.skipChildren();
              }
            }
            out.add(meta);
          }
          return out;
        }
        p.skipChildren();
      }
    } catch (java.io.IOException e) {
      // not JSON (or cut short): what was read so far
    }
    return out;
  }

  /** Reads the metadata object the parser is at the start of, to its end. */
  private static String[] readMetadata(JsonParser p) throws java.io.IOException {
    String[] out = new String[2];
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      if ("fleet_id".equals(field)) {
        out[0] = p.getValueAsString();
      } else if ("occurred_at".equals(field)) {
        out[1] = p.getValueAsString();
      } else {
        p.skipChildren();
      }
    }
    return out;
  }

  public long count() {
    return count.get();
  }

  /** "fleet-a 12, fleet-b 7": messages per fleet of the queue they came from. */
  public String countsByFleet() {
    StringBuilder sb = new StringBuilder();
    byFleet.forEach((fleet, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(fleet).append(' ').append(n.get()));
    return sb.toString();
  }

  public long wrongFleet() {
    return wrongFleet.get();
  }

  /** Latency percentiles since the last call, in ms: {p50, p99, max}. */
  public double[] latencyMs() {
    var h = latencyUs.getIntervalHistogram();
    if (h.getTotalCount() == 0) {
      return new double[] {0, 0, 0};
    }
    return new double[] {h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0};
  }

  @Override
  public void close() {
    client.stop().toCompletionStage().toCompletableFuture().completeOnTimeout(null, 5, TimeUnit.SECONDS).join();
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: EventQueueWatcher AMQP_URL SECONDS QUEUE...");
      System.exit(2);
    }
    int seconds = Integer.parseInt(args[1]);
    List<String> queues = new ArrayList<>(List.of(args).subList(2, args.length));
    Vertx vertx = Vertx.vertx();
    try {
      EventQueueWatcher w = start(vertx, args[0], queues).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      System.out.println("MARK consuming");
      w.latencyMs(); // reset
      long c0 = w.count();
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long n = w.count() - c0;
      double secs = (System.nanoTime() - t0) / 1e9;
      double[] lat = w.latencyMs();
      System.out.printf("EVENTS count=%d rate=%.0f/s p50_ms=%.1f p99_ms=%.1f max_ms=%.1f wrong_fleet=%d%n",
          n, n / secs, lat[0], lat[1], lat[2], w.wrongFleet());
      w.close();
    } finally {
      vertx.close();
    }
  }
}
