package io.fleetgate.ops;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bound on the connections of one listener kind, shared by all its verticle instances (one per event loop).
 * A connection takes a slot at CONNECT and gives it back when it closes.
 */
public final class ConnectionBudget {
  private final int max;
  private final AtomicInteger used = new AtomicInteger();

  public ConnectionBudget(int max) {
    this.max = max;
  }

  /** Takes a slot; false when all are taken. */
  public boolean tryAcquire() {
    while (true) {
      int n = used.get();
      if (n >= max) {
        return false;
      }
      if (used.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  public void release() {
    used.decrementAndGet();
  }

  public int inUse() {
    return used.get();
  }
}
