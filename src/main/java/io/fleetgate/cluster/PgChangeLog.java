package io.fleetgate.cluster;

import io.fleetgate.store.pg.PgDatabase;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@link ChangeLog} on PostgreSQL: tables {@code changes} and {@code change_horizon}, filled by triggers (migration V9). */
public final class PgChangeLog implements ChangeLog {
  private static final String HEAD = "SELECT greatest((SELECT max(seq) FROM changes), (SELECT seq FROM change_horizon)),"
      + " (SELECT array_agg(node_id) FROM cluster_nodes WHERE seen_at > now() - make_interval(secs => $1))";
  private static final String AFTER = "WITH stamp AS (INSERT INTO cluster_nodes (node_id, seen_at) SELECT $3::text, now() WHERE $3::text IS NOT NULL"
      + " ON CONFLICT (node_id) DO UPDATE SET seen_at = EXCLUDED.seen_at)"
      + " SELECT h.seq, c.seq, c.kind, c.id FROM change_horizon h"
      + " LEFT JOIN LATERAL (SELECT seq, kind, id FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2) c ON true ORDER BY c.seq";
  private static final String PURGE = "WITH d AS (DELETE FROM changes WHERE at < now() - make_interval(secs => $1) RETURNING seq)"
      + " UPDATE change_horizon SET seq = greatest(seq, (SELECT max(seq) FROM d)) WHERE EXISTS (SELECT 1 FROM d)"
      + " RETURNING (SELECT count(*) FROM d)";

  private final PgDatabase db;

  public PgChangeLog(PgDatabase db) {
    this.db = db;
  }

  @Override
  public Future<Head> head(long readersWithinMs) {
    return db.guard(db.pool.preparedQuery(HEAD).execute(Tuple.of(readersWithinMs / 1000.0))).map(rows -> {
      Row r = rows.iterator().next();
      String[] readers = r.getArrayOfStrings(1);
      return new Head(r.getLong(0), readers == null ? Set.of() : Set.of(readers));
    });
  }

  @Override
  public Future<Void> leave(String reader) {
    return db.guard(db.pool.preparedQuery("DELETE FROM cluster_nodes WHERE node_id = $1").execute(Tuple.of(reader))).mapEmpty();
  }

  @Override
  public Future<Batch> after(long seq, int max, String reader) {
    return db.guard(db.pool.preparedQuery(AFTER).execute(Tuple.of(seq, max, reader))).map(rows -> {
      long horizon = 0;
      List<Change> changes = new ArrayList<>(rows.size());
      for (Row r : rows) {
        horizon = r.getLong(0);
        if (r.getLong(1) != null) {
          changes.add(new Change(r.getLong(1), r.getString(2), r.getString(3)));
        }
      }
      return new Batch(horizon, changes);
    });
  }

  @Override
  public Future<Integer> purge(long olderThanSeconds) {
    Tuple age = Tuple.of((double) olderThanSeconds);
    return db.guard(db.pool.preparedQuery("DELETE FROM cluster_nodes WHERE seen_at < now() - make_interval(secs => $1)").execute(age))
        .compose(v -> db.guard(db.pool.preparedQuery(PURGE).execute(age)))
        .map(rows -> rows.size() == 0 ? 0 : rows.iterator().next().getLong(0).intValue());
  }
}
