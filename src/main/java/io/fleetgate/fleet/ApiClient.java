package io.fleetgate.fleet;

import io.fleetgate.auth.Permission;
import java.time.Instant;
import java.util.Set;

/**
 * An API client: belongs to one fleet, or to the platform when {@code fleetId} is null. The secret is kept
 * only as {@code secretHash} (an encoded Argon2id hash).
 */
public record ApiClient(
    String clientId, String fleetId, String name, Set<Permission> permissions, String secretHash, Instant createdAt) {

  public boolean isPlatform() {
    return fleetId == null;
  }
}
