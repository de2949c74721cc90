package io.fleetgate.fleet;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The in-memory working set of fleets and API clients: every read of the API and every token check is a
 * map lookup here, never a store round trip. Written only after the store accepted the change.
 */
public final class FleetDirectory {
  private final Map<String, Fleet> fleets = new ConcurrentSkipListMap<>();
  private final Map<String, ApiClient> clients = new ConcurrentHashMap<>();

  public Fleet fleet(String id) {
    return id == null ? null : fleets.get(id);
  }

  /** Fleets in id order. */
  public List<Fleet> fleets() {
    return List.copyOf(fleets.values());
  }

  public void put(Fleet fleet) {
    fleets.put(fleet.id(), fleet);
  }

  public ApiClient client(String clientId) {
    return clientId == null ? null : clients.get(clientId);
  }

  public void put(ApiClient client) {
    clients.put(client.clientId(), client);
  }

  public void removeClient(String clientId) {
    clients.remove(clientId);
  }

  /** Clients of a fleet (null = platform clients), oldest first. */
  public List<ApiClient> clientsOf(String fleetId) {
    return clients.values().stream()
        .filter(c -> fleetId == null ? c.fleetId() == null : fleetId.equals(c.fleetId()))
        .sorted((a, b) -> a.createdAt().compareTo(b.createdAt()) != 0
            ? a.createdAt().compareTo(b.createdAt()) : a.clientId().compareTo(b.clientId()))
        .toList();
  }

  public boolean hasPlatformAdmin() {
    return clients.values().stream().anyMatch(ApiClient::isPlatform);
  }
}
