package io.fleetgate.auth;

/**
 * Told when an API client's credentials stop being valid (the client was deleted, or lost a permission
 * something it holds open depends on): whatever it holds open beyond a single request, such as event streams,
 * ends at once. One call per revocation, so that a clustered gateway can broadcast it to every node.
 */
@FunctionalInterface
public interface ClientRevocationListener {
  /** Nothing to end (tests and tools without open streams). */
  ClientRevocationListener NONE = clientId -> {};

  /**
   * Called after the revocation took effect in the working set (later requests of the client are refused
   * already); must not block.
   */
  void clientRevoked(String clientId);
}
