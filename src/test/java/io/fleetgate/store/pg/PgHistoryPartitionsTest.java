package io.fleetgate.store.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.config.GatewayConfig;
import io.fleetgate.store.PgTestDatabase;
import io.fleetgate.vehicle.HistoryEntry;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The day partitions of state_history (migration V7, {@link PgHistoryPartitions}) against the local
 * PostgreSQL, a database of its own per test: the upgrade of a table with rows, where rows land, creation
 * ahead, two maintainers at once, and retention by dropping days.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PgHistoryPartitionsTest {
  static final long DAY = PgHistoryPartitions.DAY_MS;
  Vertx vertx;
  PgTestDatabase db;
  final List<PgDatabase> databases = new ArrayList<>();
  final List<PgStateStore> stores = new ArrayList<>();
  long today;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    db = PgTestDatabase.create();
    today = Math.floorDiv(System.currentTimeMillis(), DAY) * DAY;
  }

  @AfterEach
  void tearDown() {
    stores.forEach(s -> TestGateway.await(s.close()));
    databases.forEach(d -> TestGateway.await(d.close()));
    TestGateway.await(vertx.close());
    db.close();
  }

  /** A gateway's database and state store, partitions prepared as at start-up. */
  PgStateStore open() {
    PgDatabase database = TestGateway.await(PgDatabase.open(vertx, new GatewayConfig.Db(db.url, 4, 5000, 1000, 100_000, 30, 3)));
    databases.add(database);
    PgStateStore store = new PgStateStore(database);
    stores.add(store);
    TestGateway.await(store.preparePartitions());
    return store;
  }

  PgHistoryPartitions maintainer(int ahead) {
    PgDatabase database = TestGateway.await(PgDatabase.open(vertx, new GatewayConfig.Db(db.url, 2, 5000, 1000, 100_000, 30, ahead)));
    databases.add(database);
    return new PgHistoryPartitions(database, ahead);
  }

  static List<Reading> readings(long ts, int i) {
    return List.of(new Reading(Property.SPEED_IN_KILOMETERS_PER_HOUR, ts, i * 0.5));
  }

  long rowsIn(String partition) {
    return db.count("SELECT count(*) FROM ONLY " + partition);
  }

  boolean exists(String partition) {
    return db.count("SELECT count(*) FROM pg_inherits WHERE inhparent = 'state_history'::regclass AND inhrelid::regclass::text = '"
        + partition + "'") == 1;
  }

  long partitionCount() {
    return db.count("SELECT count(*) FROM pg_inherits WHERE inhparent = 'state_history'::regclass");
  }

  @Test
  void upgradeFromTheUnpartitionedTableKeepsEveryRowReadable() throws Exception {
    // the schema just before V7, with history in the old table (ids with a gap: a purged vehicle)
    URI u = URI.create(db.url);
    String jdbc = "jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 5432) + u.getPath();
    MigrationVersion v7 = MigrationVersion.fromVersion("7");
    MigrationVersion previous = Arrays.stream(Flyway.configure().dataSource(jdbc, "postgres", null).locations("classpath:db/migration").load()
        .info().all()).map(MigrationInfo::getVersion).filter(v -> v.compareTo(v7) < 0).max(MigrationVersion::compareTo).orElseThrow();
    Flyway.configure().dataSource(jdbc, "postgres", null).locations("classpath:db/migration").target(previous).load().migrate();
    long old = today - 40 * DAY;
    try (Connection c = DriverManager.getConnection(jdbc, "postgres", null); Statement s = c.createStatement()) {
      s.execute("INSERT INTO state_history (vehicle_id, recorded_at, readings) SELECT 'v' || (i % 3), " + old + " + i * 3600000::bigint, "
          + "'\\x" + java.util.HexFormat.of().formatHex(PgReadingCodec.encode(readings(old, 1)).getBytes())
          + "'::bytea FROM generate_series(1, 960) i"); // hourly for 40 days up to today
      s.execute("DELETE FROM state_history WHERE id > 950");
    }
    PgStateStore store = open();
    assertTrue(exists("state_history_legacy"));
    assertEquals(950, rowsIn("state_history_legacy"));
    // every row readable, newest first by keyset, across pages, as before
    List<Long> ids = new ArrayList<>();
    long before = Long.MAX_VALUE;
    for (List<HistoryEntry> page; !(page = TestGateway.await(store.history("v1", Long.MIN_VALUE, Long.MAX_VALUE, before, 100))).isEmpty(); ) {
      page.forEach(e -> ids.add(e.id()));
      before = page.get(page.size() - 1).id();
    }
    assertEquals(317, ids.size());
    assertEquals(949L, ids.get(0));
    assertEquals(1L, ids.get(ids.size() - 1));
    // ids continue above the old sequence (no reuse of a purged id): new rows come first on the first page
    TestGateway.await(store.record("v1", System.currentTimeMillis(), readings(System.currentTimeMillis(), 1)));
    HistoryEntry newest = TestGateway.await(store.history("v1", Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 1)).get(0);
    assertEquals(961L, newest.id());
    // the legacy partition covers today; the days after it are created ahead
    assertEquals(951, rowsIn("state_history_legacy"));
    for (int i = 1; i <= 3; i++) {
      assertTrue(exists(PgHistoryPartitions.dayName(today + i * DAY)), "day +" + i);
    }
    assertFalse(exists(PgHistoryPartitions.dayName(today)), "today is the legacy partition's");

    // retention deletes the legacy rows past it in small statements, then drops the table once all of it is past
    long cutoff = old + 600 * 3_600_000L;
    long deleted = TestGateway.await(store.purgeHistory(cutoff));
    assertEquals(599, deleted);
    assertEquals(0, db.count("SELECT count(*) FROM state_history WHERE recorded_at < " + cutoff));
    assertEquals(352, db.count("SELECT count(*) FROM state_history"));
    TestGateway.await(store.purgeHistory(today + DAY));
    assertFalse(exists("state_history_legacy"));
    assertEquals(0, db.count("SELECT count(*) FROM state_history"));
  }

  @Test
  void rowsLandInTheirDayAndRowsNoDayCoversInTheDefaultWithoutFailingTheBatch() {
    PgStateStore store = open();
    long now = System.currentTimeMillis();
    List<Future<Void>> all = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      long at = switch (i % 30) {
        case 7 -> now + 400 * DAY; // a clock far ahead
        case 8 -> 1000; // a clock at 1970
        case 9 -> today + 2 * DAY + 5; // a day created ahead
        default -> now;
      };
      all.add(store.record("v" + (i % 4), at, readings(at, i)));
    }
    TestGateway.await(Future.all(all)); // one batch or a few, none refused
    assertEquals(270, rowsIn(PgHistoryPartitions.dayName(today)));
    assertEquals(10, rowsIn(PgHistoryPartitions.dayName(today + 2 * DAY)));
    assertEquals(20, rowsIn("state_history_default"));
    assertEquals(300, db.count("SELECT count(*) FROM state_history"));
    // all readable in one keyset order whatever their partition
    List<HistoryEntry> v3 = TestGateway.await(store.history("v3", Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 500));
    assertEquals(75, v3.size());
    for (int i = 1; i < v3.size(); i++) {
      assertTrue(v3.get(i).id() < v3.get(i - 1).id());
    }
  }

  @Test
  void maintenanceCreatesDaysAheadIdempotentlyAndMovesTheDefaultRowsOfANewDay() {
    PgStateStore store = open();
    assertEquals(5, partitionCount()); // today, 3 ahead, default
    PgHistoryPartitions maintainer = maintainer(3);
    PgHistoryPartitions.Outcome again = TestGateway.await(maintainer.maintain(System.currentTimeMillis(), Long.MIN_VALUE));
    assertTrue(again.ran());
    assertEquals(List.of(), again.created());
    assertEquals(0, again.failedSteps());
    assertEquals(5, partitionCount());

    // rows of a day not created yet wait in the default partition; creating the day moves them into it
    long later = today + 5 * DAY;
    TestGateway.await(Future.all(store.record("v1", later + 10, readings(later, 1)), store.record("v2", later + 20, readings(later, 2)),
        store.record("v1", later + 6 * DAY, readings(later, 3))));
    assertEquals(3, rowsIn("state_history_default"));
    PgHistoryPartitions.Outcome ahead = TestGateway.await(maintainer.maintain(later, Long.MIN_VALUE));
    assertEquals(List.of(PgHistoryPartitions.dayName(later), PgHistoryPartitions.dayName(later + DAY),
        PgHistoryPartitions.dayName(later + 2 * DAY), PgHistoryPartitions.dayName(later + 3 * DAY)), ahead.created());
    assertEquals(0, ahead.failedSteps());
    assertEquals(2, rowsIn(PgHistoryPartitions.dayName(later)));
    assertEquals(1, rowsIn("state_history_default"));
    assertEquals(2, TestGateway.await(store.history("v1", Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 10)).size());
  }

  @Test
  void twoMaintainersAtOnceNeverConflict() throws Exception {
    open();
    PgHistoryPartitions a = maintainer(10);
    PgHistoryPartitions b = maintainer(10);
    List<Future<PgHistoryPartitions.Outcome>> runs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      runs.add(a.maintain(System.currentTimeMillis(), today - 60 * DAY));
      runs.add(b.maintain(System.currentTimeMillis(), today - 60 * DAY));
    }
    TestGateway.await(Future.all(runs));
    List<String> created = new ArrayList<>();
    for (Future<PgHistoryPartitions.Outcome> r : runs) {
      assertEquals(0, r.result().failedSteps());
      created.addAll(r.result().created());
    }
    assertEquals(7, created.size(), "days 4..10 created once: " + created);
    assertEquals(12, partitionCount());

    // while another node holds the maintenance lock, a run skips its turn and changes nothing
    URI u = URI.create(db.url);
    String jdbc = "jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 5432) + u.getPath();
    try (Connection c = DriverManager.getConnection(jdbc, "postgres", null); Statement s = c.createStatement()) {
      s.execute("SELECT pg_advisory_lock(" + PgHistoryPartitions.LOCK_KEY + ")");
      PgHistoryPartitions.Outcome skipped = TestGateway.await(maintainer(20).maintain(System.currentTimeMillis(), Long.MIN_VALUE));
      assertFalse(skipped.ran());
      assertEquals(12, partitionCount());
    }
  }

  @Test
  void retentionDropsTheDaysPastItAndKeepsTheRest() {
    PgStateStore store = open();
    long first = today - 40 * DAY;
    PgHistoryPartitions maintainer = maintainer(3);
    assertEquals(4, TestGateway.await(maintainer.maintain(first, Long.MIN_VALUE)).created().size());
    List<Future<Void>> all = new ArrayList<>();
    for (int d = 0; d < 4; d++) {
      for (int i = 0; i < 25; i++) {
        long at = first + d * DAY + i * 60_000L;
        all.add(store.record("v" + (i % 2), at, readings(at, i)));
      }
    }
    all.add(store.record("v0", System.currentTimeMillis(), readings(System.currentTimeMillis(), 0)));
    all.add(store.record("v0", 5000, readings(5000, 0))); // the default partition, long past
    TestGateway.await(Future.all(all));

    // cut-off in the middle of the third day: days one and two go whole, the third stays whole
    long cutoff = first + 2 * DAY + 10 * 60_000L;
    long deleted = TestGateway.await(store.purgeHistory(cutoff));
    assertEquals(1, deleted, "only the default partition's row is deleted row by row");
    assertFalse(exists(PgHistoryPartitions.dayName(first)));
    assertFalse(exists(PgHistoryPartitions.dayName(first + DAY)));
    assertEquals(25, rowsIn(PgHistoryPartitions.dayName(first + 2 * DAY)));
    assertEquals(25, rowsIn(PgHistoryPartitions.dayName(first + 3 * DAY)));
    assertEquals(1, rowsIn(PgHistoryPartitions.dayName(today)));
    assertEquals(0, rowsIn("state_history_default"));
    assertEquals(51, db.count("SELECT count(*) FROM state_history"));
    // writes carry on into the partitions kept
    TestGateway.await(store.record("v1", first + 3 * DAY + 1, readings(first, 1)));
    assertEquals(26, rowsIn(PgHistoryPartitions.dayName(first + 3 * DAY)));
    assertEquals(0L, TestGateway.await(store.purgeHistory(cutoff)));
  }
}
