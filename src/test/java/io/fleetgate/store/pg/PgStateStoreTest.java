package io.fleetgate.store.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.config.GatewayConfig;
import io.fleetgate.problem.StoreUnavailableException;
import io.fleetgate.store.PgTestDatabase;
import io.fleetgate.vehicle.HistoryEntry;
import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateStore;
import io.fleetgate.vehicle.VehicleLive;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link PgStateStore} against the local PostgreSQL, a database of its own per test. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PgStateStoreTest {
  static final long T0 = 1_790_000_000_000L;
  Vertx vertx;
  PgTestDatabase db;
  PgDatabase database;
  PgStateStore store;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    db = PgTestDatabase.create();
  }

  @AfterEach
  void tearDown() {
    if (store != null) {
      TestGateway.await(store.close());
    }
    if (database != null) {
      TestGateway.await(database.close());
    }
    TestGateway.await(vertx.close());
    db.close();
  }

  PgStateStore open(String url, int writeBehindMs, int maxPendingRows) {
    return open(url, writeBehindMs, maxPendingRows, PgStateStore.DEFAULT_LANES);
  }

  PgStateStore open(String url, int writeBehindMs, int maxPendingRows, int lanes) {
    database = TestGateway.await(PgDatabase.open(vertx, new GatewayConfig.Db(url, 4, 2000, writeBehindMs, maxPendingRows, 30)));
    store = new PgStateStore(database, lanes);
    return store;
  }

  static List<Reading> readings(long ts, int i) {
    return List.of(new Reading(Property.POSITION, ts, new Position(52.5 + i * 1e-6, 13.4 - 1.0 / 3)),
        new Reading(Property.SPEED_IN_KILOMETERS_PER_HOUR, ts - 1, i * 0.1),
        new Reading(Property.CENTRAL_LOCK, ts, i % 2 == 0 ? "LOCKED" : "UNLOCKED"),
        new Reading(Property.DRIVING_ENABLED, ts, i % 3 == 0));
  }

  @Test
  void historyIsNewestFirstByKeysetAndReadsBackExactly() {
    open(db.url, 1000, 100_000);
    List<Future<Void>> all = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      all.add(store.record("v1", T0 + i * 1000, readings(T0 + i * 1000, i)));
      all.add(store.record("v2", T0 + i * 1000, readings(T0, i)));
    }
    TestGateway.await(Future.all(all));
    List<HistoryEntry> page1 = TestGateway.await(store.history("v1", Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 10));
    assertEquals(10, page1.size());
    assertEquals(T0 + 29_000, page1.get(0).recordedAtMs());
    assertEquals(readings(T0 + 29_000, 29), page1.get(0).readings());
    List<HistoryEntry> page2 = TestGateway.await(store.history("v1", Long.MIN_VALUE, Long.MAX_VALUE, page1.get(9).id(), 10));
    assertEquals(T0 + 19_000, page2.get(0).recordedAtMs());
    assertTrue(page2.get(0).id() < page1.get(9).id());
    // time window, inclusive at both ends
    List<HistoryEntry> window = TestGateway.await(store.history("v1", T0 + 5000, T0 + 7000, Long.MAX_VALUE, 10));
    assertEquals(List.of(T0 + 7000, T0 + 6000, T0 + 5000), window.stream().map(HistoryEntry::recordedAtMs).toList());
    assertEquals(0, TestGateway.await(store.history("nope", Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 10)).size());
  }

  @Test
  void manyRowsGoInBatchesInArrivalOrder() {
    open(db.url, 1000, 100_000);
    int n = 20_000;
    List<Future<Void>> all = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      all.add(store.record("v" + (i % 10), T0 + i, readings(T0 + i, i)));
    }
    TestGateway.await(Future.all(all));
    assertEquals(n, db.count("SELECT count(*) FROM state_history"));
    // a vehicle's ids follow the order of record(): recorded_at (= i here) grows with id
    assertEquals(0, db.count("SELECT count(*) FROM (SELECT recorded_at < lag(recorded_at) OVER (PARTITION BY vehicle_id ORDER BY id) "
        + "AS back FROM state_history) s WHERE back"));
    assertEquals(0, store.pendingHistoryRows());
  }

  @Test
  void forgetDeletesHistoryAndLatest() {
    open(db.url, 50, 100_000);
    VehicleLive live = new VehicleLive(Instant.ofEpochMilli(T0));
    live.state.merge(readings(T0, 1), Property.allMask());
    store.latestChanged("v1", live);
    store.latestChanged("v2", live);
    TestGateway.await(Future.all(store.record("v1", T0, readings(T0, 1)), store.record("v2", T0, readings(T0, 2))));
    TestGateway.eventually("latest written behind", () -> db.count("SELECT count(*) FROM latest_state") == 2);
    TestGateway.await(store.forget("v1"));
    assertEquals(0, db.count("SELECT count(*) FROM state_history WHERE vehicle_id = 'v1'"));
    assertEquals(0, db.count("SELECT count(*) FROM latest_state WHERE vehicle_id = 'v1'"));
    assertEquals(1, db.count("SELECT count(*) FROM state_history WHERE vehicle_id = 'v2'"));
    assertEquals(1, db.count("SELECT count(*) FROM latest_state WHERE vehicle_id = 'v2'"));
  }

  @Test
  void retentionDeletesOnlyOldRowsInSmallBatches() {
    open(db.url, 1000, 100_000);
    List<Future<Void>> all = new ArrayList<>();
    int old = PgStateStore.PURGE_BATCH * 2 + 7; // more than one DELETE
    for (int i = 0; i < old; i++) {
      all.add(store.record("v" + (i % 3), T0 - 100_000 + i, readings(T0, i)));
    }
    for (int i = 0; i < 50; i++) {
      all.add(store.record("v" + (i % 3), T0 + i, readings(T0, i)));
    }
    TestGateway.await(Future.all(all));
    assertEquals((long) old, TestGateway.await(store.purgeHistory(T0)));
    assertEquals(50, db.count("SELECT count(*) FROM state_history"));
    assertEquals(0L, TestGateway.await(store.purgeHistory(T0)));
  }

  @Test
  void latestIsCoalescedWrittenBehindAndLoaded() {
    open(db.url, 60_000, 100_000); // no timer write during the test: only close() writes
    VehicleLive live = new VehicleLive(Instant.ofEpochMilli(T0));
    for (int i = 0; i < 100; i++) {
      live.state.merge(readings(T0 + i, i), Property.allMask());
      live.touch(T0 + i);
      store.latestChanged("v1", live);
    }
    live.setOnline(true, Instant.ofEpochMilli(T0 + 5));
    store.latestChanged("v1", live);
    assertEquals(0, db.count("SELECT count(*) FROM latest_state"));
    TestGateway.await(store.close());
    List<StateStore.StoredLatest> loaded = TestGateway.await(store.loadLatest());
    assertEquals(1, loaded.size());
    StateStore.StoredLatest s = loaded.get(0);
    assertEquals(live.state.snapshot(Property.allMask()), s.readings());
    assertTrue(s.online());
    assertEquals(T0 + 5, s.lifeModifiedMs());
    assertEquals(T0 + 99, s.lastContactMs());
    store = null;
  }

  @Test
  void latestStatesLoadInPages() {
    open(db.url, 20, 100_000);
    int n = PgStateStore.LOAD_PAGE * 2 + 3;
    for (int i = 0; i < n; i++) {
      VehicleLive live = new VehicleLive(Instant.ofEpochMilli(T0));
      live.touch(T0 + i);
      store.latestChanged(String.format("v%06d", i), live);
    }
    TestGateway.eventually("all written behind", 20_000, () -> db.count("SELECT count(*) FROM latest_state") == n);
    List<StateStore.StoredLatest> loaded = TestGateway.await(store.loadLatest());
    assertEquals(n, loaded.size());
    assertEquals(n, loaded.stream().map(StateStore.StoredLatest::vehicleId).distinct().count());
    assertEquals(T0 + n - 1, loaded.get(n - 1).lastContactMs());
  }

  @Test
  void outageBuffersUpToTheBoundThenDrainsInOrder() throws Exception {
    CuttableProxy proxy = CuttableProxy.before(vertx, db.url);
    open(proxy.url, 100, 1000, 1); // one writer: the whole bound for v1
    TestGateway.await(store.record("v1", T0, readings(T0, 0))); // connections made
    assertTrue(TestGateway.await(store.readiness().check()).up());

    proxy.cut();
    List<Future<Void>> waiting = new ArrayList<>();
    for (int i = 1; i <= 1000; i++) {
      waiting.add(store.record("v1", T0 + i, readings(T0 + i, i)));
    }
    Future<Void> over = store.record("v1", T0 + 1001, readings(T0, 1));
    assertTrue(over.failed(), "the 1001st pending row is turned away");
    assertInstanceOf(StoreUnavailableException.class, over.cause());
    Thread.sleep(500);
    assertFalse(waiting.get(0).isComplete(), "no row committed (no ack) while the database is away");
    assertFalse(TestGateway.await(store.readiness().check()).up());

    proxy.restore();
    TestGateway.await(Future.all(waiting));
    assertEquals(1001, db.count("SELECT count(*) FROM state_history"));
    assertEquals(0, db.count("SELECT count(*) FROM (SELECT recorded_at < lag(recorded_at) OVER (ORDER BY id) AS back "
        + "FROM state_history) s WHERE back"));
    TestGateway.eventually("ready again", () -> TestGateway.await(store.readiness().check()).up());
    TestGateway.await(store.close());
    store = null;
    TestGateway.await(proxy.close());
  }
}
