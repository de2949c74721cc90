package io.fleetgate.ops;

import io.vertx.core.Future;

/**
 * How a gateway node of a cluster keeps its answers as current as the database: it refuses what it cannot
 * authorize while its in-memory working set may be behind, and a change made through it is applied on every
 * live node before it is answered. Absent (null) on a single node, where the working set is the only copy.
 */
public interface WorkingSetCoherence {
  /** Null while this node's working set is known current; else why not (the caller answers 503). Cheap: per request. */
  String staleReason();

  /**
   * Completes once every change committed so far is applied on every live node, or the bounded wait for a node
   * that did not confirm is over (such a node refuses requests by then). Never fails: the change has committed.
   */
  Future<Void> barrier();
}
