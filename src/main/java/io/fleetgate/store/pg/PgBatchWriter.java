package io.fleetgate.store.pg;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit of rows into one table: {@link #offer} queues a row from any thread. One batch is in flight at a
 * time, on a context of its own: whatever queued while it ran is the next batch (up to {@code maxBatch} rows, one
 * multi-row statement of the {@link Table}), so batches grow with the load and a row never waits for a timer.
 * Rows are written in the order they were offered.
 *
 * <p>Bounded: at most {@code maxPending} rows wait (queued or in flight); beyond that {@link #offer} refuses
 * and the caller decides (fail, drop). PostgreSQL unavailable: the batch in flight is retried with back-off
 * (100 ms doubling to 5 s), halved each time (down to {@link #MIN_BATCH} rows, the rest back at the head of the
 * queue, so that a slow link that cannot carry a big batch within db.timeoutMs still moves rows), until it is
 * written or the writer is {@link #stop stopped}; the rows behind it wait in order. A statement that timed out
 * may have committed all the same: its rows are then written twice, never lost. From three quarters of
 * {@code maxPending} on the writer is {@link #congested}. A batch PostgreSQL refuses for a reason of its own (not a lost connection) is given up.
 *
 * @param <R> a queued row
 */
final class PgBatchWriter<R> {
  static final long MIN_BACKOFF_MS = 100;
  /** The smallest batch a failed one is halved to. */
  static final int MIN_BATCH = 100;
  static final long MAX_BACKOFF_MS = 5000;

  /** The table side: how a batch is written, and what becomes of its rows. Called on the writer's context. */
  interface Table<R> {
    /** Writes {@code batch} with one statement. */
    Future<?> insert(List<R> batch);

    /**
     * {@code batch} is done: written ({@code failure} null), or given up (refused by PostgreSQL, or PostgreSQL
     * unavailable after {@link #stop}). Its rows have left the pending count.
     */
    void settled(List<R> batch, Throwable failure);

    /** A write failed because PostgreSQL is unavailable; it is retried after the back-off. */
    default void retrying(Throwable cause) {}
  }

  /** Completed once rows up to {@code seq} (in offer order) are settled. */
  private record Waiter(long seq, ContextInternal caller, Promise<Void> done) {}

  private final PgDatabase db;
  private final Table<R> table;
  private final ContextInternal context;
  private final int maxBatch;
  private final int maxPending;
  /** {@link #pending} at which the writer is congested. */
  private final int congestedAt;
  /** {@link #pending} at or above {@link #congestedAt}; written under the lock, read on every frame without it. */
  private volatile boolean congested;
  /** Rows the next statement may take: halved after a failed write, doubled back after each success. Confined to {@link #context}. */
  private int batchLimit;
  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by {@link #lock}, like the counters below. */
  private final ArrayDeque<R> queue = new ArrayDeque<>();
  private final List<Waiter> waiters = new ArrayList<>();
  /** Rows queued or in flight. */
  private int pending;
  /** A flush is scheduled or running (only one at a time). */
  private boolean flushing;
  private long offered;
  private long settled;
  /** Confined to {@link #context}. */
  private long backoffMs = MIN_BACKOFF_MS;
  private volatile boolean stopped;

  PgBatchWriter(PgDatabase db, int maxBatch, int maxPending, Table<R> table) {
    this.db = db;
    this.table = table;
    this.context = ((VertxInternal) db.vertx).createEventLoopContext();
    this.maxBatch = maxBatch;
    this.maxPending = maxPending;
    this.congestedAt = Math.max(1, maxPending - maxPending / 4);
    this.batchLimit = maxBatch;
  }

  /** At least three quarters of {@code maxPending} rows wait. */
  boolean congested() {
    return congested;
  }

  /** Any thread, never blocks: queues {@code row}, or returns false when {@code maxPending} rows wait already. */
  boolean offer(R row) {
    boolean start;
    lock.lock();
    try {
      if (pending >= maxPending) {
        return false;
      }
      queue.add(row);
      if (++pending >= congestedAt) {
        congested = true;
      }
      offered++;
      start = !flushing;
      flushing = true;
    } finally {
      lock.unlock();
    }
    if (start) {
      context.runOnContext(v -> flushNext());
    }
    return true;
  }

  int pending() {
    lock.lock();
    try {
      return pending;
    } finally {
      lock.unlock();
    }
  }

  int capacity() {
    return maxPending;
  }

  boolean stopped() {
    return stopped;
  }

  /** Completes (never fails), on the caller's context, once every row offered so far is settled. */
  Future<Void> barrier() {
    lock.lock();
    try {
      if (settled >= offered) {
        return Future.succeededFuture();
      }
      Waiter w = new Waiter(offered, ((VertxInternal) db.vertx).getOrCreateContext(), Promise.promise());
      waiters.add(w);
      return w.done().future();
    } finally {
      lock.unlock();
    }
  }

  /** No more retries: a batch that cannot be written now is given up. */
  void stop() {
    stopped = true;
  }

  /** On {@link #context}: takes the next batch, or ends the flush when the queue is empty. */
  private void flushNext() {
    List<R> batch = null;
    lock.lock();
    try {
      if (queue.isEmpty()) {
        flushing = false;
      } else {
        batch = new ArrayList<>(Math.min(queue.size(), batchLimit));
        while (batch.size() < batchLimit && !queue.isEmpty()) {
          batch.add(queue.poll());
        }
      }
    } finally {
      lock.unlock();
    }
    if (batch != null) {
      write(batch);
    }
  }

  private void write(List<R> batch) {
    table.insert(batch).onComplete(ar -> {
      if (ar.succeeded()) {
        backoffMs = MIN_BACKOFF_MS;
        batchLimit = Math.min(maxBatch, batchLimit * 2);
        settle(batch, null);
      } else if (PgDatabase.unavailable(ar.cause()) && !stopped) {
        table.retrying(ar.cause());
        long delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        List<R> retry = shrink(batch);
        context.setTimer(delay, t -> write(retry));
      } else {
        settle(batch, ar.cause());
      }
    });
  }

  /**
   * After a failed write: halves {@link #batchLimit} and returns the rows to try again, the first ones of
   * {@code batch}; the others go back to the head of the queue, in order (nothing is dropped, order kept).
   */
  private List<R> shrink(List<R> batch) {
    batchLimit = Math.max(Math.min(MIN_BATCH, maxBatch), batchLimit / 2);
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

  private void settle(List<R> batch, Throwable failure) {
    List<Waiter> ready = new ArrayList<>();
    lock.lock();
    try {
      pending -= batch.size();
      if (congested && pending < congestedAt) {
        congested = false;
      }
      settled += batch.size();
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.seq() <= settled) {
          ready.add(w);
          it.remove();
        }
      }
    } finally {
      lock.unlock();
    }
    table.settled(batch, failure);
    ready.forEach(w -> w.caller().runOnContext(v -> w.done().complete()));
    flushNext();
  }
}
