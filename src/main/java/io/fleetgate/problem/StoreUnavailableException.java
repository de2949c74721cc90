package io.fleetgate.problem;

/**
 * The store cannot take or answer a request now (database down, unreachable or too slow). The API answers
 * 503 {@code service-unavailable} with {@code Retry-After}; nothing was written.
 */
public final class StoreUnavailableException extends RuntimeException {
  /** Seconds a client should wait before retrying. */
  public static final int RETRY_AFTER_SECONDS = 5;

  public StoreUnavailableException(String what, Throwable cause) {
    super(what, cause, false, false);
  }
}
