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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Group commit of state-history rows: {@link #add} queues a row (from any event loop) and returns a future
 * that completes once its row is committed. One batch is in flight at a time, on a context of its own:
 * whatever queued while it ran is the next batch (up to {@link #MAX_BATCH} rows, one multi-row
 * {@code INSERT ... SELECT FROM unnest(...)}), so batches grow with the load and a row never waits for a
 * timer. Rows are committed in the order they were added, so ids increase in arrival order.
 *
 * <p>Bounded: at most {@code maxPendingRows} rows wait (queued or in flight); beyond that {@link #add} fails
 * at once with {@link StoreUnavailableException}. The database down or slow: the batch in flight is retried
 * with back-off (100 ms doubling to 5 s), halved each time (down to {@link #MIN_BATCH} rows, the rest back at
 * the head of the queue, so that a slow link that cannot carry a big batch within db.timeoutMs still moves
 * rows), until it commits; the rows behind it wait in order, and their units
 * stay unacknowledged (their sessions pause reading). From three quarters of the bound on the writer is
 * {@link #congested}: sessions then stop reading while they have frames in flight, so units are slowed before
 * rows have to be refused. A batch the database refuses for a reason of its own (not a lost connection) fails
 * its rows, which their units resend.
 */
final class PgHistoryWriter {
  private static final Logger LOG = Logger.getLogger("fleetgate.store");
  /** Rows per INSERT: large enough for the insert rate, small enough to keep one statement short. */
  static final int MAX_BATCH = 4000;
  /** The smallest batch a failed one is halved to. */
  static final int MIN_BATCH = 100;
  static final long MIN_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 5000;
  static final String INSERT = "INSERT INTO state_history (vehicle_id, recorded_at, readings) "
      + "SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])";

  /** One row waiting to be committed, and who waits for it. */
  private record Row(String vehicleId, long recordedAtMs, Buffer readings, ContextInternal caller, Promise<Void> done) {}

  private final PgDatabase db;
  private final ContextInternal context;
  private final int maxPending;
  /** {@link #pending} at which the writer is congested. */
  private final int congestedAt;
  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by {@link #lock}. */
  private final ArrayDeque<Row> queue = new ArrayDeque<>();
  /** Rows queued or in flight; guarded by {@link #lock}. */
  private int pending;
  /** {@link #pending} above {@link #congestedAt}; written under the lock, read on every frame without it. */
  private volatile boolean congested;
  /** A flush is scheduled or running (only one at a time); guarded by {@link #lock}. */
  private boolean flushing;
  /** Last flush failed because the database was not there (for readiness and logs); confined to {@link #context}. */
  private volatile boolean failing;
  private long backoffMs = MIN_BACKOFF_MS;
  /**
   * Rows the next INSERT may take: halved (down to {@link #MIN_BATCH}) each time a batch is not written, doubled
   * back after each commit. A database reached over a slow link may not take {@link #MAX_BATCH} rows within
   * db.timeoutMs at all: retrying the same batch would time out for ever. Confined to {@link #context}.
   */
  private int batchLimit = MAX_BATCH;
  /** The future of the row added last; guarded by {@link #lock}. */
  private Future<Void> last = Future.succeededFuture();
  /** Set by {@link #stop}: a batch that cannot be written is failed instead of retried. */
  private volatile boolean stopped;
  private Timer flushTimer;
  private Counter failedFlushes;

  PgHistoryWriter(PgDatabase db, int maxPendingRows) {
    this.db = db;
    this.context = ((VertxInternal) db.vertx).createEventLoopContext();
    this.maxPending = maxPendingRows;
    this.congestedAt = Math.max(1, maxPendingRows - maxPendingRows / 4);
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
    // completed on the caller's context by settle(), one task per context and batch (not one hop per row)
    Promise<Void> done = Promise.promise();
    boolean start;
    lock.lock();
    try {
      if (pending >= maxPending) {
        return Future.failedFuture(new StoreUnavailableException("state history: " + pending
            + " rows wait for PostgreSQL (db.maxPendingRows); not acknowledged", null));
      }
      queue.add(new Row(vehicleId, recordedAtMs, readings, caller, done));
      last = done.future();
      if (++pending >= congestedAt && !congested) {
        congested = true;
      }
      start = !flushing;
      flushing = true;
    } finally {
      lock.unlock();
    }
    if (start) {
      context.runOnContext(v -> flushNext());
    }
    return done.future();
  }

  int pending() {
    lock.lock();
    try {
      return pending;
    } finally {
      lock.unlock();
    }
  }

  /** At least three quarters of {@code maxPendingRows} wait. */
  boolean congested() {
    return congested;
  }

  int capacity() {
    return maxPending;
  }

  boolean failing() {
    return failing;
  }

  /** Completes (never fails) once every row added so far is committed or failed: rows go in order. */
  Future<Void> barrier() {
    lock.lock();
    try {
      return last.otherwiseEmpty();
    } finally {
      lock.unlock();
    }
  }

  /**
   * No more retries: what cannot be written now fails (its units were not acknowledged and resend). Rows
   * added later still fail fast once the pool is closed.
   */
  void stop() {
    stopped = true;
  }

  /** On {@link #context}: takes the next batch, or ends the flush when the queue is empty. */
  private void flushNext() {
    List<Row> batch;
    lock.lock();
    try {
      if (queue.isEmpty()) {
        flushing = false;
        batch = null;
      } else {
        batch = new ArrayList<>(Math.min(queue.size(), batchLimit));
        while (batch.size() < batchLimit && !queue.isEmpty()) {
          batch.add(queue.poll());
        }
      }
    } finally {
      lock.unlock();
    }
    if (batch == null) {
      return;
    }
    write(batch);
  }

  private void write(List<Row> batch) {
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
    db.guard(db.pool.preparedQuery(INSERT).execute(Tuple.of(vehicles, times, readings))).onComplete(ar -> {
      if (flushTimer != null) {
        flushTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      }
      if (ar.succeeded()) {
        if (failing) {
          LOG.info("state history: PostgreSQL " + db.where() + " takes rows again");
        }
        failing = false;
        backoffMs = MIN_BACKOFF_MS;
        batchLimit = Math.min(MAX_BATCH, batchLimit * 2);
        settle(batch, null);
        flushNext();
      } else if (PgDatabase.unavailable(ar.cause()) && !stopped) {
        if (failedFlushes != null) {
          failedFlushes.increment();
        }
        if (!failing) {
          LOG.warning("state history: PostgreSQL unavailable, " + pending() + " rows wait (retrying): " + ar.cause().getMessage());
        }
        failing = true;
        long delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        List<Row> retry = shrink(batch);
        context.setTimer(delay, t -> write(retry));
      } else {
        if (failedFlushes != null) {
          failedFlushes.increment();
        }
        LOG.log(Level.WARNING, "state history: PostgreSQL refused a batch of " + n + " rows; their units resend", ar.cause());
        settle(batch, ar.cause());
        flushNext();
      }
    });
  }

  /**
   * After a failed write: halves {@link #batchLimit} and returns the rows to try again, the first ones of
   * {@code batch}; the others go back to the head of the queue, in order (nothing is dropped, ids still
   * increase in arrival order). A timed-out statement may have been committed all the same (its answer came
   * too late): its rows are then written twice, never lost.
   */
  private List<Row> shrink(List<Row> batch) {
    batchLimit = Math.max(MIN_BATCH, batchLimit / 2);
    if (batch.size() <= batchLimit) {
      return batch;
    }
    lock.lock();
    try {
      for (int i = batch.size() - 1; i >= batchLimit; i--) {
        queue.addFirst(batch.get(i));
      }
    } finally {
      lock.unlock();
    }
    return new ArrayList<>(batch.subList(0, batchLimit));
  }

  private void settle(List<Row> batch, Throwable failure) {
    lock.lock();
    try {
      pending -= batch.size();
      if (congested && pending < congestedAt) {
        congested = false;
      }
    } finally {
      lock.unlock();
    }
    // the rows of one caller context (an event loop) are completed by one task on it, in batch order
    java.util.Map<ContextInternal, List<Row>> byCaller = new java.util.IdentityHashMap<>();
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
