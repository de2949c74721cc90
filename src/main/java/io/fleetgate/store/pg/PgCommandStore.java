package io.fleetgate.store.pg;

import io.fleetgate.command.Command;
import io.fleetgate.command.CommandStatus;
import io.fleetgate.command.CommandStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@link CommandStore} in PostgreSQL: the durable queue and the history. A status change is a real
 * compare-and-set in SQL ({@code UPDATE … WHERE id AND status AND updated_at}); the statuses only ever move
 * forward, so (status, updated_at) names one version of a command.
 *
 * <p>History retention as in memory: each insert also drops the vehicle's oldest commands beyond
 * {@code historyPerVehicle}, never a QUEUED one (those are bounded by the queue limit instead). Timestamps
 * are kept to the microsecond (PostgreSQL's precision); a command read back equals the one written once its
 * instants are microsecond-truncated, which {@link #insert} does not require of its caller.
 */
public final class PgCommandStore implements CommandStore {
  private static final String COLUMNS =
      "id, seq, vehicle_id, client_id, fleet_id, name, async, status, created_at, expires_at, updated_at, detail";

  // one statement: the insert and the trim of the vehicle's history beyond $13 (the CTEs see the table as it
  // was before the insert, hence the + 1)
  private static final String INSERT = "WITH ins AS (INSERT INTO commands (" + COLUMNS + ", node_id) VALUES "
      + "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14)), "
      + "doomed AS (SELECT id FROM commands WHERE vehicle_id = $3 AND status <> 'QUEUED' ORDER BY seq "
      + "LIMIT GREATEST(0, (SELECT count(*) FROM commands WHERE vehicle_id = $3) + 1 - $13)) "
      + "DELETE FROM commands WHERE id IN (SELECT id FROM doomed)";
  private static final String UPDATE = "UPDATE commands SET status = $4, updated_at = $5, detail = $6 "
      + "WHERE id = $1 AND status = $2 AND updated_at = $3";
  private static final String GET = "SELECT " + COLUMNS + " FROM commands WHERE id = $1";
  private static final String LIST = "SELECT " + COLUMNS + " FROM commands "
      + "WHERE vehicle_id = $1 AND fleet_id = $2 AND seq < $3 ORDER BY seq DESC LIMIT $4";
  private static final String QUEUED = "SELECT " + COLUMNS + " FROM commands "
      + "WHERE vehicle_id = $1 AND status = 'QUEUED' ORDER BY seq";
  private static final String ALL_QUEUED = "SELECT " + COLUMNS + " FROM commands WHERE status = 'QUEUED' ORDER BY seq";
  private static final String COUNT_QUEUED_ASYNC = "SELECT count(*) FROM commands WHERE vehicle_id = $1 AND status = 'QUEUED' AND async";
  /**
   * One transaction-scoped advisory lock per vehicle's queue (two-key form: a key space apart from the single
   * keys of the change feed and the sweeps): the count that follows is taken after the lock, in a statement of
   * its own, so it sees every insert committed before.
   */
  private static final String LOCK_QUEUE = "SELECT pg_advisory_xact_lock(1718380405, hashtext($1))";
  // row locks decide: a second survivor's UPDATE waits for the first and then finds node_id changed
  private static final String ADOPT = "UPDATE commands SET node_id = $2 WHERE node_id = $1 AND status = 'QUEUED' "
      + "RETURNING " + COLUMNS;
  private static final String MAX_SEQ = "SELECT coalesce(max(seq), 0) FROM commands";

  private final PgDatabase db;
  private final int historyPerVehicle;
  /** Inserts and status changes: committed in groups (one WAL flush for all that arrive together). */
  private final PgCommitGroups writes;

  public PgCommandStore(PgDatabase db, int historyPerVehicle) {
    this.db = db;
    this.writes = new PgCommitGroups(db);
    this.historyPerVehicle = historyPerVehicle;
  }

  @Override
  public Future<Void> insert(Command c) {
    return insert(c, null);
  }

  @Override
  public Future<Void> insert(Command c, String nodeId) {
    return writes.execute(INSERT, insertTuple(c, nodeId)).mapEmpty();
  }

  private Tuple insertTuple(Command c, String nodeId) {
    return Tuple.tuple().addUUID(c.id()).addLong(c.seq()).addString(c.vehicleId())
        .addString(c.clientId()).addString(c.fleetId()).addString(c.name()).addBoolean(c.async())
        .addString(c.status().name()).addOffsetDateTime(time(c.createdAt())).addOffsetDateTime(time(c.expiresAt()))
        .addOffsetDateTime(time(c.updatedAt())).addString(c.detail()).addInteger(historyPerVehicle).addString(nodeId);
  }

  @Override
  public Future<Boolean> insertQueuedWithin(Command c, int limit, String nodeId) {
    Tuple vehicle = Tuple.of(c.vehicleId());
    return db.guard(db.pool.withTransaction(conn -> conn.preparedQuery(LOCK_QUEUE).execute(vehicle)
        .compose(x -> conn.preparedQuery(COUNT_QUEUED_ASYNC).execute(vehicle))
        .compose(rows -> rows.iterator().next().getLong(0) >= limit ? Future.succeededFuture(false)
            : conn.preparedQuery(INSERT).execute(insertTuple(c, nodeId)).map(true))));
  }

  @Override
  public Future<Boolean> update(Command expected, Command next) {
    if (!expected.id().equals(next.id())) {
      return Future.succeededFuture(false);
    }
    Tuple t = Tuple.of(expected.id(), expected.status().name(), time(expected.updatedAt()), next.status().name(),
        time(next.updatedAt()), next.detail());
    return writes.execute(UPDATE, t).map(rows -> rows.rowCount() == 1);
  }

  @Override
  public Future<Command> get(UUID id) {
    return db.guard(db.pool.preparedQuery(GET).execute(Tuple.of(id)))
        .map(rows -> rows.size() == 0 ? null : command(rows.iterator().next()));
  }

  @Override
  public Future<List<Command>> list(String vehicleId, String fleetId, long beforeSeq, int limit) {
    return db.guard(db.pool.preparedQuery(LIST).execute(Tuple.of(vehicleId, fleetId, beforeSeq, limit))).map(PgCommandStore::commands);
  }

  @Override
  public Future<List<Command>> queued(String vehicleId) {
    return db.guard(db.pool.preparedQuery(QUEUED).execute(Tuple.of(vehicleId))).map(PgCommandStore::commands);
  }

  @Override
  public Future<List<Command>> loadQueued() {
    return db.guard(db.pool.preparedQuery(ALL_QUEUED).execute()).map(PgCommandStore::commands);
  }

  @Override
  public Future<List<Command>> adoptQueued(String departedNode, String self) {
    return db.guard(db.pool.preparedQuery(ADOPT).execute(Tuple.of(departedNode, self)))
        .map(rows -> commands(rows).stream().sorted(java.util.Comparator.comparingLong(Command::seq)).toList());
  }

  @Override
  public Future<Long> maxSeq() {
    return db.guard(db.pool.preparedQuery(MAX_SEQ).execute()).map(rows -> rows.iterator().next().getLong(0));
  }

  @Override
  public Future<Long> nextSharedSeq() {
    return db.guard(db.pool.preparedQuery("SELECT nextval('command_seq')").execute()).map(rows -> rows.iterator().next().getLong(0));
  }

  @Override
  public Future<Void> sharedSeqAtLeast(long seq) {
    return db.guard(db.pool.preparedQuery("SELECT setval('command_seq', $1) FROM command_seq WHERE last_value < $1")
        .execute(io.vertx.sqlclient.Tuple.of(seq))).mapEmpty();
  }

  private static List<Command> commands(RowSet<Row> rows) {
    List<Command> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      out.add(command(r));
    }
    return out;
  }

  private static Command command(Row r) {
    return new Command(r.getUUID(0), r.getLong(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
        r.getBoolean(6), CommandStatus.valueOf(r.getString(7)), instant(r.getOffsetDateTime(8)),
        instant(r.getOffsetDateTime(9)), instant(r.getOffsetDateTime(10)), r.getString(11));
  }

  /** An instant as PostgreSQL keeps it (microseconds), so that what is compared is what was written. */
  static OffsetDateTime time(Instant i) {
    return i.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
  }

  static Instant instant(OffsetDateTime t) {
    return t.toInstant();
  }
}
