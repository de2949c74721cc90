package io.fleetgate.store.pg;

import io.fleetgate.auth.Permission;
import io.fleetgate.fleet.ApiClient;
import io.fleetgate.fleet.Fleet;
import io.fleetgate.fleet.FleetStore;
import io.fleetgate.problem.DuplicateKeyException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** {@link FleetStore} on PostgreSQL: tables {@code fleets} and {@code api_clients} (V1 migration). */
public final class PgFleetStore implements FleetStore {
  private static final String FLEET_COLUMNS = "id, name, created_at, modified_at";
  private static final String CLIENT_COLUMNS = "client_id, fleet_id, name, permissions, secret_hash, created_at";
  private static final String INSERT_CLIENT = "INSERT INTO api_clients (" + CLIENT_COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6)";

  private final PgDatabase db;

  public PgFleetStore(PgDatabase db) {
    this.db = db;
  }

  @Override
  public Future<Void> insertFleet(Fleet fleet) {
    return db.guard(db.pool.preparedQuery("INSERT INTO fleets (" + FLEET_COLUMNS + ") VALUES ($1, $2, $3, $4)")
            .execute(Tuple.of(fleet.id(), fleet.name(), time(fleet.createdAt()), time(fleet.modifiedAt()))))
        .recover(e -> Future.failedFuture(PgDatabase.duplicateKey(e) ? new DuplicateKeyException("fleet " + fleet.id()) : e))
        .mapEmpty();
  }

  /** Stores the fleet as it is now (inserted when missing, like the memory store's put). */
  @Override
  public Future<Void> updateFleet(Fleet fleet) {
    return db.guard(db.pool.preparedQuery("INSERT INTO fleets (" + FLEET_COLUMNS + ") VALUES ($1, $2, $3, $4)"
            + " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, modified_at = EXCLUDED.modified_at")
            .execute(Tuple.of(fleet.id(), fleet.name(), time(fleet.createdAt()), time(fleet.modifiedAt()))))
        .mapEmpty();
  }

  @Override
  public Future<List<Fleet>> loadFleets() {
    return db.guard(db.pool.preparedQuery("SELECT " + FLEET_COLUMNS + " FROM fleets")
            .collecting(Collectors.mapping(PgFleetStore::fleet, Collectors.toList()))
            .execute())
        .map(rows -> rows.value());
  }

  @Override
  public Future<Void> insertClient(ApiClient client) {
    return db.guard(db.pool.preparedQuery(INSERT_CLIENT).execute(clientTuple(client)))
        .recover(e -> Future.failedFuture(PgDatabase.duplicateKey(e) ? new DuplicateKeyException("client " + client.clientId()) : e))
        .mapEmpty();
  }

  @Override
  public Future<Void> replaceClient(ApiClient client) {
    return db.guard(db.pool.preparedQuery(INSERT_CLIENT + " ON CONFLICT (client_id) DO UPDATE SET fleet_id = EXCLUDED.fleet_id,"
            + " name = EXCLUDED.name, permissions = EXCLUDED.permissions, secret_hash = EXCLUDED.secret_hash,"
            + " created_at = EXCLUDED.created_at")
            .execute(clientTuple(client)))
        .mapEmpty();
  }

  @Override
  public Future<Void> deleteClient(String clientId) {
    return db.guard(db.pool.preparedQuery("DELETE FROM api_clients WHERE client_id = $1").execute(Tuple.of(clientId)))
        .mapEmpty();
  }

  @Override
  public Future<List<ApiClient>> loadClients() {
    return db.guard(db.pool.preparedQuery("SELECT " + CLIENT_COLUMNS + " FROM api_clients")
            .collecting(Collectors.mapping(PgFleetStore::client, Collectors.toList()))
            .execute())
        .map(rows -> rows.value());
  }

  @Override
  public Future<Fleet> loadFleet(String id) {
    return db.guard(db.pool.preparedQuery("SELECT " + FLEET_COLUMNS + " FROM fleets WHERE id = $1").execute(Tuple.of(id)))
        .map(rows -> rows.size() == 0 ? null : fleet(rows.iterator().next()));
  }

  @Override
  public Future<ApiClient> loadClient(String clientId) {
    return db.guard(db.pool.preparedQuery("SELECT " + CLIENT_COLUMNS + " FROM api_clients WHERE client_id = $1")
            .execute(Tuple.of(clientId)))
        .map(rows -> rows.size() == 0 ? null : client(rows.iterator().next()));
  }

  private static Tuple clientTuple(ApiClient c) {
    String[] permissions = c.permissions().stream().sorted().map(p -> p.wire).toArray(String[]::new);
    return Tuple.of(c.clientId(), c.fleetId(), c.name(), permissions, c.secretHash(), time(c.createdAt()));
  }

  private static Fleet fleet(Row r) {
    return new Fleet(r.getString(0), r.getString(1), instant(r.getOffsetDateTime(2)), instant(r.getOffsetDateTime(3)));
  }

  private static ApiClient client(Row r) {
    Set<Permission> permissions = EnumSet.noneOf(Permission.class);
    for (String wire : r.getArrayOfStrings(3)) {
      Permission p = Permission.of(wire);
      if (p != null) { // a permission this version no longer knows grants nothing
        permissions.add(p);
      }
    }
    return new ApiClient(r.getString(0), r.getString(1), r.getString(2), Set.copyOf(permissions), r.getString(4),
        instant(r.getOffsetDateTime(5)));
  }

  static OffsetDateTime time(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }

  static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
