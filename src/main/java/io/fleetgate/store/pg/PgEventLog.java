package io.fleetgate.store.pg;

import io.fleetgate.events.Event;
import io.fleetgate.events.EventLog;
import io.fleetgate.events.EventType;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The event log in PostgreSQL (table {@code event_log}, migration V6). Appends go through
 * {@link PgEventLogWriter} (group commit off the publishing thread, bounded, best effort); a read first waits
 * (at most {@code db.timeoutMs}) until what was appended before it is committed, so a listing or a stream's
 * replay sees every event published before it began.
 */
public final class PgEventLog implements EventLog {
  static final int PURGE_BATCH = 5000;
  private static final String WHERE = " FROM event_log WHERE fleet_id = $1 AND occurred_at >= $2 AND occurred_at <= $3"
      + " AND ($4::text IS NULL OR vehicle_id = $4) AND ($5::text[] IS NULL OR type = ANY($5))"
      + " AND ($6::text IS NULL OR message_id > $6) AND ($7::text IS NULL OR message_id < $7)";
  private static final String COLUMNS = "SELECT message_id, type, vehicle_id, occurred_at, envelope";
  static final String NEWEST_FIRST = COLUMNS + WHERE + " ORDER BY message_id DESC LIMIT $8";
  static final String OLDEST_FIRST = COLUMNS + WHERE + " ORDER BY message_id LIMIT $8";
  static final String PURGE = "DELETE FROM event_log WHERE ctid IN (SELECT ctid FROM event_log WHERE occurred_at < $1 LIMIT "
      + PURGE_BATCH + ")";

  private final PgDatabase db;
  private final PgEventLogWriter writer;
  private final long retentionMs;
  private final Clock clock;

  public PgEventLog(PgDatabase db, int maxPendingRows, int retentionDays, Clock clock) {
    this.db = db;
    this.writer = new PgEventLogWriter(db, maxPendingRows);
    this.retentionMs = Duration.ofDays(retentionDays).toMillis();
    this.clock = clock;
  }

  @Override
  public void append(Event event) {
    if (EventLog.logged(event.type())) {
      writer.add(Entry.of(event), event.fleetId());
    }
  }

  @Override
  public Future<List<Entry>> newestFirst(Query query) {
    return read(NEWEST_FIRST, query);
  }

  @Override
  public Future<List<Entry>> oldestFirst(Query query) {
    return read(OLDEST_FIRST, query);
  }

  private Future<List<Entry>> read(String sql, Query q) {
    String[] types = null;
    if (!q.types().isEmpty()) {
      types = q.types().stream().map(t -> t.wire).toArray(String[]::new);
    }
    // rows not yet swept by the hourly retention are not shown either
    long from = Math.max(q.fromMs(), clock.millis() - retentionMs);
    Tuple args = Tuple.of(q.fleetId(), from, q.toMs(), q.vehicleId(), types, q.afterId(), q.beforeId(), q.limit());
    return writer.barrier().timeout(db.settings.timeoutMs(), TimeUnit.MILLISECONDS).otherwiseEmpty()
        .compose(v -> db.guard(db.pool.preparedQuery(sql).execute(args)))
        .map(rows -> {
          List<Entry> out = new ArrayList<>(rows.size());
          for (Row r : rows) {
            EventType type = EventType.of(r.getString(1));
            if (type != null) {
              out.add(new Entry(r.getString(0), type, r.getString(2), r.getLong(3), r.getString(4)));
            }
          }
          return out;
        });
  }

  @Override
  public Future<Long> purge(long beforeMs) {
    // one node of a cluster at a time (each runs this hourly): the others skip their turn
    return PgExclusive.orSkip(db, PgExclusive.EVENT_LOG_PURGE, () -> purgeFrom(beforeMs, 0), 0L);
  }

  /** One short DELETE after another while rows are past retention. */
  private Future<Long> purgeFrom(long beforeMs, long deletedSoFar) {
    return db.guard(db.pool.preparedQuery(PURGE).execute(Tuple.of(beforeMs))).compose(r -> {
      long total = deletedSoFar + r.rowCount();
      return r.rowCount() < PURGE_BATCH ? Future.succeededFuture(total) : purgeFrom(beforeMs, total);
    });
  }

  @Override
  public Future<Void> close() {
    return writer.stop();
  }

  /** Entries given up because the buffer was full (for tests and metrics). */
  public long dropped() {
    return writer.dropped();
  }
}
