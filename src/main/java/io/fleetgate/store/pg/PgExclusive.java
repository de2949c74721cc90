package io.fleetgate.store.pg;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * A sweep that one gateway at a time runs on a database (several nodes of a cluster share it, each with the
 * same hourly timer): its statements run while this holds a session advisory lock on one pooled connection
 * ({@code pg_try_advisory_lock}, never waited for); a gateway that finds the lock taken skips its turn.
 * Nothing Hazelcast can lose in a split: the lock lives and dies with the PostgreSQL session.
 */
final class PgExclusive {
  /** The keys: "fgsweep" and a number, apart from {@link PgHistoryPartitions#LOCK_KEY}. */
  static final long EVENT_LOG_PURGE = 0x6667737765657001L;
  static final long INVITATION_PURGE = 0x6667737765657002L;

  private PgExclusive() {}

  /** Runs {@code work} under the lock {@code key}, or completes with {@code skipped} when another holds it. */
  static <T> Future<T> orSkip(PgDatabase db, long key, Supplier<Future<T>> work, T skipped) {
    return db.guard(db.pool.withConnection(conn -> conn.query("SELECT pg_try_advisory_lock(" + key + ")").execute().compose(rows -> {
      if (!rows.iterator().next().getBoolean(0)) {
        return Future.succeededFuture(skipped);
      }
      return work.get().eventually(() -> conn.query("SELECT pg_advisory_unlock(" + key + ")").execute());
    })));
  }
}
