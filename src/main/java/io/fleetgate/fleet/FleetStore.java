package io.fleetgate.fleet;

import io.fleetgate.problem.DuplicateKeyException;
import io.vertx.core.Future;
import java.util.List;

/**
 * Persistence of fleets and API clients. The working set lives in memory ({@code FleetDirectory}); this is
 * what makes it durable. Writes complete before the API answers; a duplicate key fails with
 * {@link DuplicateKeyException}.
 */
public interface FleetStore {
  Future<Void> insertFleet(Fleet fleet);

  Future<Void> updateFleet(Fleet fleet);

  Future<List<Fleet>> loadFleets();

  Future<Void> insertClient(ApiClient client);

  /** Stores a client in place of the one with its id, if any, in one step (the configured administrator at start-up). */
  Future<Void> replaceClient(ApiClient client);

  Future<Void> deleteClient(String clientId);

  Future<List<ApiClient>> loadClients();

  /** The fleet as stored now, or null: what a cluster node reloads when the change feed names it. */
  default Future<Fleet> loadFleet(String id) {
    return Future.failedFuture(new UnsupportedOperationException("this store has no change feed"));
  }

  /** The client as stored now, or null (deleted): what a cluster node reloads when the change feed names it. */
  default Future<ApiClient> loadClient(String clientId) {
    return Future.failedFuture(new UnsupportedOperationException("this store has no change feed"));
  }
}
