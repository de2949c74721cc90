package io.fleetgate.fleet;

import static io.fleetgate.TestGateway.await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.auth.PasswordHasher;
import io.fleetgate.auth.Permission;
import io.fleetgate.auth.SecretVerifier;
import io.fleetgate.problem.ProblemException;
import io.fleetgate.store.PgTestDatabase;
import io.fleetgate.store.memory.MemoryFleetStore;
import io.fleetgate.store.pg.PgDatabase;
import io.fleetgate.store.pg.PgFleetStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The administration rules without HTTP: store first, then the directory; conflicts, 404s, pages. On the
 * memory store, or on PostgreSQL ({@link PgFleetStore}) when the suite runs there.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdminServiceTest {
  static final Instant NOW = Instant.parse("2026-11-21T10:15:30.123Z");
  Vertx vertx;
  SecretVerifier secrets;
  FleetStore store;
  PgTestDatabase database;
  PgDatabase db;
  FleetDirectory directory;
  AdminService admin;
  /** The client ids the service reported revoked, in order. */
  final List<String> revoked = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    secrets = new SecretVerifier(vertx, new PasswordHasher(64, 1), 100);
    if (PgTestDatabase.selected()) {
      database = PgTestDatabase.create();
      db = await(PgDatabase.open(vertx, new io.fleetgate.config.GatewayConfig.Db(database.url, 4, 5_000, 1_000, 10_000, 30)));
      store = new PgFleetStore(db);
    } else {
      store = new MemoryFleetStore();
    }
    directory = new FleetDirectory();
    admin = new AdminService(store, directory, secrets, revoked::add, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void tearDown() {
    secrets.close();
    if (db != null) {
      await(db.close());
    }
    await(vertx.close());
    if (database != null) {
      database.close();
    }
  }


  static ProblemException problemOf(Future<?> f) {
    try {
      f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return (ProblemException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a problem");
  }

  @Test
  void createdFleetsAreStoredThenListed() throws Exception {
    Fleet f = await(admin.createFleet("acme", "Acme"));
    assertEquals(NOW, f.createdAt());
    assertEquals(List.of(f), await(store.loadFleets()));
    assertEquals(f, directory.fleet("acme"));
    assertEquals(409, problemOf(admin.createFleet("acme", "Again")).status);
    assertEquals("Acme", directory.fleet("acme").name());
  }

  @Test
  void racingCreatesHaveOneWinner() throws Exception {
    List<Future<Fleet>> all = List.of(admin.createFleet("x", "a"), admin.createFleet("x", "b"), admin.createFleet("x", "c"));
    await(Future.join(all).otherwiseEmpty());
    assertEquals(1, all.stream().filter(Future::succeeded).count());
    assertEquals(all.stream().filter(Future::succeeded).findFirst().orElseThrow().result(), directory.fleet("x"));
  }

  @Test
  void renameKeepsTheIdAndUnknownIs404() throws Exception {
    await(admin.createFleet("acme", "Acme"));
    Fleet renamed = await(admin.renameFleet("acme", "Acme Berlin"));
    assertEquals("acme", renamed.id());
    assertEquals("Acme Berlin", await(store.loadFleets()).get(0).name());
    assertEquals(404, problemOf(admin.renameFleet("nope", "x")).status);
  }

  @Test
  void clientsAreHashedAndAdminIsNotGrantable() throws Exception {
    await(admin.createFleet("acme", "Acme"));
    AdminService.NewClient c = await(admin.createClient("acme", "ops", EnumSet.of(Permission.VEHICLES)));
    assertTrue(c.secret().length() >= 22);
    assertFalse(c.client().secretHash().contains(c.secret()));
    assertTrue(await(secrets.verify(c.client().clientId(), c.secret(), c.client().secretHash())));
    assertEquals(List.of(c.client()), admin.clients("acme"));
    assertEquals(List.of(c.client()), await(store.loadClients()));

    ProblemException p = problemOf(admin.createClient("acme", "root", EnumSet.of(Permission.ADMIN)));
    assertEquals(400, p.status);
    assertEquals("/permissions", p.errors.getJsonObject(0).getString("pointer"));
    assertEquals(404, problemOf(admin.createClient("nope", "x", EnumSet.noneOf(Permission.class))).status);
    assertEquals(1, admin.clients("acme").size());
  }

  @Test
  void deletedClientsLeaveStoreAndDirectory() throws Exception {
    await(admin.createFleet("acme", "Acme"));
    await(admin.createFleet("other", "Other"));
    AdminService.NewClient c = await(admin.createClient("acme", "ops", EnumSet.noneOf(Permission.class)));
    assertEquals(404, problemOf(admin.deleteClient("other", c.client().clientId())).status);
    assertEquals(List.of(), revoked, "a refused delete revokes nothing");
    await(admin.deleteClient("acme", c.client().clientId()));
    assertNull(directory.client(c.client().clientId()));
    assertEquals(List.of(), await(store.loadClients()));
    assertEquals(List.of(c.client().clientId()), revoked, "the revocation is told once, before the delete completes");
    assertEquals(404, problemOf(admin.deleteClient("acme", c.client().clientId())).status);
    assertEquals(1, revoked.size());
  }

  @Test
  void pagesInBothDirections() throws Exception {
    for (String id : List.of("a", "b", "c", "d", "e")) {
      await(admin.createFleet(id, id));
    }
    AdminService.FleetPage first = admin.fleetsAfter(null, 2);
    assertEquals(List.of("a", "b"), ids(first));
    assertFalse(first.hasPrev());
    assertTrue(first.hasNext());
    AdminService.FleetPage middle = admin.fleetsAfter("b", 2);
    assertEquals(List.of("c", "d"), ids(middle));
    assertTrue(middle.hasPrev() && middle.hasNext());
    AdminService.FleetPage last = admin.fleetsBefore(null, 2);
    assertEquals(List.of("d", "e"), ids(last));
    assertTrue(last.hasPrev());
    assertFalse(last.hasNext());
    assertEquals(List.of("a", "b"), ids(admin.fleetsBefore("c", 2)));
    assertFalse(admin.fleetsBefore("c", 2).hasPrev());
    AdminService.FleetPage beyond = admin.fleetsAfter("e", 2);
    assertEquals(List.of(), ids(beyond));
    assertTrue(beyond.hasPrev());
    assertFalse(beyond.hasNext());
  }

  static List<String> ids(AdminService.FleetPage page) {
    return page.items().stream().map(Fleet::id).toList();
  }

  /** Two nodes of a cluster starting at once, each with an empty working set, bootstrap the same configured administrator. */
  @Test
  void twoNodesBootstrappingTheSameAdministratorAtOnceBothStart() {
    io.fleetgate.config.GatewayConfig.Admin config = new io.fleetgate.config.GatewayConfig.Admin("racing-admin", "racing-secret-0123456789");
    FleetDirectory other = new FleetDirectory();
    Future<Void> one = new AdminBootstrap(store, directory, secrets).ensure(config);
    Future<Void> two = new AdminBootstrap(store, other, secrets).ensure(config);
    await(one);
    await(two);
    List<ApiClient> stored = await(store.loadClients()).stream().filter(c -> c.clientId().equals("racing-admin")).toList();
    assertEquals(1, stored.size());
    assertTrue(stored.get(0).isPlatform());
    assertTrue(await(secrets.verify("racing-admin", "racing-secret-0123456789", stored.get(0).secretHash())), "the configured secret works");
  }
}
