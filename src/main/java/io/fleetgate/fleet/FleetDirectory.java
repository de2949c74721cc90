package io.fleetgate.fleet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The in-memory working set of fleets and API clients: every read of the API and every token check is a
 * map lookup here, never a store round trip. Written only after the store accepted the change.
 */
public final class FleetDirectory {
  private final ConcurrentSkipListMap<String, Fleet> fleets = new ConcurrentSkipListMap<>();
  private final Map<String, ApiClient> clients = new ConcurrentHashMap<>();

  public Fleet fleet(String id) {
    return id == null ? null : fleets.get(id);
  }

  /** Fleets in id order. */
  public List<Fleet> fleets() {
    return List.copyOf(fleets.values());
  }

  /** Up to {@code max} fleets with an id after {@code afterId} (null = from the start), in id order. */
  public List<Fleet> fleetsAfter(String afterId, int max) {
    return take((afterId == null ? fleets : fleets.tailMap(afterId, false)).values(), max);
  }

  /** Up to {@code max} fleets with an id before {@code beforeId} (null = up to the end), in id order. */
  public List<Fleet> fleetsBefore(String beforeId, int max) {
    List<Fleet> out = take((beforeId == null ? fleets : fleets.headMap(beforeId, false)).descendingMap().values(), max);
    Collections.reverse(out);
    return out;
  }

  private static List<Fleet> take(Collection<Fleet> ordered, int max) {
    List<Fleet> out = new ArrayList<>(Math.min(max, 512));
    for (Fleet f : ordered) {
      if (out.size() >= max) {
        break;
      }
      out.add(f);
    }
    return out;
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
