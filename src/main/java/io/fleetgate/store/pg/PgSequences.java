package io.fleetgate.store.pg;

import io.fleetgate.support.SeqSource;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;

/** The shared creation sequences of a cluster (migration V10): vehicles, sharings, partnerships. */
public final class PgSequences {
  public static final String VEHICLES = "vehicle_seq";
  public static final String SHARINGS = "sharing_id_seq";
  public static final String PARTNERSHIPS = "partnership_seq";

  private final PgDatabase db;

  public PgSequences(PgDatabase db) {
    this.db = db;
  }

  /** The source drawing from {@code sequence} (one of the names above). */
  public SeqSource source(String sequence) {
    String sql = "SELECT nextval('" + sequence + "')";
    return () -> db.guard(db.pool.preparedQuery(sql).execute()).map(rows -> rows.iterator().next().getLong(0));
  }

  /**
   * Moves each sequence above the highest value stored: a single-node gateway on this database counted in
   * memory meanwhile (and values below a sequence's own are never handed out again either way).
   */
  public Future<Void> catchUp() {
    return catchUp(VEHICLES, "SELECT COALESCE(max(seq), 0) FROM vehicle_ids")
        .compose(v -> catchUp(SHARINGS, "SELECT COALESCE(max(id), 0) FROM sharings"))
        .compose(v -> catchUp(PARTNERSHIPS, "SELECT COALESCE(max(seq), 0) FROM partnerships"));
  }

  private Future<Void> catchUp(String sequence, String highestStored) {
    String sql = "SELECT setval('" + sequence + "', m) FROM (" + highestStored + ") AS s(m), " + sequence
        + " WHERE last_value < m";
    return db.guard(db.pool.preparedQuery(sql).execute(Tuple.tuple())).mapEmpty();
  }
}
