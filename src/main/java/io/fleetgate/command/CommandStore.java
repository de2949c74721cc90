package io.fleetgate.command;

import io.vertx.core.Future;
import java.util.List;
import java.util.UUID;

/**
 * Persistence port of commands: the queue (QUEUED commands) and a bounded history per vehicle. In memory, or
 * in PostgreSQL (durable queue: an insert completes only once the command is committed).
 */
public interface CommandStore {

  Future<Void> insert(Command command);

  /**
   * {@link #insert(Command)}, noting the cluster node that created it (its sender waits there, its expiry
   * timer runs there). Stores that only one process uses ignore the node.
   */
  default Future<Void> insert(Command command, String nodeId) {
    return insert(command);
  }

  /**
   * The QUEUED commands created by {@code departedNode}, now noted as {@code self}'s: of several nodes asking at
   * once, each command goes to exactly one. Stores that only one process uses have none.
   */
  default Future<List<Command>> adoptQueued(String departedNode, String self) {
    return Future.succeededFuture(List.of());
  }

  /**
   * Replaces {@code expected} by {@code next} if the stored record is still {@code expected}
   * (compare-and-set).
   *
   * @return whether it was replaced (false: another change came first, or the command is gone)
   */
  Future<Boolean> update(Command expected, Command next);

  /** The command, or null. */
  Future<Command> get(UUID id);

  /**
   * Commands of a vehicle issued by {@code fleetId}, newest first, with {@code seq < beforeSeq}, at most
   * {@code limit}.
   */
  Future<List<Command>> list(String vehicleId, String fleetId, long beforeSeq, int limit);

  /** The QUEUED commands of a vehicle, oldest first. */
  Future<List<Command>> queued(String vehicleId);

  /** Every QUEUED command of every vehicle, oldest first (start-up: the queues to rebuild). */
  Future<List<Command>> loadQueued();

  /** The highest {@link Command#seq} stored, 0 when there is none (start-up: where the sequence goes on). */
  Future<Long> maxSeq();

  /**
   * The next {@code seq} from a counter every node on this store shares (a cluster, where a per-process counter
   * would hand out the same seq twice). Only stores that several processes use implement it.
   */
  default Future<Long> nextSharedSeq() {
    return Future.failedFuture(new UnsupportedOperationException("this store is not shared between processes"));
  }

  /**
   * Inserts a QUEUED asynchronous command unless its vehicle holds {@code limit} of them already: counted and
   * inserted under one lock per vehicle, so sends racing through several nodes cannot pass the limit together.
   * False when the queue is full; {@code nodeId} as for {@link #insert(Command, String)}. Only stores that
   * several processes use implement it.
   */
  default Future<Boolean> insertQueuedWithin(Command command, int limit, String nodeId) {
    return Future.failedFuture(new UnsupportedOperationException("this store is not shared between processes"));
  }

  /** Moves the shared counter above {@code seq} (seqs a single process handed out before the cluster). */
  default Future<Void> sharedSeqAtLeast(long seq) {
    return Future.succeededFuture();
  }
}
