package io.fleetgate.command;

import static io.fleetgate.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fleetgate.command.memory.MemoryCommandStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A status change from a command the caller holds is one compare-and-set, no read; when what it holds is
 * stale the compare-and-set loses and the change is decided on the stored command, as before.
 */
class TransitionStatementsTest {
  private final Vertx vertx = Vertx.vertx();
  private final CountingStore store = new CountingStore(new MemoryCommandStore(100));
  private final CommandService service = new CommandService(vertx, null, null, store, null,
      Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC), 10, 10, new SimpleMeterRegistry());

  @AfterEach
  void close() {
    await(vertx.close());
  }

  private Command queued() {
    Instant now = Instant.parse("2026-11-21T09:59:00Z");
    Command c = new Command(UUID.randomUUID(), 1, "v-1", "client", "fleet", "lock-central-lock", false,
        CommandStatus.QUEUED, now, now.plusSeconds(60), now, null);
    await(store.insert(c));
    return c;
  }

  @Test
  void aCurrentKnownCommandChangesWithOneCompareAndSetAndNoRead() {
    Command c = queued();
    store.reset();
    Command delivered = await(service.transition(c, x -> x.to(CommandStatus.DELIVERED, null, Instant.parse("2026-11-21T10:00:00Z"))));
    assertEquals(CommandStatus.DELIVERED, delivered.status());
    Command done = await(service.transition(delivered, x -> x.to(CommandStatus.SUCCEEDED, "ok", Instant.parse("2026-11-21T10:00:01Z"))));
    assertEquals(CommandStatus.SUCCEEDED, done.status());
    assertEquals(0, store.gets.get());
    assertEquals(2, store.updates.get());
    assertEquals(done, await(store.get(c.id())));
  }

  @Test
  void aStaleKnownCommandFallsBackToTheStoredOne() {
    Command c = queued();
    Command delivered = await(service.transition(c, x -> x.to(CommandStatus.DELIVERED, null, Instant.parse("2026-11-21T10:00:00Z"))));
    store.reset();
    // the caller still holds the QUEUED version: its compare-and-set loses, the stored DELIVERED one decides
    Command done = await(service.transition(c, x -> x.to(CommandStatus.FAILED, "no", Instant.parse("2026-11-21T10:00:02Z"))));
    assertEquals(CommandStatus.FAILED, done.status());
    assertEquals(delivered.updatedAt(), Instant.parse("2026-11-21T10:00:00Z"));
    assertEquals(1, store.gets.get());
    assertEquals(2, store.updates.get());
    // a step the stored command does not allow (DELIVERED → EXPIRED from a stale QUEUED copy) changes nothing
    assertNull(await(service.transition(c, x -> x.to(CommandStatus.EXPIRED, "late", Instant.parse("2026-11-21T10:00:03Z")))));
    assertEquals(done, await(store.get(c.id())));
  }

  @Test
  void twoChangesFromTheSameKnownCommandEndItOnce() {
    Command c = queued();
    Future<Command> expire = service.transition(c, x -> x.to(CommandStatus.EXPIRED, "expired", Instant.parse("2026-11-21T10:00:00Z")));
    Future<Command> cancel = service.transition(c, x -> x.to(CommandStatus.CANCELED, "canceled", Instant.parse("2026-11-21T10:00:00Z")));
    Command won = await(expire);
    assertNotNull(won);
    assertNull(await(cancel));
    assertEquals(won, await(store.get(c.id())));
  }

  /** Counts the reads and compare-and-sets that reach the store. */
  private static final class CountingStore implements CommandStore {
    final CommandStore inner;
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger updates = new AtomicInteger();

    CountingStore(CommandStore inner) {
      this.inner = inner;
    }

    void reset() {
      gets.set(0);
      updates.set(0);
    }

    @Override
    public Future<Void> insert(Command command) {
      return inner.insert(command);
    }

    @Override
    public Future<Boolean> update(Command expected, Command next) {
      updates.incrementAndGet();
      return inner.update(expected, next);
    }

    @Override
    public Future<Command> get(UUID id) {
      gets.incrementAndGet();
      return inner.get(id);
    }

    @Override
    public Future<List<Command>> list(String vehicleId, String fleetId, long beforeSeq, int limit) {
      return inner.list(vehicleId, fleetId, beforeSeq, limit);
    }

    @Override
    public Future<List<Command>> queued(String vehicleId) {
      return inner.queued(vehicleId);
    }

    @Override
    public Future<List<Command>> loadQueued() {
      return inner.loadQueued();
    }

    @Override
    public Future<Long> maxSeq() {
      return inner.maxSeq();
    }
  }
}
