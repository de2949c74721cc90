package io.fleetgate.store.pg;

import io.fleetgate.ops.ReadinessCheck;
import io.fleetgate.vehicle.HistoryEntry;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateStore;
import io.fleetgate.vehicle.VehicleLive;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * {@link StateStore} on PostgreSQL. History rows are committed in batches before {@link #record}'s future
 * completes (so a unit's ack means its frame is on disk), through a bounded buffer that rides out a slow or
 * absent database ({@link PgHistoryWriter}). The latest state is written behind, coalesced per vehicle,
 * at most {@code db.writeBehindMs} late ({@link PgLatestWriter}). History is read back by keyset on
 * {@code (vehicle_id, id)}; it is partitioned by UTC day, and retention drops whole days
 * ({@link PgHistoryPartitions}).
 */
public final class PgStateStore implements StateStore {
  private static final Logger LOG = Logger.getLogger("fleetgate.store");
  /** Rows deleted per retention statement where a whole partition cannot be dropped. */
  static final int PURGE_BATCH = PgHistoryPartitions.PURGE_BATCH;
  static final int LOAD_PAGE = 5000;
  static final String LOAD_LATEST = "SELECT vehicle_id, readings, online, life_modified_at, last_contact_at FROM latest_state "
      + "WHERE vehicle_id > $1 ORDER BY vehicle_id LIMIT $2";
  /** Parallel history writers: two keep both cores of a small database server busy (see BENCHMARKS.md). */
  static final int DEFAULT_LANES = 2;
  static final String HISTORY = "SELECT id, recorded_at, readings FROM state_history "
      + "WHERE vehicle_id = $1 AND id < $2 AND recorded_at >= $3 AND recorded_at <= $4 ORDER BY id DESC LIMIT $5";

  private final PgDatabase db;
  /**
   * History writers, each with one batch in flight; a vehicle always goes to the same one (so its rows stay
   * in order and its ids increase), while different vehicles' batches are written in parallel.
   */
  private final PgHistoryWriter[] lanes;
  private final PgLatestWriter latest;
  private final PgHistoryPartitions partitions;

  public PgStateStore(PgDatabase db) {
    this(db, DEFAULT_LANES);
  }

  /** With {@code lanes} history writers in parallel (at most db.poolSize); db.maxPendingRows is shared among them. */
  public PgStateStore(PgDatabase db, int lanes) {
    this.db = db;
    int n = Math.max(1, Math.min(lanes, db.settings.poolSize()));
    this.lanes = new PgHistoryWriter[n];
    for (int i = 0; i < n; i++) {
      this.lanes[i] = new PgHistoryWriter(db, Math.max(1, db.settings.maxPendingRows() / n));
    }
    this.latest = new PgLatestWriter(db, db.settings.writeBehindMs());
    this.partitions = new PgHistoryPartitions(db, db.settings.historyPartitionsAhead());
    latest.start();
  }

  /**
   * Creates the history partitions of today and the days ahead (start-up, before any unit is served); a
   * failure is logged, not fatal: rows land in the default partition until the next run creates the day.
   */
  public Future<Void> preparePartitions() {
    return preparePartitions(Long.MIN_VALUE);
  }

  /**
   * The start-up run of the partition maintenance, retention included (history before {@code retainFromMs}
   * goes), so that the periodic runs need not repeat it at once; a failure is logged, not fatal.
   */
  public Future<Void> preparePartitions(long retainFromMs) {
    return maintain(retainFromMs)
        .<Void>map(o -> {
          if (o.deletedRows() > 0) {
            LOG.info("deleted " + o.deletedRows() + " state-history entries past db.historyRetentionDays");
          }
          return null;
        })
        .recover(e -> {
          LOG.warning("state history: partitions not prepared (rows go to the default partition until the next run): " + e.getMessage());
          return Future.succeededFuture();
        });
  }

  @Override
  public Future<Void> record(String vehicleId, long recordedAtMs, List<Reading> readings) {
    return lane(vehicleId).add(vehicleId, recordedAtMs, PgReadingCodec.encode(readings));
  }

  /** Any lane three quarters full: its vehicles' sessions, and the others, slow down (see PgHistoryWriter). */
  @Override
  public boolean congested() {
    for (PgHistoryWriter w : lanes) {
      if (w.congested()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public int pendingCapacity() {
    int n = 0;
    for (PgHistoryWriter w : lanes) {
      n += w.capacity();
    }
    return n;
  }

  @Override
  public Future<List<HistoryEntry>> history(String vehicleId, long fromMs, long toMs, long beforeId, int limit) {
    return db.guard(db.pool.preparedQuery(HISTORY).execute(Tuple.of(vehicleId, beforeId, fromMs, toMs, limit))).map(rows -> {
      List<HistoryEntry> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        out.add(new HistoryEntry(r.getLong(0), r.getLong(1), PgReadingCodec.decode(r.getBuffer(2))));
      }
      return out;
    });
  }

  /** Deletes after the rows already queued (none of the vehicle's can arrive after) and a write-behind in progress. */
  @Override
  public Future<Void> forget(String vehicleId) {
    return Future.join(lane(vehicleId).barrier(), latest.forget(vehicleId))
        .compose(v -> db.guard(db.pool.withTransaction(c -> c.preparedQuery("DELETE FROM state_history WHERE vehicle_id = $1")
            .execute(Tuple.of(vehicleId))
            .compose(r -> c.preparedQuery("DELETE FROM latest_state WHERE vehicle_id = $1").execute(Tuple.of(vehicleId))))))
        .mapEmpty();
  }

  private PgHistoryWriter lane(String vehicleId) {
    return lanes.length == 1 ? lanes[0] : lanes[Math.floorMod(vehicleId.hashCode(), lanes.length)];
  }

  /**
   * Partition maintenance (the gateway runs it at start-up and every hour): the days ahead are created, days
   * wholly before {@code beforeMs} dropped; completes with the rows deleted one by one (legacy and default
   * partitions only), 0 when another gateway holds the maintenance lock.
   */
  @Override
  public Future<Long> purgeHistory(long beforeMs) {
    return maintain(beforeMs).map(PgHistoryPartitions.Outcome::deletedRows);
  }

  private Future<PgHistoryPartitions.Outcome> maintain(long retainFromMs) {
    return partitions.maintain(System.currentTimeMillis(), retainFromMs).onSuccess(o -> {
      if (!o.created().isEmpty()) {
        LOG.info("state history: created partitions " + o.created());
      }
      if (!o.dropped().isEmpty()) {
        LOG.info("state history: dropped partitions " + o.dropped() + " (past db.historyRetentionDays)");
      }
    });
  }

  @Override
  public void latestChanged(String vehicleId, VehicleLive live) {
    latest.changed(vehicleId, live);
  }

  /** In keyset pages of {@link #LOAD_PAGE} vehicles: each statement short, whatever the fleet size. */
  @Override
  public Future<List<StoredLatest>> loadLatest() {
    return loadLatestAfter("", new ArrayList<>());
  }

  private Future<List<StoredLatest>> loadLatestAfter(String afterId, List<StoredLatest> out) {
    return db.guard(db.pool.preparedQuery(LOAD_LATEST).execute(Tuple.of(afterId, LOAD_PAGE))).compose(rows -> {
      String last = null;
      for (Row r : rows) {
        last = r.getString(0);
        out.add(new StoredLatest(last, PgReadingCodec.decode(r.getBuffer(1)), r.getBoolean(2), r.getLong(3), r.getLong(4)));
      }
      return rows.size() < LOAD_PAGE ? Future.succeededFuture(out) : loadLatestAfter(last, out);
    });
  }

  @Override
  public void bindMetrics(MeterRegistry registry) {
    PgHistoryWriter.bindMetrics(registry, lanes);
    latest.bindMetrics(registry);
  }

  /** Down while the history buffer is full (units are turned away) or a write keeps failing. */
  @Override
  public ReadinessCheck readiness() {
    return ReadinessCheck.of("state-writes", () -> {
      int pending = pendingHistoryRows();
      boolean full = false;
      boolean failing = latest.failing();
      for (PgHistoryWriter w : lanes) {
        full |= w.pending() >= w.capacity();
        failing |= w.failing();
      }
      String backlog = pending + "/" + db.settings.maxPendingRows() + " history rows, " + latest.pending() + " latest states pending";
      if (full) {
        return Future.succeededFuture(ReadinessCheck.Result.down("history buffer full: " + backlog));
      }
      if (failing) {
        return Future.succeededFuture(ReadinessCheck.Result.down("PostgreSQL does not take state writes: " + backlog));
      }
      return Future.succeededFuture(ReadinessCheck.Result.up(backlog));
    });
  }

  /** Writes the queued history rows and the marked latest states (each within db.timeoutMs). */
  @Override
  public Future<Void> close() {
    long timeout = db.settings.timeoutMs();
    List<Future<?>> all = new ArrayList<>();
    for (PgHistoryWriter w : lanes) {
      all.add(w.barrier().timeout(timeout, java.util.concurrent.TimeUnit.MILLISECONDS));
    }
    all.add(latest.stop());
    return Future.join(all)
        .<Void>mapEmpty()
        .onFailure(e -> LOG.warning("state store: not everything was written at stop (" + pendingHistoryRows()
            + " history rows, unacknowledged, their units resend; " + latest.pending() + " latest states): " + e.getMessage()))
        .eventually(() -> {
          for (PgHistoryWriter w : lanes) {
            w.stop();
          }
          return Future.succeededFuture();
        })
        .otherwiseEmpty();
  }

  /** For tests and benchmarks: rows waiting to be committed. */
  public int pendingHistoryRows() {
    int n = 0;
    for (PgHistoryWriter w : lanes) {
      n += w.pending();
    }
    return n;
  }
}
