package io.fleetgate.events.amqp;

import io.fleetgate.events.EventType;
import io.fleetgate.problem.Problems;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Event consumers of {@code POST /event-consumers}: per topic one durable queue
 * {@code fleetgate.{fleet_id}.{consumer_id}.{type}}, bound to the exchange with exactly the fleet's routing
 * key {@code {fleet_id}.{type}} and expiring ({@code x-expires}) 3 days after its last consumer went away.
 * At most {@code amqp.maxConsumersPerFleet} per fleet, counted in the {@link EventConsumerStore} (with a
 * database: across every node of a cluster). The queues are declared before the registration is stored; a
 * registration refused there (the fleet filled up meanwhile) deletes them again.
 */
public final class EventConsumers {
  private final AmqpEventSink broker;
  private final EventConsumerStore store;
  private final int maxPerFleet;
  private final Clock clock;

  /** One consumer: its topics in the order asked for. */
  public record Consumer(String id, String fleetId, String name, List<EventType> topics, Instant createdAt) {
    public String queue(EventType topic) {
      return AmqpMessages.queueName(fleetId, id, topic);
    }
  }

  public EventConsumers(AmqpEventSink broker, int maxPerFleet, Clock clock) {
    this(broker, EventConsumerStore.memory(), maxPerFleet, clock);
  }

  public EventConsumers(AmqpEventSink broker, EventConsumerStore store, int maxPerFleet, Clock clock) {
    this.broker = broker;
    this.store = store;
    this.maxPerFleet = maxPerFleet;
    this.clock = clock;
  }

  public Future<Consumer> create(String fleetId, String name, List<EventType> topics) {
    Consumer c = new Consumer(UUID.randomUUID().toString(), fleetId, name, List.copyOf(topics),
        clock.instant().truncatedTo(ChronoUnit.MICROS));
    Map<String, Object> args = Map.of("x-expires", AmqpMessages.QUEUE_EXPIRES_MS);
    // a full fleet is refused before any broker work; the store's atomic count has the last word
    return store.list(fleetId).compose(existing -> {
      if (existing.size() >= maxPerFleet) {
        return Future.failedFuture(full());
      }
      return broker.withChannel(ch -> {
        for (EventType t : c.topics()) {
          ch.queueDeclare(c.queue(t), true, false, false, args);
          ch.queueBind(c.queue(t), broker.exchange(), AmqpMessages.routingKey(fleetId, t));
        }
        return c;
      }).recover(e -> Future.failedFuture(unavailable(e)))
          .compose(x -> store.insertWithin(c, maxPerFleet))
          .compose(stored -> stored ? Future.succeededFuture(c) : deleteQueues(c).transform(ar -> Future.failedFuture(full())));
    });
  }

  /** The fleet's consumers, oldest first. */
  public Future<List<Consumer>> list(String fleetId) {
    return store.list(fleetId);
  }

  /** Deletes the consumer's queues (and what is in them), then forgets it. 404 for another fleet's. */
  public Future<Void> delete(String fleetId, String consumerId) {
    return store.get(fleetId, consumerId).compose(c -> {
      if (c == null) {
        return Future.failedFuture(Problems.notFound("event consumer"));
      }
      return deleteQueues(c).recover(e -> Future.failedFuture(unavailable(e)))
          .compose(x -> store.delete(c.id())).mapEmpty();
    });
  }

  private Future<Void> deleteQueues(Consumer c) {
    return broker.withChannel(ch -> {
      for (EventType t : c.topics()) {
        ch.queueDelete(c.queue(t));
      }
      return null;
    });
  }

  private RuntimeException full() {
    return Problems.conflict("the fleet has its maximum of " + maxPerFleet + " event consumers; delete one first");
  }

  private static RuntimeException unavailable(Throwable cause) {
    String detail = cause instanceof AmqpEventSink.BrokerUnavailableException
        ? cause.getMessage()
        : "the broker did not complete the request; try again";
    return Problems.serviceUnavailable(detail, 5);
  }
}
