package io.fleetgate.auth;

import java.util.Set;

/** The caller of a REST request: its client, its fleet (null for platform clients) and effective permissions. */
public record Principal(String clientId, String fleetId, Set<Permission> permissions) {

  public boolean has(Permission p) {
    return permissions.contains(p);
  }

  public boolean isPlatform() {
    return fleetId == null;
  }
}
