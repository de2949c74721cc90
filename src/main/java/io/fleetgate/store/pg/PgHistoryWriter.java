package io.fleetgate.store.pg;

import io.fleetgate.problem.StoreUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Group commit of state-history rows ({@link PgBatchWriter}): {@link #add} queues a row (from any event loop)
 * and returns a future that completes once its row is committed. Rows are committed in the order they were
 * added, so ids increase in arrival order.
 *
 * <p>Bounded: at most {@code maxPendingRows} rows wait (queued or in flight); beyond that {@link #add} fails
 * at once with {@link StoreUnavailableException}. The database down or slow: the batch in flight is retried
 * with back-off, in halved batches, until it commits, the rows behind it wait in order, and their units stay unacknowledged
 * (their sessions pause reading). A batch the database refuses for a reason of its own (not a lost
 * connection) fails its rows, which their units resend.
 */
final class PgHistoryWriter implements PgBatchWriter.Table<PgHistoryWriter.Row> {
  private static final Logger LOG = Logger.getLogger("fleetgate.store");
  /** Rows per INSERT: large enough for the insert rate, small enough to keep one statement short. */
  static final int MAX_BATCH = 4000;
  static final String INSERT = "INSERT INTO state_history (vehicle_id, recorded_at, readings) "
      + "SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])";

  /** One row waiting to be committed, and who waits for it. */
  record Row(String vehicleId, long recordedAtMs, Buffer readings, ContextInternal caller, Promise<Void> done) {}

  private final PgDatabase db;
  private final PgBatchWriter<Row> writer;
  /** Last write failed because the database was not there (for readiness and logs); set on the writer's context. */
  private volatile boolean failing;
  private Timer flushTimer;
  private Counter failedFlushes;

  PgHistoryWriter(PgDatabase db, int maxPendingRows) {
    this.db = db;
    this.writer = new PgBatchWriter<>(db, MAX_BATCH, maxPendingRows, this);
  }

  /** One set of meters for all the writers of a store. */
  static void bindMetrics(MeterRegistry registry, PgHistoryWriter[] writers) {
    Gauge.builder("fleetgate_db_history_pending_rows", writers, ws -> java.util.Arrays.stream(ws).mapToInt(PgHistoryWriter::pending).sum())
        .description("State-history rows waiting to be committed to PostgreSQL (bounded by db.maxPendingRows)")
        .register(registry);
    Timer flushTimer = Timer.builder("fleetgate_db_flush").tag("table", "state_history")
        .description("Time of one batch written to PostgreSQL").register(registry);
    Counter failedFlushes = Counter.builder("fleetgate_db_flush_failures").tag("table", "state_history")
        .description("Batches PostgreSQL did not take (retried)").register(registry);
    for (PgHistoryWriter w : writers) {
      w.flushTimer = flushTimer;
      w.failedFlushes = failedFlushes;
    }
  }

  /** Queues a row; the future completes on the caller's context once the row is committed. */
  Future<Void> add(String vehicleId, long recordedAtMs, Buffer readings) {
    ContextInternal caller = ((VertxInternal) db.vertx).getOrCreateContext();
    // completed on the caller's context by settled(), one task per context and batch (not one hop per row)
    Promise<Void> done = Promise.promise();
    if (!writer.offer(new Row(vehicleId, recordedAtMs, readings, caller, done))) {
      return Future.failedFuture(new StoreUnavailableException("state history: " + writer.pending()
          + " rows wait for PostgreSQL (db.maxPendingRows); not acknowledged", null));
    }
    return done.future();
  }

  int pending() {
    return writer.pending();
  }

  int capacity() {
    return writer.capacity();
  }

  /** At least three quarters of {@code maxPendingRows} wait: sessions stop reading while they have frames in flight. */
  boolean congested() {
    return writer.congested();
  }

  boolean failing() {
    return failing;
  }

  /** Completes (never fails) once every row added so far is committed or failed: rows go in order. */
  Future<Void> barrier() {
    return writer.barrier();
  }

  /**
   * No more retries: what cannot be written now fails (its units were not acknowledged and resend). Rows
   * added later still fail fast once the pool is closed.
   */
  void stop() {
    writer.stop();
  }

  @Override
  public Future<?> insert(List<Row> batch) {
    int n = batch.size();
    String[] vehicles = new String[n];
    Long[] times = new Long[n];
    Buffer[] readings = new Buffer[n];
    for (int i = 0; i < n; i++) {
      Row r = batch.get(i);
      vehicles[i] = r.vehicleId();
      times[i] = r.recordedAtMs();
      readings[i] = r.readings();
    }
    long started = System.nanoTime();
    return db.guard(db.pool.preparedQuery(INSERT).execute(Tuple.of(vehicles, times, readings))).onComplete(ar -> {
      if (flushTimer != null) {
        flushTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      }
    });
  }

  @Override
  public void retrying(Throwable cause) {
    if (failedFlushes != null) {
      failedFlushes.increment();
    }
    if (!failing) {
      LOG.warning("state history: PostgreSQL unavailable, " + pending() + " rows wait (retrying): " + cause.getMessage());
    }
    failing = true;
  }

  @Override
  public void settled(List<Row> batch, Throwable failure) {
    if (failure == null) {
      if (failing) {
        LOG.info("state history: PostgreSQL " + db.where() + " takes rows again");
      }
      failing = false;
    } else {
      if (failedFlushes != null) {
        failedFlushes.increment();
      }
      LOG.log(Level.WARNING, "state history: PostgreSQL refused a batch of " + batch.size() + " rows; their units resend", failure);
    }
    // the rows of one caller context (an event loop) are completed by one task on it, in batch order
    Map<ContextInternal, List<Row>> byCaller = new IdentityHashMap<>();
    for (int i = 0, n = batch.size(); i < n; i++) {
      Row r = batch.get(i);
      byCaller.computeIfAbsent(r.caller(), c -> new ArrayList<>()).add(r);
    }
    byCaller.forEach((caller, rows) -> caller.runOnContext(v -> {
      for (int i = 0, n = rows.size(); i < n; i++) {
        if (failure == null) {
          rows.get(i).done().complete();
        } else {
          rows.get(i).done().fail(failure);
        }
      }
    }));
  }
}
