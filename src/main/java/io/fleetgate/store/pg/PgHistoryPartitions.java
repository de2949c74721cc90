package io.fleetgate.store.pg;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maintenance of the day partitions of {@code state_history} (migration V7): creates the partitions of today
 * and the next {@code ahead} UTC days, drops the partitions wholly older than the retention cut-off, and
 * deletes, in short statements, the rows past it in the two partitions that are not a day (the legacy table of
 * an upgrade, the default partition). Rows a day partition covers only in part are kept until the whole day
 * has passed: retention is at least db.historyRetentionDays and less than one day more.
 *
 * <p>One gateway at a time: the work runs on one connection holding a session advisory lock
 * ({@code pg_try_advisory_lock}); another gateway on the same database finds it taken and skips its turn.
 * Every DDL statement runs in its own short transaction with a lock timeout, so that it never queues the
 * ingest behind it for long (attaching and dropping a partition lock the parent briefly); a step that fails
 * is logged and retried by the next run, and the others still run.
 */
final class PgHistoryPartitions {
  private static final Logger LOG = Logger.getLogger("fleetgate.store");
  static final long DAY_MS = 86_400_000L;
  /** The advisory lock key of this maintenance: "fleetgat" in ASCII, unlikely to collide with anything else's. */
  static final long LOCK_KEY = 0x666c656574676174L;
  /** How long a DDL statement waits for a table lock before it gives up (and the next run tries again). */
  static final int LOCK_TIMEOUT_MS = 2000;
  /** Rows deleted per statement in the legacy and default partitions: short statements, short locks. */
  static final int PURGE_BATCH = 5000;
  static final String LEGACY = "state_history_legacy";
  static final String DEFAULT = "state_history_default";
  static final String LIST = "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
      + "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'state_history'::regclass";
  // the oldest PURGE_BATCH rows by id (recorded_at grows with id), of which those past retention
  static final String PURGE_LEGACY = "DELETE FROM " + LEGACY + " WHERE id IN (SELECT id FROM (SELECT id, recorded_at FROM "
      + LEGACY + " ORDER BY id LIMIT " + PURGE_BATCH + ") oldest WHERE recorded_at < $1)";
  static final String PURGE_DEFAULT = "DELETE FROM " + DEFAULT + " WHERE ctid = ANY (ARRAY(SELECT ctid FROM " + DEFAULT
      + " WHERE recorded_at < $1 ORDER BY recorded_at LIMIT " + PURGE_BATCH + "))";
  private static final Pattern RANGE = Pattern.compile("FOR VALUES FROM \\((.+)\\) TO \\((.+)\\)");
  private static final DateTimeFormatter DAY_NAME = DateTimeFormatter.BASIC_ISO_DATE;

  /** A partition and its range of recorded_at, {@code [fromMs, toMs)}; the default partition has none. */
  record Partition(String name, long fromMs, long toMs, boolean isDefault) {
    boolean overlaps(long from, long to) {
      return !isDefault && fromMs < to && from < toMs;
    }
  }

  /** What a run did; {@code ran} false when another gateway held the lock. */
  record Outcome(boolean ran, List<String> created, List<String> dropped, long deletedRows, int failedSteps) {
    static final Outcome SKIPPED = new Outcome(false, List.of(), List.of(), 0, 0);
  }

  private final PgDatabase db;
  private final int ahead;

  PgHistoryPartitions(PgDatabase db, int ahead) {
    this.db = db;
    this.ahead = ahead;
  }

  /** The partition of the UTC day {@code dayStartMs} starts: state_history_pYYYYMMDD. */
  static String dayName(long dayStartMs) {
    return "state_history_p" + LocalDate.ofEpochDay(Math.floorDiv(dayStartMs, DAY_MS)).format(DAY_NAME);
  }

