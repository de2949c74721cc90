package io.fleetgate.store.pg;

import io.fleetgate.events.EventLog;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * Group commit of event-log rows, like {@link PgHistoryWriter} but best effort: {@link #add} never waits and
 * nobody waits for a row. One batch is in flight at a time, on a context of its own; what queued meanwhile
 * is the next batch (up to {@link #MAX_BATCH}, one {@code INSERT ... SELECT FROM unnest(...)}).
 *
 * <p>Bounded: at most {@code maxPending} rows wait. PostgreSQL down: the batch in flight is retried with
 * back-off (100 ms doubling to 5 s) and newer rows queue behind it; once the buffer is full, new rows are
 * dropped (counted, one warning per episode). The log is a convenience for consoles and reconnecting streams;
 * ingestion and the live streams never wait for it. A batch PostgreSQL refuses for a reason of its own is
 * dropped too (logged).
 */
final class PgEventLogWriter {
  private static final Logger LOG = Logger.getLogger("fleetgate.store");
  static final int MAX_BATCH = 1000;
  static final long MIN_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 5000;
  static final String INSERT = "INSERT INTO event_log (fleet_id, message_id, type, vehicle_id, occurred_at, envelope) "
      + "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[]) "
      + "ON CONFLICT DO NOTHING";

  private record Row(String fleetId, EventLog.Entry entry) {}

  /** Completed once rows up to {@code seq} (in add order) are written or given up. */
  private record Waiter(long seq, ContextInternal caller, Promise<Void> done) {}

  private final PgDatabase db;
  private final ContextInternal context;
  private final int maxPending;
  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by {@link #lock}. */
  private final ArrayDeque<Row> queue = new ArrayDeque<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private int pending;
  private boolean flushing;
  private boolean dropping;
  private long added;
  private long settled;
  private long dropped;
  private long backoffMs = MIN_BACKOFF_MS;
  private volatile boolean stopped;

  PgEventLogWriter(PgDatabase db, int maxPending) {
    this.db = db;
    this.context = ((VertxInternal) db.vertx).createEventLoopContext();
    this.maxPending = maxPending;
  }

  /** Any thread, never blocks: queues the row, or drops it when the buffer is full. */
  void add(EventLog.Entry entry, String fleetId) {
    boolean start;
    lock.lock();
    try {
      if (stopped || pending >= maxPending) {
        dropped++;
        if (!dropping) {
          dropping = true;
          LOG.warning("event log: " + pending + " rows wait for PostgreSQL; new events are not logged until it takes rows again");
        }
        return;
      }
      queue.add(new Row(fleetId, entry));
      pending++;
      added++;
      start = !flushing;
      flushing = true;
    } finally {
      lock.unlock();
    }
    if (start) {
      context.runOnContext(v -> flushNext());
    }
  }

  /** Completes (never fails) once every row added so far is written or given up. */
  Future<Void> barrier() {
    lock.lock();
    try {
      if (settled >= added) {
        return Future.succeededFuture();
      }
      Waiter w = new Waiter(added, ((VertxInternal) db.vertx).getOrCreateContext(), Promise.promise());
      waiters.add(w);
      return w.done().future();
    } finally {
      lock.unlock();
    }
  }

  long dropped() {
    lock.lock();
    try {
      return dropped;
    } finally {
      lock.unlock();
    }
  }

  /** No more retries; what is written by the next attempt is kept, the rest is given up. */
  Future<Void> stop() {
    Future<Void> all = barrier();
    stopped = true;
    return all.timeout(db.settings.timeoutMs(), TimeUnit.MILLISECONDS).otherwiseEmpty();
  }

  private void flushNext() {
    List<Row> batch = null;
    lock.lock();
    try {
      if (queue.isEmpty()) {
        flushing = false;
      } else {
        batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
        while (batch.size() < MAX_BATCH && !queue.isEmpty()) {
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

  private void write(List<Row> batch) {
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
    db.guard(db.pool.preparedQuery(INSERT).execute(Tuple.of(fleets, ids, types, vehicles, times, envelopes))).onComplete(ar -> {
      if (ar.succeeded()) {
        backoffMs = MIN_BACKOFF_MS;
        settle(n);
      } else if (PgDatabase.unavailable(ar.cause()) && !stopped) {
        long delay = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        context.setTimer(delay, t -> write(batch));
      } else {
        LOG.warning("event log: PostgreSQL did not take " + n + " rows, they are not logged: " + ar.cause().getMessage());
        settle(n);
      }
    });
  }

  private void settle(int n) {
    List<Waiter> ready = new ArrayList<>();
    lock.lock();
    try {
      pending -= n;
      settled += n;
      if (dropping && pending < maxPending / 2) {
        dropping = false;
        LOG.info("event log: PostgreSQL takes rows again (" + dropped + " events were not logged in all)");
      }
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
    ready.forEach(w -> w.caller().runOnContext(v -> w.done().complete()));
    flushNext();
  }
}
