package io.fleetgate.cluster;

import io.vertx.core.Future;
import java.util.List;

/**
 * The change feed of the working set in the database (PostgreSQL migration V8): one row per committed change
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

  /** The highest sequence committed so far (0 when none). */
  Future<Long> head();

  Future<Batch> after(long seq, int max);

  /** Deletes the changes older than {@code olderThanSeconds} (retention); how many. */
  Future<Integer> purge(long olderThanSeconds);
}
