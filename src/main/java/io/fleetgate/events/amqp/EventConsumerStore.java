package io.fleetgate.events.amqp;

import io.fleetgate.events.amqp.EventConsumers.Consumer;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where event consumers' registrations are kept: in memory for a gateway without a database, in PostgreSQL
 * otherwise (they survive a restart, and every node of a cluster lists, counts and deletes the same ones).
 */
public interface EventConsumerStore {
  /** Adds {@code c} unless its fleet has {@code max} consumers already (counted atomically with the add): false then. */
  Future<Boolean> insertWithin(Consumer c, int max);

  /** The fleet's consumers, oldest first. */
  Future<List<Consumer>> list(String fleetId);

  /** The fleet's consumer {@code id}, or null (none, or another fleet's). */
  Future<Consumer> get(String fleetId, String id);

  /** Forgets the consumer; false when it was gone already. */
  Future<Boolean> delete(String id);

  /** Registrations in this process only. */
  static EventConsumerStore memory() {
    return new EventConsumerStore() {
      private final Map<String, Consumer> byId = new HashMap<>();

      @Override
      public synchronized Future<Boolean> insertWithin(Consumer c, int max) {
        long n = byId.values().stream().filter(o -> o.fleetId().equals(c.fleetId())).count();
        if (n >= max) {
          return Future.succeededFuture(false);
        }
        byId.put(c.id(), c);
        return Future.succeededFuture(true);
      }

      @Override
      public synchronized Future<List<Consumer>> list(String fleetId) {
        List<Consumer> out = new ArrayList<>();
        for (Consumer c : byId.values()) {
          if (c.fleetId().equals(fleetId)) {
            out.add(c);
          }
        }
        out.sort(Comparator.comparing(Consumer::createdAt).thenComparing(Consumer::id));
        return Future.succeededFuture(out);
      }

      @Override
      public synchronized Future<Consumer> get(String fleetId, String id) {
        Consumer c = byId.get(id);
        return Future.succeededFuture(c != null && c.fleetId().equals(fleetId) ? c : null);
      }

      @Override
      public synchronized Future<Boolean> delete(String id) {
        return Future.succeededFuture(byId.remove(id) != null);
      }
    };
  }
}
