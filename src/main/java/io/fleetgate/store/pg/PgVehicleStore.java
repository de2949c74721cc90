package io.fleetgate.store.pg;

import static io.fleetgate.store.pg.PgFleetStore.instant;
import static io.fleetgate.store.pg.PgFleetStore.time;

import io.fleetgate.problem.DuplicateKeyException;
import io.fleetgate.vehicle.ArchivedVehicle;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.TelematicsUnit;
import io.fleetgate.vehicle.Vehicle;
import io.fleetgate.vehicle.VehicleStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@link VehicleStore} on PostgreSQL (V1 and V4 migrations). Each change is one statement (data-modifying CTEs
 * where two tables change), so it is atomic without a transaction and takes one round trip. Row locks and
 * the unique index arbitrate races the way the memory store's monitor does: an archived vehicle is no longer
 * updated, a unit id is unique over active and archived units (of two concurrent inserts with one id only
 * one succeeds, and none while an archived vehicle reserves it), and a second archive, restore or purge of
 * the same vehicle finds nothing to do.
 */
public final class PgVehicleStore implements VehicleStore {
  private static final String VEHICLE_COLUMNS = "id, seq, fleet_id, unit_id, created_at, modified_at, attached_at,"
      + " master_data, custom_fields, tags, operation_status, operation_status_modified_at, capabilities";
  private static final String UNIT_COLUMNS = "id, brand, model, manufacturer, type, fleet_id, vehicle_id,"
      + " password_hash, credential_version, created_at, modified_at";
  private static final int VEHICLE_PARAMS = 13;
  private static final String UNIT_INDEX = "telematics_units_reserved_id";
  /** Rows per statement when the working set is loaded. */
  static final int LOAD_PAGE = 5_000;

  private static final String INSERT = "WITH ids AS (INSERT INTO vehicle_ids (id, seq) VALUES ($1, $2)),"
      + " v AS (INSERT INTO vehicles (" + VEHICLE_COLUMNS + ") VALUES (" + params(1, VEHICLE_PARAMS) + "))"
      + " INSERT INTO telematics_units (" + UNIT_COLUMNS + ", keyed_verifier) VALUES (" + params(VEHICLE_PARAMS + 1, 12) + ")";
  private static final String UPDATE_VEHICLE = "UPDATE vehicles SET seq = $2, fleet_id = $3, unit_id = $4, created_at = $5,"
      + " modified_at = $6, attached_at = $7, master_data = $8, custom_fields = $9, tags = $10, operation_status = $11,"
      + " operation_status_modified_at = $12, capabilities = $13 WHERE id = $1 AND archived_at IS NULL";
  private static final String UNIT_SET = "brand = $2, model = $3, manufacturer = $4, type = $5, fleet_id = $6,"
      + " password_hash = $8, credential_version = $9, created_at = $10, modified_at = $11";
  private static final String UPDATE_UNIT = "UPDATE telematics_units SET " + UNIT_SET + ", keyed_verifier = $12"
      + " WHERE vehicle_id = $7 AND id = $1 AND NOT archived";
  /** V5: a verifier derived after a slow login, kept only while the password is the one it was derived from. */
  private static final String SAVE_VERIFIER = "UPDATE telematics_units SET keyed_verifier = $3"
      + " WHERE id = $1 AND credential_version = $2 AND NOT archived";
  /** Stores the vehicle and unit as the archive entry has them, marks both archived; a row only when it was active. */
  private static final String ARCHIVE = "WITH v AS (UPDATE vehicles SET archived_at = $" + (VEHICLE_PARAMS + 12)
      + ", archive_order = nextval('vehicle_archive_order'), seq = $2, fleet_id = $3, unit_id = $4, created_at = $5,"
      + " modified_at = $6, attached_at = $7, master_data = $8, custom_fields = $9, tags = $10, operation_status = $11,"
      + " operation_status_modified_at = $12, capabilities = $13 WHERE id = $1 AND archived_at IS NULL RETURNING id)"
      + " UPDATE telematics_units u SET archived = true, " + shift(UNIT_SET, VEHICLE_PARAMS)
      + " FROM v WHERE u.vehicle_id = v.id AND u.id = $14 AND u.vehicle_id = $20 RETURNING u.vehicle_id";
  private static final String RESTORE = "WITH v AS (UPDATE vehicles SET archived_at = NULL, archive_order = NULL"
      + " WHERE id = $1 AND archived_at IS NOT NULL RETURNING id)"
      + " UPDATE telematics_units u SET archived = false, reserves_id = true FROM v WHERE u.vehicle_id = v.id RETURNING u.vehicle_id";
  /** The unit goes with it (ON DELETE CASCADE); the id stays in vehicle_ids. */
  private static final String PURGE = "DELETE FROM vehicles WHERE id = $1 AND archived_at IS NOT NULL";

