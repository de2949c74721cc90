package io.fleetgate.store.pg;

import io.fleetgate.events.EventLog;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Group commit of event-log rows ({@link PgBatchWriter}), like {@link PgHistoryWriter} but best effort:
 * {@link #add} never waits and nobody waits for a row.
 *
 * <p>Bounded: at most {@code maxPending} rows wait. PostgreSQL down: the batch in flight is retried with
 * back-off and newer rows queue behind it; once the buffer is full, new rows are dropped (counted, one warning
 * per episode). The log is a convenience for consoles and reconnecting streams; ingestion and the live streams
 * never wait for it. A batch PostgreSQL refuses for a reason of its own is dropped too (logged).
 */
final class PgEventLogWriter implements PgBatchWriter.Table<PgEventLogWriter.Row> {
  private static final Logger LOG = Logger.getLogger("fleetgate.store");
  static final int MAX_BATCH = 1000;
  static final String INSERT = "INSERT INTO event_log (fleet_id, message_id, type, vehicle_id, occurred_at, envelope) "
      + "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[]) "
      + "ON CONFLICT DO NOTHING";

  record Row(String fleetId, EventLog.Entry entry) {}

  private final PgDatabase db;
  private final PgBatchWriter<Row> writer;
  /** Rows are being dropped (the buffer was full) since the last warning. */
  private final AtomicBoolean dropping = new AtomicBoolean();
  private final AtomicLong dropped = new AtomicLong();

  PgEventLogWriter(PgDatabase db, int maxPending) {
    this.db = db;
    this.writer = new PgBatchWriter<>(db, MAX_BATCH, maxPending, this);
  }

  /** Any thread, never blocks: queues the row, or drops it when the buffer is full. */
  void add(EventLog.Entry entry, String fleetId) {
    if (writer.stopped() || !writer.offer(new Row(fleetId, entry))) {
      dropped.incrementAndGet();
      if (dropping.compareAndSet(false, true)) {
        LOG.warning("event log: " + writer.pending() + " rows wait for PostgreSQL; new events are not logged until it takes rows again");
      }
    }
  }

  /** Completes (never fails) once every row added so far is written or given up. */
  Future<Void> barrier() {
    return writer.barrier();
  }

  long dropped() {
    return dropped.get();
  }

  /** No more retries; what is written by the next attempt is kept, the rest is given up. */
  Future<Void> stop() {
    Future<Void> all = barrier();
    writer.stop();
    return all.timeout(db.settings.timeoutMs(), TimeUnit.MILLISECONDS).otherwiseEmpty();
  }

  @Override
  public Future<?> insert(List<Row> batch) {
    int n = batch.size();
    String[] fleets = new String[n];
    String[] ids = new String[n];
    String[] types = new String[n];
    String[] vehicles = new String[n];
    Long[] times = new Long[n];
    String[] envelopes = new String[n];
    for (int i = 0; i < n; i++) {
      Row r = batch.get(i);
      fleets[i] = r.fleetId();
      ids[i] = r.entry().messageId();
      types[i] = r.entry().type().wire;
      vehicles[i] = r.entry().vehicleId();
      times[i] = r.entry().occurredAtMs();
      envelopes[i] = r.entry().json();
    }
    return db.guard(db.pool.preparedQuery(INSERT).execute(Tuple.of(fleets, ids, types, vehicles, times, envelopes)));
  }

  @Override
  public void settled(List<Row> batch, Throwable failure) {
    if (failure != null) {
      LOG.warning("event log: PostgreSQL did not take " + batch.size() + " rows, they are not logged: " + failure.getMessage());
    }
    if (dropping.get() && writer.pending() < writer.capacity() / 2 && dropping.compareAndSet(true, false)) {
      LOG.info("event log: PostgreSQL takes rows again (" + dropped.get() + " events were not logged in all)");
    }
  }
}
