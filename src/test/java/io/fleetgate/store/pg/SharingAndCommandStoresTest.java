package io.fleetgate.store.pg;

import static io.fleetgate.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.access.Partnership;
import io.fleetgate.access.Sharing;
import io.fleetgate.command.Command;
import io.fleetgate.command.CommandStatus;
import io.fleetgate.command.CommandStore;
import io.fleetgate.command.memory.MemoryCommandStore;
import io.fleetgate.config.GatewayConfig;
import io.fleetgate.problem.DuplicateKeyException;
import io.fleetgate.sharing.Invitation;
import io.fleetgate.sharing.SharingStore;
import io.fleetgate.store.PgTestDatabase;
import io.fleetgate.store.memory.MemorySharingStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sharing and command stores, in memory and in PostgreSQL, held to the same contract: the races the
 * {@link SharingStore} javadoc names (a pair partnered once, a vehicle shared once, an invitation taken once,
 * also under concurrent calls), the compare-and-set of {@link CommandStore#update}, listings, the bounded
 * history that never drops a QUEUED command, and round trips that give back what was written.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharingAndCommandStoresTest {
  private static final int HISTORY = 5;
  private static final AtomicLong NEXT = new AtomicLong(1);
  private static Vertx vertx;
  private static PgTestDatabase database;
  private static PgDatabase db;

  @BeforeAll
  static void open() {
    // it runs both stores itself: nothing to add in the pg-suite execution
    org.junit.jupiter.api.Assumptions.assumeFalse(PgTestDatabase.selected());
    vertx = Vertx.vertx();
    database = PgTestDatabase.create();
    db = await(PgDatabase.open(vertx, new GatewayConfig.Db(database.url, 8, 5000, 1000, 10_000, 30)));
  }

  @AfterAll
  static void close() {
    if (vertx == null) {
      return;
    }
    await(db.close());
    await(vertx.close());
    database.close();
  }

  record Stores(String name, SharingStore sharing, CommandStore commands) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> stores() {
    return Stream.of(
        Arguments.of(new Stores("memory", new MemorySharingStore(), new MemoryCommandStore(HISTORY))),
        Arguments.of(new Stores("postgresql", new PgSharingStore(db), new PgCommandStore(db, HISTORY))));
  }

  private static String unique(String prefix) {
    return prefix + "-" + NEXT.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  private static <T> List<Future<T>> concurrently(int n, java.util.function.IntFunction<Future<T>> call) {
    List<Future<T>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(call.apply(i));
    }
    await(Future.join(all).otherwiseEmpty());
    return all;
  }

  // ---- partnerships --------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void aPairIsPartneredOnceInEitherOrderAndUnderRacingInserts(Stores s) {
    String a = unique("fa");
    String b = unique("fb");
    Partnership p = Partnership.of(1, a, b, now());
    await(s.sharing.insertPartnership(p));
    DuplicateKeyException dup = assertThrows(DuplicateKeyException.class,
        () -> await(s.sharing.insertPartnership(Partnership.of(2, b, a, now()))));
    assertEquals(SharingStore.PARTNERSHIP, dup.kind);
    assertTrue(await(s.sharing.loadPartnerships()).contains(p), "read back as written");

    String c = unique("fc");
    String d = unique("fd");
    List<Future<Void>> racing = concurrently(10, i -> s.sharing.insertPartnership(Partnership.of(100 + i, i % 2 == 0 ? c : d, i % 2 == 0 ? d : c, now())));
    assertEquals(1, racing.stream().filter(Future::succeeded).count());
    racing.stream().filter(Future::failed).forEach(f -> assertInstanceOf(DuplicateKeyException.class, f.cause()));

    assertTrue(await(s.sharing.deletePartnership(b, a)), "deleted in the other order");
    assertFalse(await(s.sharing.deletePartnership(a, b)), "gone");
    await(s.sharing.insertPartnership(Partnership.of(3, a, b, now()))); // free again
  }

  // ---- invitations ---------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void anInvitationIsTakenExactlyOnceByRacingRedeemers(Stores s) {
    String fleet = unique("inv");
    Invitation inv = new Invitation("inv_" + unique("x"), fleet, unique("hash"), now(), now().plusSeconds(60));
    await(s.sharing.insertInvitation(inv));
    assertEquals(inv, await(s.sharing.findInvitation(inv.codeHash())));
    assertEquals(List.of(inv), await(s.sharing.invitationsOf(fleet)));

    List<Future<Invitation>> takers = concurrently(20, i -> s.sharing.takeInvitation(inv.codeHash()));
    assertEquals(1, takers.stream().filter(f -> f.succeeded() && f.result() != null).count(), "exactly one taker");
    assertEquals(inv, takers.stream().map(Future::result).filter(java.util.Objects::nonNull).findFirst().orElseThrow());
    assertNull(await(s.sharing.findInvitation(inv.codeHash())));
    assertNull(await(s.sharing.takeInvitation(inv.codeHash())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void invitationsAreRevokedByIdOfTheirFleetAndExpiredOnesPurged(Stores s) {
    String fleet = unique("inv");
    Instant t = now();
    Invitation old = new Invitation("inv_" + unique("o"), fleet, unique("h"), t.minusSeconds(120), t.minusSeconds(60));
    Invitation fresh = new Invitation("inv_" + unique("f"), fleet, unique("h"), t.minusSeconds(10), t.plusSeconds(600));
    Invitation other = new Invitation("inv_" + unique("g"), fleet, unique("h"), t.minusSeconds(5), t.plusSeconds(600));
    await(s.sharing.insertInvitation(fresh));
    await(s.sharing.insertInvitation(old));
    await(s.sharing.insertInvitation(other));
    assertEquals(List.of(old, fresh, other), await(s.sharing.invitationsOf(fleet)), "oldest first, expired included");
    assertThrows(DuplicateKeyException.class, () -> await(s.sharing.insertInvitation(fresh)));

    assertFalse(await(s.sharing.deleteInvitation("another-fleet", other.id())), "only by its own fleet");
    assertTrue(await(s.sharing.deleteInvitation(fleet, other.id())));
    assertFalse(await(s.sharing.deleteInvitation(fleet, other.id())));

    assertTrue(await(s.sharing.deleteExpiredInvitations(t)) >= 1);
    assertEquals(List.of(fresh), await(s.sharing.invitationsOf(fleet)));
  }

  // ---- sharings ------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void aVehicleIsSharedOnceAndOnlyItsCurrentSharingChanges(Stores s) {
    String vehicle = unique("V");
    long start = System.currentTimeMillis() + 60_000;
    Sharing scheduled = new Sharing(NEXT.incrementAndGet(), vehicle, 7, "owner", "partner", start, Sharing.OPEN, false, now());
    await(s.sharing.insertSharing(scheduled));
    DuplicateKeyException dup = assertThrows(DuplicateKeyException.class, () -> await(s.sharing.insertSharing(
        new Sharing(NEXT.incrementAndGet(), vehicle, 7, "owner", "other", start, Sharing.OPEN, false, now()))));
    assertEquals(SharingStore.SHARING, dup.kind);
    assertTrue(await(s.sharing.loadSharings()).contains(scheduled), "an open end read back as open");

    Sharing started = scheduled.markStarted().withEnd(start + 3_600_000);
    await(s.sharing.updateSharing(started));
    assertTrue(await(s.sharing.loadSharings()).contains(started));
    await(s.sharing.updateSharing(new Sharing(scheduled.id() + 1_000_000, vehicle, 7, "owner", "x", 1, 2, true, now())));
    assertTrue(await(s.sharing.loadSharings()).contains(started), "a write about another sharing id is ignored");

    assertFalse(await(s.sharing.deleteSharing(vehicle, scheduled.id() + 1_000_000)), "another id: kept");
    assertTrue(await(s.sharing.deleteSharing(vehicle, scheduled.id())));
    assertFalse(await(s.sharing.deleteSharing(vehicle, scheduled.id())));

    String raced = unique("V");
    List<Future<Void>> racing = concurrently(10, i -> s.sharing.insertSharing(
        new Sharing(NEXT.incrementAndGet(), raced, 8, "owner", "p" + i, start, Sharing.OPEN, false, now())));
    assertEquals(1, racing.stream().filter(Future::succeeded).count(), "one sharing per vehicle");
  }

  // ---- commands ------------------------------------------------------------------------------------------

  private static Command command(String vehicleId, String fleetId, long seq, boolean async) {
    Instant t = now();
    return new Command(UUID.randomUUID(), seq, vehicleId, "client-1", fleetId, "UNLOCK_CENTRAL_LOCK", async,
        CommandStatus.QUEUED, t, t.plusSeconds(60), t, null);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void aStatusChangeIsACompareAndSetThatExactlyOneRacerWins(Stores s) {
    String vehicle = unique("V");
    Command queued = command(vehicle, "fleet", NEXT.incrementAndGet(), true);
    await(s.commands.insert(queued));
    assertEquals(queued, await(s.commands.get(queued.id())), "read back as written");

    List<Future<Boolean>> racers = concurrently(10, i -> s.commands.update(queued,
        queued.to(i % 2 == 0 ? CommandStatus.EXPIRED : CommandStatus.CANCELED, "racer " + i, queued.updatedAt().plusMillis(i + 1))));
    assertEquals(1, racers.stream().filter(f -> f.succeeded() && f.result()).count(), "exactly one change wins");
    Command ended = await(s.commands.get(queued.id()));
    assertTrue(ended.status().isTerminal());

    assertFalse(await(s.commands.update(queued, queued.to(CommandStatus.DELIVERED, null, now()))), "a stale expected loses");
    assertEquals(ended, await(s.commands.get(queued.id())));

    Command other = command(vehicle, "fleet", NEXT.incrementAndGet(), false);
    await(s.commands.insert(other));
    Command delivered = other.to(CommandStatus.DELIVERED, null, other.updatedAt().plusMillis(1));
    assertTrue(await(s.commands.update(other, delivered)));
    Command done = delivered.to(CommandStatus.SUCCEEDED, "ok", delivered.updatedAt().plusMillis(1));
    assertTrue(await(s.commands.update(delivered, done)));
    assertEquals(done, await(s.commands.get(other.id())));
    assertNull(await(s.commands.get(UUID.randomUUID())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void listingsAreNewestFirstPerFleetAndTheQueueOldestFirst(Stores s) {
    String vehicle = unique("V");
    List<Command> mine = new ArrayList<>();
    List<Command> theirs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Command c = command(vehicle, "mine", NEXT.incrementAndGet(), true);
      mine.add(c);
      await(s.commands.insert(c));
      theirs.add(command(vehicle, "theirs", NEXT.incrementAndGet(), true));
      await(s.commands.insert(theirs.get(i)));
    }
    assertEquals(List.of(mine.get(3), mine.get(2), mine.get(1), mine.get(0)), await(s.commands.list(vehicle, "mine", Long.MAX_VALUE, 10)));
    assertEquals(List.of(mine.get(1)), await(s.commands.list(vehicle, "mine", mine.get(2).seq(), 1)), "seq below the cursor");
    Command delivered = mine.get(0).to(CommandStatus.DELIVERED, null, now());
    assertTrue(await(s.commands.update(mine.get(0), delivered)));
    List<Command> queued = await(s.commands.queued(vehicle));
    assertEquals(7, queued.size());
    assertEquals(List.of(theirs.get(0), mine.get(1), theirs.get(1)), queued.subList(0, 3), "oldest first");
    assertTrue(await(s.commands.loadQueued()).containsAll(queued));
    assertTrue(await(s.commands.maxSeq()) >= mine.get(3).seq());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void theHistoryIsBoundedButNeverDropsAQueuedCommand(Stores s) {
    String vehicle = unique("V");
    Command waiting = command(vehicle, "f", NEXT.incrementAndGet(), true);
    await(s.commands.insert(waiting));
    List<Command> ended = new ArrayList<>();
    for (int i = 0; i < HISTORY + 4; i++) {
      Command c = command(vehicle, "f", NEXT.incrementAndGet(), true);
      await(s.commands.insert(c));
      Command done = c.to(CommandStatus.CANCELED, "test", c.updatedAt().plusMillis(1));
      assertTrue(await(s.commands.update(c, done)));
      ended.add(done);
    }
    List<Command> kept = await(s.commands.list(vehicle, "f", Long.MAX_VALUE, 100));
    assertTrue(kept.contains(waiting), "the queued one is kept however old");
    assertTrue(kept.size() <= HISTORY + 1, "bounded: " + kept.size());
    assertEquals(ended.get(ended.size() - 1), kept.get(0), "the newest is kept");
    assertNull(await(s.commands.get(ended.get(0).id())), "the oldest ended one is dropped");
    assertEquals(List.of(waiting), await(s.commands.queued(vehicle)));
  }
}
