package io.fleetgate.store;

/** A store refused a write because its key is taken. */
public final class DuplicateKeyException extends RuntimeException {
  public DuplicateKeyException(String what) {
    super(what, null, false, false);
  }
}
