package io.fleetgate.cluster;

import io.fleetgate.store.pg.PgDatabase;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * The unit → (node, epoch) ownership rows in PostgreSQL ({@code unit_owners}), the source of truth every node's
 * {@link Owners} cache follows. Every write is conditional: a claim always takes a new, higher epoch; a release
 * and a dead node's sweep delete only rows that still hold what the caller expects.
 */
final class OwnershipStore {
  /** A claim's outcome: this node's new epoch, and who held the unit before (null when nobody did). */
  record Claim(long epoch, String previousNode, long previousEpoch) {}

  /** One ownership row. */
  record Owned(String vehicleId, String unitId, String nodeId, long epoch) {}

  /**
   * The previous owner is read from the statement's snapshot (a FOR UPDATE there would skip the row this same
   * statement updates); two claims racing for a unit without a row both report none, which the owner notices
   * settle: a node hearing of a newer claim closes its older session.
   */
  private static final String CLAIM = """
      WITH old AS (SELECT node_id, epoch FROM unit_owners WHERE vehicle_id = $1),
        up AS (INSERT INTO unit_owners (vehicle_id, unit_id, node_id, epoch) VALUES ($1, $2, $3, nextval('unit_owner_epoch'))
          ON CONFLICT (vehicle_id) DO UPDATE SET unit_id = excluded.unit_id, node_id = excluded.node_id, epoch = excluded.epoch,
            claimed_at = now()
          RETURNING epoch)
      SELECT up.epoch, old.node_id AS previous_node, old.epoch AS previous_epoch FROM up LEFT JOIN old ON true""";
  private static final String RELEASE = "DELETE FROM unit_owners WHERE vehicle_id = $1 AND node_id = $2 AND epoch = $3";
  private static final String SWEEP_NODE = "DELETE FROM unit_owners WHERE node_id = $1 RETURNING vehicle_id, unit_id, node_id, epoch";
  /** Rows of nodes that are not members (gone while nobody watched, e.g. the whole cluster restarted). */
  private static final String SWEEP_ABSENT = """
      DELETE FROM unit_owners WHERE NOT (node_id = ANY($1)) AND claimed_at < now() - make_interval(secs => $2)
      RETURNING vehicle_id, unit_id, node_id, epoch""";
  private static final String ALL = "SELECT vehicle_id, unit_id, node_id, epoch FROM unit_owners";
  private static final String HOLDS = "SELECT 1 FROM unit_owners WHERE vehicle_id = $1 AND node_id = $2 AND epoch = $3";

  private final PgDatabase db;

  OwnershipStore(PgDatabase db) {
    this.db = db;
  }

  /** Makes {@code nodeId} the owner of the vehicle's unit with a new epoch (the newest claim wins). */
  Future<Claim> claim(String vehicleId, String unitId, String nodeId) {
    return db.guard(db.pool.preparedQuery(CLAIM).execute(Tuple.of(vehicleId, unitId, nodeId))).map(rows -> {
      Row r = rows.iterator().next();
      Long previous = r.getLong("previous_epoch");
      return new Claim(r.getLong("epoch"), r.getString("previous_node"), previous == null ? 0 : previous);
    });
  }

  /** Deletes the row only while it is still {@code (nodeId, epoch)}; false when a newer claim replaced it. */
  Future<Boolean> release(String vehicleId, String nodeId, long epoch) {
    return db.guard(db.pool.preparedQuery(RELEASE).execute(Tuple.of(vehicleId, nodeId, epoch))).map(rows -> rows.rowCount() == 1);
  }

  /** Whether the row is still {@code (nodeId, epoch)}. */
  Future<Boolean> holds(String vehicleId, String nodeId, long epoch) {
    return db.guard(db.pool.preparedQuery(HOLDS).execute(Tuple.of(vehicleId, nodeId, epoch))).map(rows -> rows.size() == 1);
  }

  /** Deletes a departed node's rows; each row goes to exactly one caller, however many survivors ask at once. */
  Future<List<Owned>> sweepNode(String nodeId) {
    return db.guard(db.pool.preparedQuery(SWEEP_NODE).execute(Tuple.of(nodeId))).map(OwnershipStore::rows);
  }

  /** Deletes rows of nodes not in {@code members}, claimed more than {@code graceSeconds} ago. */
  Future<List<Owned>> sweepAbsent(List<String> members, int graceSeconds) {
    return db.guard(db.pool.preparedQuery(SWEEP_ABSENT).execute(Tuple.of(members.toArray(new String[0]), graceSeconds)))
        .map(OwnershipStore::rows);
  }

  Future<List<Owned>> all() {
    return db.guard(db.pool.preparedQuery(ALL).execute()).map(OwnershipStore::rows);
  }

  private static List<Owned> rows(io.vertx.sqlclient.RowSet<Row> rows) {
    List<Owned> out = new ArrayList<>(rows.rowCount());
    for (Row r : rows) {
      out.add(new Owned(r.getString("vehicle_id"), r.getString("unit_id"), r.getString("node_id"), r.getLong("epoch")));
    }
    return out;
  }
}
