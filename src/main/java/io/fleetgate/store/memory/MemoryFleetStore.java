package io.fleetgate.store.memory;

import io.fleetgate.fleet.ApiClient;
import io.fleetgate.fleet.Fleet;
import io.fleetgate.fleet.FleetStore;
import io.fleetgate.problem.DuplicateKeyException;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link FleetStore} in memory: keeps nothing across restarts. */
public final class MemoryFleetStore implements FleetStore {
  private final Map<String, Fleet> fleets = new ConcurrentHashMap<>();
  private final Map<String, ApiClient> clients = new ConcurrentHashMap<>();

  @Override
  public Future<Void> insertFleet(Fleet fleet) {
    return fleets.putIfAbsent(fleet.id(), fleet) == null
        ? Future.succeededFuture()
        : Future.failedFuture(new DuplicateKeyException("fleet " + fleet.id()));
  }

  @Override
  public Future<Void> updateFleet(Fleet fleet) {
    fleets.put(fleet.id(), fleet);
    return Future.succeededFuture();
  }

  @Override
  public Future<List<Fleet>> loadFleets() {
    return Future.succeededFuture(new ArrayList<>(fleets.values()));
  }

  @Override
  public Future<Void> insertClient(ApiClient client) {
    return clients.putIfAbsent(client.clientId(), client) == null
        ? Future.succeededFuture()
        : Future.failedFuture(new DuplicateKeyException("client " + client.clientId()));
  }

  @Override
  public Future<Void> replaceClient(ApiClient client) {
    clients.put(client.clientId(), client);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> deleteClient(String clientId) {
    clients.remove(clientId);
    return Future.succeededFuture();
  }

  @Override
  public Future<List<ApiClient>> loadClients() {
    return Future.succeededFuture(new ArrayList<>(clients.values()));
  }
}
