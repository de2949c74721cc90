package io.fleetgate.vehicle;

import io.vertx.core.Future;

/**
 * What is stored of a unit password: its Argon2id hash and its fast keyed verifier (null when there is no
 * verifier key to make one with).
 */
public record UnitCredential(String hash, String keyedVerifier) {

  /** Makes the credential of a unit's new password off the event loop (hash on the worker pool). */
  @FunctionalInterface
  public interface Issuer {
    Future<UnitCredential> issue(String unitId, String password);
  }
}
