package io.fleetgate.store.pg;

import static io.fleetgate.store.pg.PgCommandStore.instant;
import static io.fleetgate.store.pg.PgCommandStore.time;

import io.fleetgate.access.Partnership;
import io.fleetgate.access.Sharing;
import io.fleetgate.problem.DuplicateKeyException;
import io.fleetgate.sharing.Invitation;
import io.fleetgate.sharing.SharingStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@link SharingStore} in PostgreSQL. The races the interface names are arbitrated by the database: the pair's
 * primary key (a second partnership of the same two fleets), the vehicle's primary key (a second sharing of
 * one vehicle), and {@code DELETE … RETURNING} (an invitation is taken by exactly one caller).
 */
public final class PgSharingStore implements SharingStore {
  private static final String INSERT_PARTNERSHIP = "INSERT INTO partnerships (fleet_a, fleet_b, seq, since) VALUES ($1, $2, $3, $4)";
  private static final String DELETE_PARTNERSHIP = "DELETE FROM partnerships WHERE fleet_a = $1 AND fleet_b = $2";
  private static final String LOAD_PARTNERSHIPS = "SELECT seq, fleet_a, fleet_b, since FROM partnerships ORDER BY seq";

  private static final String INVITATION_COLUMNS = "id, fleet_id, code_hash, created_at, expires_at";
  private static final String INSERT_INVITATION = "INSERT INTO invitations (" + INVITATION_COLUMNS + ") VALUES ($1, $2, $3, $4, $5)";
  private static final String FIND_INVITATION = "SELECT " + INVITATION_COLUMNS + " FROM invitations WHERE code_hash = $1";
  private static final String TAKE_INVITATION = "DELETE FROM invitations WHERE code_hash = $1 RETURNING " + INVITATION_COLUMNS;
  private static final String DELETE_INVITATION = "DELETE FROM invitations WHERE fleet_id = $1 AND id = $2";
  private static final String INVITATIONS_OF = "SELECT " + INVITATION_COLUMNS + " FROM invitations WHERE fleet_id = $1 ORDER BY created_at, id";
  private static final String DELETE_EXPIRED = "DELETE FROM invitations WHERE expires_at <= $1";

  private static final String SHARING_COLUMNS =
      "id, vehicle_id, vehicle_seq, owner_fleet_id, partner_fleet_id, starts_at_ms, ends_at_ms, started, created_at";
  private static final String INSERT_SHARING = "INSERT INTO sharings (" + SHARING_COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
  // only the record with this id: a late write about an earlier sharing never touches a later one
  private static final String UPDATE_SHARING = "UPDATE sharings SET starts_at_ms = $3, ends_at_ms = $4, started = $5 "
      + "WHERE vehicle_id = $1 AND id = $2";
  private static final String MARK_STARTED = "UPDATE sharings SET started = true WHERE vehicle_id = $1 AND id = $2 AND NOT started";
  private static final String DELETE_SHARING = "DELETE FROM sharings WHERE vehicle_id = $1 AND id = $2";
  private static final String LOAD_SHARINGS = "SELECT " + SHARING_COLUMNS + " FROM sharings ORDER BY id";

  private final PgDatabase db;

  public PgSharingStore(PgDatabase db) {
    this.db = db;
  }

  // partnerships

  @Override
  public Future<Void> insertPartnership(Partnership p) {
    Tuple t = Tuple.of(p.fleetA(), p.fleetB(), p.seq(), time(p.since()));
    return write(INSERT_PARTNERSHIP, t, e -> new DuplicateKeyException(PARTNERSHIP, "partnership " + p.fleetA() + "/" + p.fleetB()));
  }

  @Override
  public Future<Boolean> deletePartnership(String fleetA, String fleetB) {
    Partnership pair = Partnership.of(0, fleetA, fleetB, null);
    return db.guard(db.pool.preparedQuery(DELETE_PARTNERSHIP).execute(Tuple.of(pair.fleetA(), pair.fleetB())))
        .map(rows -> rows.rowCount() > 0);
  }

  @Override
  public Future<List<Partnership>> loadPartnerships() {
    return query(LOAD_PARTNERSHIPS, Tuple.tuple(), PgSharingStore::partnership);
  }

  @Override
  public Future<Partnership> loadPartnership(String fleetA, String fleetB) {
    Partnership pair = Partnership.of(0, fleetA, fleetB, null);
    return query("SELECT seq, fleet_a, fleet_b, since FROM partnerships WHERE fleet_a = $1 AND fleet_b = $2",
        Tuple.of(pair.fleetA(), pair.fleetB()), PgSharingStore::partnership).map(PgSharingStore::firstOrNull);
  }

  private static Partnership partnership(Row r) {
    return new Partnership(r.getLong(0), r.getString(1), r.getString(2), instant(r.getOffsetDateTime(3)));
  }

  // invitation codes