  private final PgDatabase db;
  private final int loadPage;

  public PgVehicleStore(PgDatabase db) {
    this(db, LOAD_PAGE);
  }

  /** With another page size for loading (tests). */
  PgVehicleStore(PgDatabase db, int loadPage) {
    this.db = db;
    this.loadPage = loadPage;
  }

  @Override
  public Future<Void> insertVehicle(Vehicle vehicle, TelematicsUnit unit) {
    Tuple t = vehicleTuple(vehicle);
    addUnit(t, unit).addString(unit.keyedVerifier());
    return db.guard(db.pool.preparedQuery(INSERT).execute(t))
        .recover(e -> Future.failedFuture(duplicate(e, vehicle.id(), unit.id())))
        .mapEmpty();
  }

  @Override
  public Future<Void> updateVehicle(Vehicle vehicle) {
    return db.guard(db.pool.preparedQuery(UPDATE_VEHICLE).execute(vehicleTuple(vehicle))).mapEmpty();
  }

  @Override
  public Future<Void> updateUnit(TelematicsUnit unit) {
    return db.guard(db.pool.preparedQuery(UPDATE_UNIT).execute(addUnit(Tuple.tuple(), unit).addString(unit.keyedVerifier())))
        .mapEmpty();
  }

  @Override
  public Future<Boolean> saveKeyedVerifier(String unitId, long credentialVersion, String verifier) {
    return db.guard(db.pool.preparedQuery(SAVE_VERIFIER).execute(Tuple.of(unitId, credentialVersion, verifier)))
        .map(rows -> rows.rowCount() > 0);
  }

  @Override
  public Future<Boolean> archiveVehicle(ArchivedVehicle entry) {
    Tuple t = vehicleTuple(entry.vehicle());
    addUnit(t, entry.unit());
    t.addOffsetDateTime(time(entry.archivedAt()));
    return db.guard(db.pool.preparedQuery(ARCHIVE).execute(t)).map(rows -> rows.rowCount() > 0);
  }

  @Override
  public Future<Boolean> restoreVehicle(String vehicleId) {
    return db.guard(db.pool.preparedQuery(RESTORE).execute(Tuple.of(vehicleId)))
        .recover(e -> Future.failedFuture(PgDatabase.duplicateKey(e)
            ? new DuplicateKeyException(DuplicateKeyException.TELEMATICS_UNIT, "telematics unit of vehicle " + vehicleId) : e))
        .map(rows -> rows.rowCount() > 0);
  }

  @Override
  public Future<Boolean> purgeVehicle(String vehicleId) {
    return db.guard(db.pool.preparedQuery(PURGE).execute(Tuple.of(vehicleId))).map(rows -> rows.rowCount() > 0);
  }

  /** In archive order. */
  @Override
  public Future<List<ArchivedVehicle>> loadArchived() {
    String sql = "SELECT " + prefixed("v.", VEHICLE_COLUMNS) + ", " + prefixed("u.", UNIT_COLUMNS) + ", v.archived_at, v.archive_order"
        + " FROM vehicles v JOIN telematics_units u ON u.vehicle_id = v.id"
        + " WHERE v.archived_at IS NOT NULL AND v.archive_order > $1 ORDER BY v.archive_order LIMIT $2";
    return loadAll(sql, 0L, r -> new Keyed<>(r.getLong(VEHICLE_PARAMS + 12), new ArchivedVehicle(vehicle(r),
            unit(r, VEHICLE_PARAMS), instant(r.getOffsetDateTime(VEHICLE_PARAMS + 11)))), new ArrayList<>())
        .map(list -> {
          list.sort(java.util.Comparator.comparing(ArchivedVehicle::archivedAt)); // stable: archive order within a tie
          return list;
        });
  }

