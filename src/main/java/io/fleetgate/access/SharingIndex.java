package io.fleetgate.access;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * Holds the current {@link AccessSnapshot}. Readers take {@link #current()} (one volatile read); writers swap
 * in a new snapshot with {@link #update}, which retries on a concurrent swap, so no change is ever lost.
 */
public final class SharingIndex {
  private final AtomicReference<AccessSnapshot> current = new AtomicReference<>(AccessSnapshot.EMPTY);

  public AccessSnapshot current() {
    return current.get();
  }

  /** Applies a pure change to the current snapshot atomically and returns the new one. */
  public AccessSnapshot update(UnaryOperator<AccessSnapshot> change) {
    return current.updateAndGet(change);
  }
}
