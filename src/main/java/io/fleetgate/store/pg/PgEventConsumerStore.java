package io.fleetgate.store.pg;

import io.fleetgate.events.EventType;
import io.fleetgate.events.amqp.EventConsumerStore;
import io.fleetgate.events.amqp.EventConsumers.Consumer;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Event consumers' registrations in PostgreSQL (migration V11), shared by every node of a cluster. */
public final class PgEventConsumerStore implements EventConsumerStore {
  /**
   * One transaction-scoped advisory lock per fleet's consumers (two-key form, a class of its own): the count
   * that follows runs after it, in a statement of its own, so it sees every registration committed before.
   */
  private static final String LOCK_FLEET = "SELECT pg_advisory_xact_lock(1718380406, hashtext($1))";
  private static final String COUNT = "SELECT count(*) FROM event_consumers WHERE fleet_id = $1";
  private static final String INSERT = "INSERT INTO event_consumers (id, fleet_id, name, topics, created_at) VALUES ($1, $2, $3, $4, $5)";
  private static final String COLUMNS = "id, fleet_id, name, topics, created_at";
  private static final String LIST = "SELECT " + COLUMNS + " FROM event_consumers WHERE fleet_id = $1 ORDER BY created_at, id";
  private static final String GET = "SELECT " + COLUMNS + " FROM event_consumers WHERE fleet_id = $1 AND id = $2";
  private static final String DELETE = "DELETE FROM event_consumers WHERE id = $1";

  private final PgDatabase db;

  public PgEventConsumerStore(PgDatabase db) {
    this.db = db;
  }

  @Override
  public Future<Boolean> insertWithin(Consumer c, int max) {
    Tuple fleet = Tuple.of(c.fleetId());
    Tuple row = Tuple.of(c.id(), c.fleetId(), c.name(), c.topics().stream().map(EventType::name).collect(Collectors.joining(",")),
        c.createdAt().atOffset(ZoneOffset.UTC));
    return db.guard(db.pool.withTransaction(conn -> conn.preparedQuery(LOCK_FLEET).execute(fleet)
        .compose(x -> conn.preparedQuery(COUNT).execute(fleet))
        .compose(rows -> rows.iterator().next().getLong(0) >= max ? Future.succeededFuture(false)
            : conn.preparedQuery(INSERT).execute(row).map(true))));
  }

  @Override
  public Future<List<Consumer>> list(String fleetId) {
    return db.guard(db.pool.preparedQuery(LIST).execute(Tuple.of(fleetId))).map(rows -> {
      List<Consumer> out = new ArrayList<>(rows.size());
      rows.forEach(r -> out.add(consumer(r)));
      return out;
    });
  }

  @Override
  public Future<Consumer> get(String fleetId, String id) {
    return db.guard(db.pool.preparedQuery(GET).execute(Tuple.of(fleetId, id)))
        .map(rows -> rows.size() == 0 ? null : consumer(rows.iterator().next()));
  }

  @Override
  public Future<Boolean> delete(String id) {
    return db.guard(db.pool.preparedQuery(DELETE).execute(Tuple.of(id))).map(rows -> rows.rowCount() > 0);
  }

  private static Consumer consumer(Row r) {
    List<EventType> topics = Arrays.stream(r.getString(3).split(",")).map(EventType::valueOf).toList();
    return new Consumer(r.getString(0), r.getString(1), r.getString(2), topics, r.getOffsetDateTime(4).toInstant());
  }
}
