package io.fleetgate.support;

import io.vertx.core.Future;

/**
 * Hands out creation sequences that several processes share (a cluster's PostgreSQL sequence), where each
 * process counting on its own would give two vehicles, sharings or partnerships the same one: a listing index
 * keyed by it would hide one of them, and a unique id would fail as a false conflict. A single node counts in
 * memory and has none.
 */
@FunctionalInterface
public interface SeqSource {
  /** The next value: above every one handed out before, by any process. */
  Future<Long> next();
}