  @Override
  public Future<List<Vehicle>> loadVehicles() {
    return loadAll("SELECT " + VEHICLE_COLUMNS + " FROM vehicles WHERE archived_at IS NULL AND id > $1 ORDER BY id LIMIT $2",
        "", r -> new Keyed<>(r.getString(0), vehicle(r)), new ArrayList<>());
  }

  @Override
  public Future<List<TelematicsUnit>> loadUnits() {
    return loadAll("SELECT " + UNIT_COLUMNS + ", keyed_verifier FROM telematics_units WHERE NOT archived AND vehicle_id > $1"
        + " ORDER BY vehicle_id LIMIT $2", "", r -> new Keyed<>(r.getString(6), unit(r, 0).withKeyedVerifier(r.getString(11))),
        new ArrayList<>());
  }

  @Override
  public Future<Stored> loadVehicle(String vehicleId) {
    String sql = "SELECT " + prefixed("v.", VEHICLE_COLUMNS) + ", " + prefixed("u.", UNIT_COLUMNS) + ", v.archived_at, u.keyed_verifier"
        + " FROM vehicles v JOIN telematics_units u ON u.vehicle_id = v.id WHERE v.id = $1";
    return db.guard(db.pool.preparedQuery(sql).execute(Tuple.of(vehicleId))).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row r = rows.iterator().next();
      return new Stored(vehicle(r), unit(r, VEHICLE_PARAMS).withKeyedVerifier(r.getString(VEHICLE_PARAMS + 12)),
          instant(r.getOffsetDateTime(VEHICLE_PARAMS + 11)));
    });
  }

  /** A loaded record and the key of its row, where the next page starts. */
  private record Keyed<T>(Object key, T value) {}

  /**
   * Every row of a keyset-paged query ({@code $1} = key after which to start, {@code $2} = page size), page by
   * page: each page is one statement well within the timeout however large the working set, and rows are
   * mapped as they arrive rather than all at once on the event loop.
   */
  private <T> Future<List<T>> loadAll(String sql, Object after, Function<Row, Keyed<T>> map, List<T> into) {
    return db.guard(db.pool.preparedQuery(sql).collecting(Collectors.mapping(map, Collectors.toList()))
            .execute(Tuple.of(after, (long) loadPage)))
        .compose(rows -> {
          List<Keyed<T>> page = rows.value();
          page.forEach(k -> into.add(k.value()));
          return page.size() < loadPage ? Future.succeededFuture(into) : loadAll(sql, page.get(page.size() - 1).key(), map, into);
        });
  }

  @Override
  public Future<Long> lastSeq() {
    return db.guard(db.pool.preparedQuery("SELECT coalesce(max(seq), 0) FROM vehicle_ids").execute())
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** A unique violation as the memory store reports it: the vehicle id first, then the unit id. */
  private static Throwable duplicate(Throwable e, String vehicleId, String unitId) {
    if (!PgDatabase.duplicateKey(e)) {
      return e;
    }
    return UNIT_INDEX.equals(((PgException) e).getConstraint())
        ? new DuplicateKeyException(DuplicateKeyException.TELEMATICS_UNIT, "telematics unit " + unitId)
        : new DuplicateKeyException(DuplicateKeyException.VEHICLE, "vehicle " + vehicleId);
  }

  // rows and parameters

  private static Tuple vehicleTuple(Vehicle v) {
    return Tuple.tuple()
        .addString(v.id())
        .addLong(v.seq())
        .addString(v.fleetId())
        .addString(v.unitId())
        .addOffsetDateTime(time(v.createdAt()))
        .addOffsetDateTime(time(v.modifiedAt()))
        .addOffsetDateTime(time(v.attachedAt()))
        .addValue(new JsonObject(new LinkedHashMap<>(v.masterData())))
        .addValue(pairs(v.customFields()))
        .addValue(new JsonArray(new ArrayList<>(v.tags())))
        .addString(v.operationStatus())
        .addOffsetDateTime(time(v.operationStatusModifiedAt()))
        .addValue(capabilities(v.capabilities()));
  }

  private static Tuple addUnit(Tuple t, TelematicsUnit u) {
    return t.addString(u.id())
        .addString(u.brand())
        .addString(u.model())
        .addString(u.manufacturer())
        .addString(u.type())
        .addString(u.fleetId())
        .addString(u.vehicleId())
        .addString(u.passwordHash())
        .addLong(u.credentialVersion())
        .addOffsetDateTime(time(u.createdAt()))
        .addOffsetDateTime(time(u.modifiedAt()));
  }

  private static Vehicle vehicle(Row r) {
    Map<String, String> masterData = new LinkedHashMap<>();
    ((JsonObject) r.getJson(7)).forEach(e -> masterData.put(e.getKey(), (String) e.getValue()));
    Map<String, String> customFields = new LinkedHashMap<>();
    for (Object pair : (JsonArray) r.getJson(8)) {
      JsonArray kv = (JsonArray) pair;
      customFields.put(kv.getString(0), kv.getString(1));
    }
    List<String> tags = new ArrayList<>();
    for (Object tag : (JsonArray) r.getJson(9)) {
      tags.add((String) tag);
    }
    return new Vehicle(r.getString(0), r.getLong(1), r.getString(2), r.getString(3), instant(r.getOffsetDateTime(4)),
        instant(r.getOffsetDateTime(5)), instant(r.getOffsetDateTime(6)), Collections.unmodifiableMap(masterData),
        Collections.unmodifiableMap(customFields), List.copyOf(tags), r.getString(10), instant(r.getOffsetDateTime(11)),
        capabilities((JsonObject) r.getJson(12)));
  }

  private static TelematicsUnit unit(Row r, int at) {
    return new TelematicsUnit(r.getString(at), r.getString(at + 1), r.getString(at + 2), r.getString(at + 3),
        r.getString(at + 4), r.getString(at + 5), r.getString(at + 6), r.getString(at + 7), r.getLong(at + 8),
        instant(r.getOffsetDateTime(at + 9)), instant(r.getOffsetDateTime(at + 10)));
  }

  /** Custom fields as {@code [[key, value], ...]}: jsonb objects do not keep key order, arrays do. */
  private static JsonArray pairs(Map<String, String> map) {
    JsonArray out = new JsonArray();
    map.forEach((k, v) -> out.add(new JsonArray().add(k).add(v)));
    return out;
  }

  private static JsonObject capabilities(Capabilities c) {
    JsonArray state = new JsonArray();
    c.vehicleState().forEach(p -> state.add(p.name()));
    return new JsonObject().put("commands", new JsonArray(new ArrayList<>(c.commands()))).put("vehicle_state", state);
  }

  private static Capabilities capabilities(JsonObject json) {
    List<String> commands = new ArrayList<>();
    json.getJsonArray("commands").forEach(c -> commands.add((String) c));
    List<Property> state = new ArrayList<>();
    for (Object name : json.getJsonArray("vehicle_state")) {
      Property p = Property.byCapability((String) name);
      if (p != null) { // a property this version no longer knows is not supported
        state.add(p);
      }
    }
    return Capabilities.of(commands, state);
  }

  /** {@code $from, ..., $(from+count-1)}. */
  private static String params(int from, int count) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append(i == 0 ? "" : ", ").append('$').append(from + i);
    }
    return sb.toString();
  }

  /** Renumbers the parameters of an SQL fragment by {@code by}. */
  private static String shift(String sql, int by) {
    return java.util.regex.Pattern.compile("\\$(\\d+)").matcher(sql)
        .replaceAll(m -> "\\$" + (Integer.parseInt(m.group(1)) + by));
  }

  private static String prefixed(String prefix, String columns) {
    return java.util.Arrays.stream(columns.split(",\\s*")).map(c -> prefix + c).collect(Collectors.joining(", "));
  }
}
