package io.fleetgate.store.pg;

import static io.fleetgate.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.auth.Permission;
import io.fleetgate.config.GatewayConfig;
import io.fleetgate.fleet.ApiClient;
import io.fleetgate.fleet.Fleet;
import io.fleetgate.problem.DuplicateKeyException;
import io.fleetgate.problem.StoreUnavailableException;
import io.fleetgate.store.PgTestDatabase;
import io.fleetgate.vehicle.ArchivedVehicle;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.TelematicsUnit;
import io.fleetgate.vehicle.Vehicle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PgFleetStore} and {@link PgVehicleStore} on a database of their own: round trips of every field,
 * duplicate keys with the kinds the memory store reports, and the archive's race semantics (the contract in
 * {@code VehicleStore}'s javadoc). Always on PostgreSQL, so it runs once (not again in the pg suite).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PgFleetVehicleStoreTest {
  /** Microseconds: what timestamptz keeps. */
  static final Instant T0 = Instant.parse("2026-11-21T10:15:30.123456Z");
  static final AtomicLong SEQ = new AtomicLong();

  PgTestDatabase database;
  Vertx vertx;
  PgDatabase db;
  PgFleetStore fleets;
  PgVehicleStore vehicles;

  @BeforeEach
  void setUp() {
    Assumptions.assumeFalse(PgTestDatabase.selected(), "always on PostgreSQL: runs in the default suite");
    database = PgTestDatabase.create();
    vertx = Vertx.vertx();
    db = await(PgDatabase.open(vertx, new GatewayConfig.Db(database.url, 8, 5_000, 1_000, 10_000, 30)));
    fleets = new PgFleetStore(db);
    vehicles = new PgVehicleStore(db);
  }

  @AfterEach
  void tearDown() {
    if (vertx != null) {
      if (db != null) {
        await(db.close());
      }
      await(vertx.close());
    }
    if (database != null) {
      database.close();
    }
  }

  static Vehicle vehicle(String id, String unitId) {
    Map<String, String> custom = new LinkedHashMap<>();
    custom.put("zeta", "last in the alphabet, first given");
    custom.put("alpha", "ä ✓ \"quoted\"");
    custom.put("depot", "north");
    return new Vehicle(id, SEQ.incrementAndGet(), "acme", unitId, T0, T0.plusMillis(1), T0.plusMillis(2),
        Map.of("vin", "WVWZZZ1JZXW000001", "brand", "VW", "year_of_production", "2019"), custom,
        List.of("night", "berlin", "a"), "GARAGE", T0.plusSeconds(5),
        Capabilities.of(List.of("LOCK_CENTRAL_LOCK", "REQUEST_VEHICLE_STATE"),
            List.of(Property.POSITION, Property.CENTRAL_LOCK, Property.SPEED_IN_KILOMETERS_PER_HOUR)));
  }

  static TelematicsUnit unit(String id, String vehicleId) {
    return new TelematicsUnit(id, "Acme", "T1", null, "RETROFIT", "acme", vehicleId, "$argon2id$v=19$m=64,t=1,p=1$x$y", 3,
        T0, T0.plusMillis(7));
  }

  static <T extends Throwable> T failure(Class<T> type, Future<?> f) {
    Exception e = assertThrows(Exception.class, () -> await(f));
    Throwable t = e instanceof IllegalStateException && e.getCause() != null ? e.getCause() : e;
    return assertInstanceOf(type, t);
  }

  static ArchivedVehicle archived(Vehicle v, TelematicsUnit u, long plusMs) {
    return new ArchivedVehicle(v, u, T0.plusMillis(plusMs));
  }

  // fleets and clients

  @Test
  void fleetsAndClientsRoundTripAndDuplicatesFail() {
    Fleet acme = new Fleet("acme", "Acme", T0, T0);
    await(fleets.insertFleet(acme));
    DuplicateKeyException dup = failure(DuplicateKeyException.class, fleets.insertFleet(new Fleet("acme", "Other", T0, T0)));
    assertEquals(null, dup.kind);
    Fleet renamed = acme.renamed("Acme GmbH", T0.plusSeconds(1));
    await(fleets.updateFleet(renamed));
    Fleet other = new Fleet("other", "Other", T0, T0);
    await(fleets.updateFleet(other)); // like the memory store: stored even when it was not there
    assertEquals(Set.of(renamed, other), Set.copyOf(await(fleets.loadFleets())));

    ApiClient client = new ApiClient("cl_1", "acme", "dispatch", Set.of(Permission.VEHICLES, Permission.EVENTS), "hash-1", T0);
    ApiClient platform = new ApiClient("admin-1", null, "administrator", Set.of(Permission.ADMIN), "hash-2", T0);
    ApiClient none = new ApiClient("cl_2", "acme", "nothing", Set.of(), "hash-3", T0);
    await(fleets.insertClient(client));
    await(fleets.insertClient(platform));
    await(fleets.insertClient(none));
    failure(DuplicateKeyException.class, fleets.insertClient(client));
    ApiClient refreshed = new ApiClient("admin-1", null, "administrator", Set.of(Permission.ADMIN), "hash-new", T0);
    await(fleets.replaceClient(refreshed));
    await(fleets.deleteClient("cl_2"));
    await(fleets.deleteClient("cl_unknown"));
    assertEquals(Set.of(client, refreshed), Set.copyOf(await(fleets.loadClients())));
  }

  // vehicles and units

  @Test
  void everyFieldRoundTripsIncludingCustomFieldOrder() {
    Vehicle v = vehicle("AAAAA", "u-1");
    TelematicsUnit u = unit("u-1", "AAAAA");
    await(vehicles.insertVehicle(v, u));
    Vehicle loaded = await(vehicles.loadVehicles()).get(0);
    assertEquals(v, loaded);
    assertEquals(List.copyOf(v.customFields().keySet()), List.copyOf(loaded.customFields().keySet()));
    assertEquals(v.capabilities().stateMask(), loaded.capabilities().stateMask());
    assertEquals(List.of(u), await(vehicles.loadUnits()));
    assertEquals(v.seq(), await(vehicles.lastSeq()));
  }

  @Test
  void takenIdsFailWithTheKindTheMemoryStoreReports() {
    await(vehicles.insertVehicle(vehicle("AAAAA", "u-1"), unit("u-1", "AAAAA")));
    DuplicateKeyException sameId = failure(DuplicateKeyException.class, vehicles.insertVehicle(vehicle("AAAAA", "u-2"), unit("u-2", "AAAAA")));
    assertEquals(DuplicateKeyException.VEHICLE, sameId.kind);
    DuplicateKeyException sameUnit = failure(DuplicateKeyException.class, vehicles.insertVehicle(vehicle("BBBBB", "u-1"), unit("u-1", "BBBBB")));
    assertEquals(DuplicateKeyException.TELEMATICS_UNIT, sameUnit.kind);
    assertEquals(1, await(vehicles.loadVehicles()).size(), "a failed insert leaves nothing behind");
    assertEquals(1, await(vehicles.loadUnits()).size());
  }

  @Test
  void archivedIdsStayTakenTheirUnitIdsAreReservedUntilThePurgeAndPurgedIdsAreNeverReused() {
    Vehicle v = vehicle("AAAAA", "u-1");
    TelematicsUnit u = unit("u-1", "AAAAA");
    await(vehicles.insertVehicle(v, u));
    assertTrue(await(vehicles.archiveVehicle(archived(v, u, 10))));
    assertEquals(List.of(), await(vehicles.loadVehicles()));
    assertEquals(List.of(), await(vehicles.loadUnits()));
    assertEquals(DuplicateKeyException.VEHICLE,
        failure(DuplicateKeyException.class, vehicles.insertVehicle(vehicle("AAAAA", "u-9"), unit("u-9", "AAAAA"))).kind);
    // the unit id stays reserved while its vehicle is archived, and is free once it is purged
    assertEquals(DuplicateKeyException.TELEMATICS_UNIT,
        failure(DuplicateKeyException.class, vehicles.insertVehicle(vehicle("BBBBB", "u-1"), unit("u-1", "BBBBB"))).kind);
    assertTrue(await(vehicles.purgeVehicle("AAAAA")));
    await(vehicles.insertVehicle(vehicle("BBBBB", "u-1"), unit("u-1", "BBBBB")));
    assertEquals(List.of(), await(vehicles.loadArchived()));
    assertEquals(DuplicateKeyException.VEHICLE,
        failure(DuplicateKeyException.class, vehicles.insertVehicle(vehicle("AAAAA", "u-9"), unit("u-9", "AAAAA"))).kind);
    Vehicle last = vehicle("CCCCC", "u-3"); // the highest sequence so far, then purged: it still counts
    TelematicsUnit lastUnit = unit("u-3", "CCCCC");
    await(vehicles.insertVehicle(last, lastUnit));
    await(vehicles.archiveVehicle(archived(last, lastUnit, 20)));
    await(vehicles.purgeVehicle("CCCCC"));
    assertEquals(last.seq(), await(vehicles.lastSeq()));
  }

  @Test
  void archiveRestoreAndPurgeDoTheirWorkOnceAndKeepTheEntryAsArchived() {
    Vehicle v = vehicle("AAAAA", "u-1");
    TelematicsUnit u = unit("u-1", "AAAAA");
    await(vehicles.insertVehicle(v, u));
    assertFalse(await(vehicles.restoreVehicle("AAAAA")), "not archived");
    assertFalse(await(vehicles.purgeVehicle("AAAAA")), "an active vehicle is not purged");
    TelematicsUnit newPassword = u.withPassword("hash-2", T0.plusSeconds(9));
    ArchivedVehicle entry = archived(v, newPassword, 10); // the entry is stored as given
    assertTrue(await(vehicles.archiveVehicle(entry)));
    assertFalse(await(vehicles.archiveVehicle(entry)), "archived already");
    assertEquals(List.of(entry), await(vehicles.loadArchived()));

    // writes to an archived vehicle or unit are no-ops
    await(vehicles.updateVehicle(v.withData(Map.of(), Map.of(), List.of(), "MAINTENANCE", T0, T0.plusSeconds(20))));
    await(vehicles.updateUnit(newPassword.withPassword("hash-3", T0.plusSeconds(21))));
    assertEquals(List.of(entry), await(vehicles.loadArchived()));

    assertTrue(await(vehicles.restoreVehicle("AAAAA")));
    assertFalse(await(vehicles.restoreVehicle("AAAAA")), "restored already");
    assertEquals(List.of(v), await(vehicles.loadVehicles()));
    assertEquals(List.of(newPassword), await(vehicles.loadUnits()));
    assertEquals(List.of(), await(vehicles.loadArchived()));

    assertTrue(await(vehicles.archiveVehicle(archived(v, newPassword, 30))));
    assertTrue(await(vehicles.purgeVehicle("AAAAA")));
    assertFalse(await(vehicles.purgeVehicle("AAAAA")), "purged already");
    assertFalse(await(vehicles.restoreVehicle("AAAAA")), "a purged vehicle is not restored");
    assertEquals(List.of(), await(vehicles.loadVehicles()));
  }

  @Test
  void updatesReplaceActiveRecords() {
    Vehicle v = vehicle("AAAAA", "u-1");
    TelematicsUnit u = unit("u-1", "AAAAA");
    await(vehicles.insertVehicle(v, u));
    Map<String, String> custom = new LinkedHashMap<>();
    custom.put("b", "2");
    custom.put("a", "1");
    Vehicle patched = v.withData(Map.of("remark", "dented"), custom, List.of("x"), "OUT_OF_SERVICE", T0.plusSeconds(30),
        T0.plusSeconds(30));
    await(vehicles.updateVehicle(patched));
    TelematicsUnit changed = u.withPassword("hash-2", T0.plusSeconds(31));
    await(vehicles.updateUnit(changed));
    assertEquals(List.of(patched), await(vehicles.loadVehicles()));
    assertEquals(List.of("b", "a"), List.copyOf(await(vehicles.loadVehicles()).get(0).customFields().keySet()));
    assertEquals(List.of(changed), await(vehicles.loadUnits()));
    assertEquals(4, await(vehicles.loadUnits()).get(0).credentialVersion());
  }

  @Test
  void restoreAlwaysFindsItsUnitIdFreeAndALegacyArchiveWhoseIdWasTakenFailsUntilItIsFreeAgain() {
    Vehicle a = vehicle("AAAAA", "u-1");
    TelematicsUnit ua = unit("u-1", "AAAAA");
    await(vehicles.insertVehicle(a, ua));
    assertTrue(await(vehicles.archiveVehicle(archived(a, ua, 1))));
    assertEquals(DuplicateKeyException.TELEMATICS_UNIT,
        failure(DuplicateKeyException.class, vehicles.insertVehicle(vehicle("BBBBB", "u-1"), unit("u-1", "BBBBB"))).kind);
    assertTrue(await(vehicles.restoreVehicle("AAAAA")));
    assertEquals(List.of(a), await(vehicles.loadVehicles()));

    // an archive made before V4 whose id another vehicle took reserves nothing; its restore fails while taken
    assertTrue(await(vehicles.archiveVehicle(archived(a, ua, 2))));
    await(db.pool.query("UPDATE telematics_units SET reserves_id = false WHERE vehicle_id = 'AAAAA'").execute());
    Vehicle b = vehicle("BBBBB", "u-1");
    TelematicsUnit ub = unit("u-1", "BBBBB");
    await(vehicles.insertVehicle(b, ub));
    DuplicateKeyException taken = failure(DuplicateKeyException.class, vehicles.restoreVehicle("AAAAA"));
    assertEquals(DuplicateKeyException.TELEMATICS_UNIT, taken.kind);
    assertEquals(1, await(vehicles.loadArchived()).size(), "a failed restore leaves the entry archived");
    assertEquals(List.of(b), await(vehicles.loadVehicles()));
    assertTrue(await(vehicles.archiveVehicle(archived(b, ub, 3))));
    assertEquals(DuplicateKeyException.TELEMATICS_UNIT,
        failure(DuplicateKeyException.class, vehicles.restoreVehicle("AAAAA")).kind, "B's archive reserves the id");
    assertTrue(await(vehicles.purgeVehicle("BBBBB")));
    assertTrue(await(vehicles.restoreVehicle("AAAAA")));
    assertEquals(List.of(a), await(vehicles.loadVehicles()));
  }

  @Test
  void archiveIsLoadedInArchiveOrderEvenWithinOneMillisecond() {
    List<ArchivedVehicle> expected = new ArrayList<>();
    for (String id : List.of("ZZZZZ", "AAAAA", "MMMMM", "BBBBB")) {
      Vehicle v = vehicle(id, "u-" + id);
      TelematicsUnit u = unit("u-" + id, id);
      await(vehicles.insertVehicle(v, u));
      ArchivedVehicle e = archived(v, u, id.equals("BBBBB") ? 0 : 5); // BBBBB archived earliest
      await(vehicles.archiveVehicle(e));
      expected.add(e);
    }
    expected.add(0, expected.remove(3));
    assertEquals(expected, await(vehicles.loadArchived()));
  }

  @Test
  void theWorkingSetIsLoadedPageByPage() {
    PgVehicleStore paged = new PgVehicleStore(db, 2);
    List<Vehicle> active = new ArrayList<>();
    List<ArchivedVehicle> archive = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      String id = "P000" + i;
      Vehicle v = vehicle(id, "u-" + i);
      TelematicsUnit u = unit("u-" + i, id);
      await(paged.insertVehicle(v, u));
      if (i % 2 == 0) {
        ArchivedVehicle e = archived(v, u, 10 - i); // archived later, yet earlier by the clock: listed first
        await(paged.archiveVehicle(e));
        archive.add(0, e);
      } else {
        active.add(v);
      }
    }
    assertEquals(Set.copyOf(active), Set.copyOf(await(paged.loadVehicles())));
    assertEquals(active.size(), await(paged.loadVehicles()).size());
    assertEquals(active.size(), await(paged.loadUnits()).size());
    assertEquals(archive, await(paged.loadArchived()));
  }

  // races: the store decides, exactly one wins

  @Test
  void racingInsertsOfOneUnitIdHaveOneWinner() {
    List<Future<Void>> all = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String id = "V000" + i;
      all.add(vehicles.insertVehicle(vehicle(id, "u-race"), unit("u-race", id)));
    }
    await(Future.join(all).otherwiseEmpty());
    assertEquals(1, all.stream().filter(Future::succeeded).count());
    all.stream().filter(Future::failed).forEach(f ->
        assertEquals(DuplicateKeyException.TELEMATICS_UNIT, ((DuplicateKeyException) f.cause()).kind));
  }

  @Test
  void racingArchivesRestoresAndPurgesOfOneVehicleHaveOneWinnerEach() {
    Vehicle v = vehicle("AAAAA", "u-1");
    TelematicsUnit u = unit("u-1", "AAAAA");
    await(vehicles.insertVehicle(v, u));
    List<Future<Boolean>> archives = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      archives.add(vehicles.archiveVehicle(archived(v, u, i)));
    }
    await(Future.join(archives).otherwiseEmpty());
    assertEquals(1, archives.stream().filter(f -> f.succeeded() && f.result()).count());
    assertEquals(8, archives.stream().filter(Future::succeeded).count());

    List<Future<Boolean>> ends = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ends.add(vehicles.restoreVehicle("AAAAA"));
      ends.add(vehicles.purgeVehicle("AAAAA"));
    }
    await(Future.join(ends).otherwiseEmpty());
    assertEquals(1, ends.stream().filter(f -> f.succeeded() && f.result()).count(), "restored or purged, once");
    assertEquals(List.of(), await(vehicles.loadArchived()));
  }

  @Test
  void racingRestoresOfTwoLegacyArchivesWithOneUnitIdHaveOneWinner() {
    for (String id : List.of("AAAAA", "BBBBB")) { // archived before V4: neither reserves the id
      Vehicle v = vehicle(id, "u-1");
      TelematicsUnit u = unit("u-1", id);
      await(vehicles.insertVehicle(v, u));
      await(vehicles.archiveVehicle(archived(v, u, 1)));
      await(db.pool.query("UPDATE telematics_units SET reserves_id = false WHERE vehicle_id = '" + id + "'").execute());
    }
    List<Future<Boolean>> both = List.of(vehicles.restoreVehicle("AAAAA"), vehicles.restoreVehicle("BBBBB"));
    await(Future.join(both).otherwiseEmpty());
    assertEquals(1, both.stream().filter(f -> f.succeeded() && f.result()).count());
    Future<Boolean> loser = both.stream().filter(Future::failed).findFirst().orElseThrow();
    assertEquals(DuplicateKeyException.TELEMATICS_UNIT, ((DuplicateKeyException) loser.cause()).kind);
    assertEquals(1, await(vehicles.loadUnits()).size());
  }

  @Test
  void aStoreThatCannotReachItsDatabaseFailsAsUnavailable() {
    await(db.close());
    failure(StoreUnavailableException.class, fleets.insertFleet(new Fleet("acme", "Acme", T0, T0)));
    failure(StoreUnavailableException.class, vehicles.insertVehicle(vehicle("AAAAA", "u-1"), unit("u-1", "AAAAA")));
    failure(StoreUnavailableException.class, vehicles.loadVehicles());
    db = null;
  }

  @Test
  void instantsKeepMicroseconds() {
    Instant nanos = Instant.parse("2026-11-21T10:15:30.123456789Z");
    await(fleets.insertFleet(new Fleet("acme", "Acme", nanos, nanos)));
    assertEquals(nanos.truncatedTo(ChronoUnit.MICROS), await(fleets.loadFleets()).get(0).createdAt());
    assertTrue(EnumSet.allOf(Permission.class).stream().allMatch(p -> Permission.of(p.wire) == p));
  }
}
