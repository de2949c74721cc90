package io.fleetgate.events.amqp;

import io.fleetgate.events.EventType;
import io.fleetgate.problem.Problems;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Event consumers of {@code POST /event-consumers}: per topic one durable queue
 * {@code fleetgate.{fleet_id}.{consumer_id}.{type}}, bound to the exchange with exactly the fleet's routing
 * key {@code {fleet_id}.{type}} and expiring ({@code x-expires}) 3 days after its last consumer went away.
 * At most {@code amqp.maxConsumersPerFleet} per fleet. The registrations are kept in memory like the rest of
 * the in-memory mode; the queues live on the broker.
 */
public final class EventConsumers {
  private final AmqpEventSink broker;
  private final int maxPerFleet;
  private final Clock clock;
  /** Guarded by itself. */
  private final Map<String, Consumer> byId = new HashMap<>();
  /** Reservations and registrations per fleet; guarded by {@link #byId}. */
  private final Map<String, Integer> perFleet = new HashMap<>();

  /** One consumer: its topics in the order asked for. */
  public record Consumer(String id, String fleetId, String name, List<EventType> topics, Instant createdAt) {
    public String queue(EventType topic) {
      return AmqpMessages.queueName(fleetId, id, topic);
    }
  }

  public EventConsumers(AmqpEventSink broker, int maxPerFleet, Clock clock) {
    this.broker = broker;
    this.maxPerFleet = maxPerFleet;
    this.clock = clock;
  }

  public Future<Consumer> create(String fleetId, String name, List<EventType> topics) {
    synchronized (byId) {
      int n = perFleet.getOrDefault(fleetId, 0);
      if (n >= maxPerFleet) {
        return Future.failedFuture(Problems.conflict("the fleet has its maximum of " + maxPerFleet
            + " event consumers; delete one first"));
      }
      perFleet.put(fleetId, n + 1);
    }
    Consumer c = new Consumer(UUID.randomUUID().toString(), fleetId, name, List.copyOf(topics), clock.instant());
    Map<String, Object> args = Map.of("x-expires", AmqpMessages.QUEUE_EXPIRES_MS);
    return broker.withChannel(ch -> {
      for (EventType t : c.topics()) {
        ch.queueDeclare(c.queue(t), true, false, false, args);
        ch.queueBind(c.queue(t), broker.exchange(), AmqpMessages.routingKey(fleetId, t));
      }
      return c;
    }).<Consumer>transform(ar -> {
      synchronized (byId) {
        if (ar.succeeded()) {
          byId.put(c.id(), c);
          return Future.succeededFuture(c);
        }
        release(fleetId);
      }
      return Future.failedFuture(unavailable(ar.cause()));
    });
  }

  /** The fleet's consumers, oldest first. */
  public List<Consumer> list(String fleetId) {
    List<Consumer> out = new ArrayList<>();
    synchronized (byId) {
      for (Consumer c : byId.values()) {
        if (c.fleetId().equals(fleetId)) {
          out.add(c);
        }
      }
    }
    out.sort(Comparator.comparing(Consumer::createdAt).thenComparing(Consumer::id));
    return out;
  }

  /** Deletes the consumer's queues (and what is in them), then forgets it. 404 for another fleet's. */
  public Future<Void> delete(String fleetId, String consumerId) {
    Consumer c;
    synchronized (byId) {
      c = byId.get(consumerId);
    }
    if (c == null || !c.fleetId().equals(fleetId)) {
      return Future.failedFuture(Problems.notFound("event consumer"));
    }
    return broker.withChannel(ch -> {
      for (EventType t : c.topics()) {
        ch.queueDelete(c.queue(t));
      }
      return null;
    }).<Void>transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture(unavailable(ar.cause()));
      }
      synchronized (byId) {
        if (byId.remove(c.id()) != null) {
          release(fleetId);
        }
      }
      return Future.succeededFuture();
    });
  }

  private void release(String fleetId) {
    perFleet.computeIfPresent(fleetId, (k, n) -> n <= 1 ? null : n - 1);
  }

  private static RuntimeException unavailable(Throwable cause) {
    String detail = cause instanceof AmqpEventSink.BrokerUnavailableException
        ? cause.getMessage()
        : "the broker did not complete the request; try again";
    return Problems.serviceUnavailable(detail, 5);
  }
}