  /**
   * Creates the partitions of the day of {@code nowMs} and the {@code ahead} days after it, then applies
   * retention: history recorded before {@code retainFromMs} goes ({@link Long#MIN_VALUE}: none).
   */
  Future<Outcome> maintain(long nowMs, long retainFromMs) {
    return db.pool.withConnection(conn -> conn.query("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")").execute().compose(rows -> {
      if (!rows.iterator().next().getBoolean(0)) {
        return Future.succeededFuture(Outcome.SKIPPED);
      }
      return underLock(conn, nowMs, retainFromMs)
          .eventually(() -> conn.query("SELECT pg_advisory_unlock(" + LOCK_KEY + ")").execute());
    }));
  }

  private Future<Outcome> underLock(SqlConnection conn, long nowMs, long retainFromMs) {
    Run run = new Run();
    return list(conn)
        .compose(parts -> createAhead(conn, parts, nowMs, run).map(parts))
        .compose(parts -> retain(conn, parts, retainFromMs, run))
        .map(v -> new Outcome(true, run.created, run.dropped, run.deleted, run.failed));
  }

  /** What one run did, confined to its connection's pipeline. */
  private static final class Run {
    final List<String> created = new ArrayList<>();
    final List<String> dropped = new ArrayList<>();
    long deleted;
    int failed;
  }

  static Future<List<Partition>> list(SqlConnection conn) {
    return conn.query(LIST).execute().map(rows -> {
      List<Partition> out = new ArrayList<>();
      for (Row r : rows) {
        String bound = r.getString(1);
        Matcher m = RANGE.matcher(bound);
        if (m.matches()) {
          out.add(new Partition(r.getString(0), bound(m.group(1)), bound(m.group(2)), false));
        } else {
          out.add(new Partition(r.getString(0), 0, 0, true));
        }
      }
      return out;
    });
  }

  private static long bound(String value) {
    return switch (value) {
      case "MINVALUE" -> Long.MIN_VALUE;
      case "MAXVALUE" -> Long.MAX_VALUE;
      default -> Long.parseLong(value.replace("'", ""));
    };
  }

  /**
   * Each missing day: a plain table filled with whatever the default partition holds of that day, then
   * attached. ATTACH locks the parent less than CREATE TABLE … PARTITION OF (ingest carries on), and a day
   * the default partition holds rows of could not be created as a partition at all.
   */
  private Future<Void> createAhead(SqlConnection conn, List<Partition> parts, long nowMs, Run run) {
    long today = Math.floorDiv(nowMs, DAY_MS) * DAY_MS;
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i <= ahead; i++) {
      long from = today + i * DAY_MS;
      long to = from + DAY_MS;
      if (parts.stream().anyMatch(p -> p.overlaps(from, to))) {
        continue;
      }
      String name = dayName(from);
      chain = chain.compose(v -> step(run, "create " + name, inTransaction(conn, c -> c
          .query("CREATE TABLE " + name + " (LIKE state_history INCLUDING DEFAULTS INCLUDING CONSTRAINTS)").execute()
          .compose(r -> c.preparedQuery("WITH moved AS (DELETE FROM " + DEFAULT + " WHERE recorded_at >= $1 AND recorded_at < $2 "
              + "RETURNING id, vehicle_id, recorded_at, readings) INSERT INTO " + name + " SELECT * FROM moved").execute(Tuple.of(from, to)))
          .compose(r -> c.query("ALTER TABLE state_history ATTACH PARTITION " + name + " FOR VALUES FROM (" + from + ") TO (" + to + ")")
              .execute()))
          .onSuccess(x -> run.created.add(name))));
    }
    return chain;
  }

  private Future<Void> retain(SqlConnection conn, List<Partition> parts, long retainFromMs, Run run) {
    if (retainFromMs == Long.MIN_VALUE) {
      return Future.succeededFuture();
    }
    Future<Void> chain = Future.succeededFuture();
    boolean legacyStays = false;
    for (Partition p : parts) {
      if (!p.isDefault() && p.toMs() <= retainFromMs) {
        chain = chain.compose(v -> step(run, "drop " + p.name(), inTransaction(conn, c -> c.query("DROP TABLE " + p.name()).execute())
            .onSuccess(x -> run.dropped.add(p.name()))));
      } else if (p.name().equals(LEGACY) && p.fromMs() < retainFromMs) {
        legacyStays = true;
      }
    }
    if (legacyStays) {
      chain = chain.compose(v -> step(run, "purge " + LEGACY, purge(conn, PURGE_LEGACY, retainFromMs, run)));
    }
    return chain.compose(v -> step(run, "purge " + DEFAULT, purge(conn, PURGE_DEFAULT, retainFromMs, run)));
  }

  /** One short DELETE after another while rows past retention remain. */
  private Future<Void> purge(SqlConnection conn, String sql, long retainFromMs, Run run) {
    return conn.preparedQuery(sql).execute(Tuple.of(retainFromMs)).compose(r -> {
      run.deleted += r.rowCount();
      return r.rowCount() == 0 ? Future.succeededFuture() : purge(conn, sql, retainFromMs, run);
    });
  }

  /** A failed step is logged and counted; the run goes on with the next (the next run retries it). */
  private static Future<Void> step(Run run, String what, Future<?> work) {
    return work.<Void>mapEmpty().recover(e -> {
      run.failed++;
      LOG.warning("state-history partitions: " + what + " failed, retried by the next run: " + e.getMessage());
      return Future.succeededFuture();
    });
  }

  private static Future<Void> inTransaction(SqlConnection conn, Function<SqlConnection, Future<?>> work) {
    return conn.begin().compose(tx -> conn.query("SET LOCAL lock_timeout = " + LOCK_TIMEOUT_MS).execute()
        .compose(r -> work.apply(conn))
        .compose(r -> tx.commit(), e -> tx.rollback().otherwiseEmpty().compose(v -> Future.failedFuture(e))));
  }
}
