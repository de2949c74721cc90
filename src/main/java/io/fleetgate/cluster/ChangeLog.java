package io.fleetgate.cluster;

import io.vertx.core.Future;
import java.util.List;

/**
 * The change feed of the working set in the database (PostgreSQL migration V9): one row per committed change
 * of a fleet, API client, vehicle, partnership or sharing, numbered in commit order.
 */
public interface ChangeLog {
  /** One committed change: what to reload ({@code kind}: fleet, client, vehicle, partnership, sharing) and its id. */
  record Change(long seq, String kind, String id) {}

  /**
   * Up to {@code max} changes after {@code seq}, in order, and the retention horizon: the highest sequence ever
   * deleted (a reader behind it has missed changes it can no longer read).
   */
  record Batch(long horizon, List<Change> changes) {}

  /** The highest sequence committed so far (0 when none), and the nodes that read the feed recently. */
  record Head(long seq, java.util.Set<String> readers) {}

  /** The head, with the nodes that stamped a read within the last {@code readersWithinMs}. */
  Future<Head> head(long readersWithinMs);

  /** Changes after {@code seq}; {@code reader} non-null: stamps that node's read (in the same statement). */
  Future<Batch> after(long seq, int max, String reader);

  /** Forgets a node's stamp (it stops serving: nothing to wait for any more). */
  Future<Void> leave(String reader);

  /** Deletes the changes (and node stamps) older than {@code olderThanSeconds} (retention); how many changes. */
  Future<Integer> purge(long olderThanSeconds);
}