  @Override
  public Future<Void> insertInvitation(Invitation i) {
    Tuple t = Tuple.of(i.id(), i.fleetId(), i.codeHash(), time(i.createdAt()), time(i.expiresAt()));
    return write(INSERT_INVITATION, t, e -> new DuplicateKeyException("invitation"));
  }

  @Override
  public Future<Invitation> findInvitation(String codeHash) {
    return query(FIND_INVITATION, Tuple.of(codeHash), PgSharingStore::invitation).map(PgSharingStore::firstOrNull);
  }

  @Override
  public Future<Invitation> takeInvitation(String codeHash) {
    return query(TAKE_INVITATION, Tuple.of(codeHash), PgSharingStore::invitation).map(PgSharingStore::firstOrNull);
  }

  @Override
  public Future<Boolean> deleteInvitation(String fleetId, String invitationId) {
    return db.guard(db.pool.preparedQuery(DELETE_INVITATION).execute(Tuple.of(fleetId, invitationId))).map(rows -> rows.rowCount() > 0);
  }

  @Override
  public Future<List<Invitation>> invitationsOf(String fleetId) {
    return query(INVITATIONS_OF, Tuple.of(fleetId), PgSharingStore::invitation);
  }

  @Override
  public Future<Integer> deleteExpiredInvitations(Instant now) {
    // one node of a cluster at a time (each runs this hourly): the others skip their turn
    return PgExclusive.orSkip(db, PgExclusive.INVITATION_PURGE,
        () -> db.guard(db.pool.preparedQuery(DELETE_EXPIRED).execute(Tuple.of(time(now)))).map(RowSet::rowCount), 0);
  }

  private static Invitation invitation(Row r) {
    return new Invitation(r.getString(0), r.getString(1), r.getString(2), instant(r.getOffsetDateTime(3)), instant(r.getOffsetDateTime(4)));
  }

  // sharings

  @Override
  public Future<Void> insertSharing(Sharing s) {
    Tuple t = Tuple.of(s.id(), s.vehicleId(), s.vehicleSeq(), s.ownerFleetId(), s.partnerFleetId(), s.startsAtMs())
        .addLong(end(s)).addBoolean(s.started()).addOffsetDateTime(time(s.createdAt()));
    return write(INSERT_SHARING, t, e -> new DuplicateKeyException(SHARING, "sharing of vehicle " + s.vehicleId()));
  }

  @Override
  public Future<Void> updateSharing(Sharing s) {
    Tuple t = Tuple.of(s.vehicleId(), s.id(), s.startsAtMs(), end(s), s.started());
    return db.guard(db.pool.preparedQuery(UPDATE_SHARING).execute(t)).mapEmpty();
  }

  @Override
  public Future<Boolean> markStarted(String vehicleId, long sharingId) {
    return db.guard(db.pool.preparedQuery(MARK_STARTED).execute(Tuple.of(vehicleId, sharingId))).map(rows -> rows.rowCount() > 0);
  }

  @Override
  public Future<Boolean> deleteSharing(String vehicleId, long sharingId) {
    return db.guard(db.pool.preparedQuery(DELETE_SHARING).execute(Tuple.of(vehicleId, sharingId))).map(rows -> rows.rowCount() > 0);
  }

  @Override
  public Future<List<Sharing>> loadSharings() {
    return query(LOAD_SHARINGS, Tuple.tuple(), PgSharingStore::sharing);
  }

  @Override
  public Future<Sharing> loadSharing(String vehicleId) {
    return query("SELECT " + SHARING_COLUMNS + " FROM sharings WHERE vehicle_id = $1", Tuple.of(vehicleId), PgSharingStore::sharing)
        .map(PgSharingStore::firstOrNull);
  }

  private static Sharing sharing(Row r) {
    return new Sharing(r.getLong(0), r.getString(1), r.getLong(2), r.getString(3),
        r.getString(4), r.getLong(5), r.getLong(6) == null ? Sharing.OPEN : r.getLong(6), r.getBoolean(7),
        instant(r.getOffsetDateTime(8)));
  }

  private static Long end(Sharing s) {
    return s.endsAtMs() == Sharing.OPEN ? null : s.endsAtMs();
  }

  // helpers

  /** An insert whose unique violation becomes the store's {@link DuplicateKeyException}. */
  private Future<Void> write(String sql, Tuple t, Function<Throwable, DuplicateKeyException> duplicate) {
    return db.guard(db.pool.preparedQuery(sql).execute(t))
        .recover(e -> Future.failedFuture(PgDatabase.duplicateKey(e) ? duplicate.apply(e) : e))
        .mapEmpty();
  }

  private <T> Future<List<T>> query(String sql, Tuple t, Function<Row, T> mapper) {
    return db.guard(db.pool.preparedQuery(sql).execute(t)).map(rows -> {
      List<T> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        out.add(mapper.apply(r));
      }
      return out;
    });
  }

  private static <T> T firstOrNull(List<T> list) {
    return list.isEmpty() ? null : list.get(0);
  }
}
