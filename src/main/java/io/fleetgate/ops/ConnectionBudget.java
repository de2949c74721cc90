package io.fleetgate.ops;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bound on the connections of one listener kind, shared by all its verticle instances (one per event loop).
 * A connection takes a slot at CONNECT and gives it back when it closes. A budget may draw on a shared parent
 * too (the device listeners' share of the file descriptors, {@link FileDescriptorBudget}): a slot is granted
 * only when both have room.
 */
public final class ConnectionBudget {
  private final int max;
  private final ConnectionBudget parent;
  private final AtomicInteger used = new AtomicInteger();

  public ConnectionBudget(int max) {
    this(max, null);
  }

  public ConnectionBudget(int max, ConnectionBudget parent) {
    this.max = max;
    this.parent = parent;
  }

  /** Takes a slot; false when all are taken (here or in the parent). */
  public boolean tryAcquire() {
    while (true) {
      int n = used.get();
      if (n >= max) {
        return false;
      }
      if (used.compareAndSet(n, n + 1)) {
        break;
      }
    }
    if (parent != null && !parent.tryAcquire()) {
      used.decrementAndGet();
      return false;
    }
    return true;
  }

  public void release() {
    used.decrementAndGet();
    if (parent != null) {
      parent.release();
    }
  }

  public int inUse() {
    return used.get();
  }

  public int max() {
    return max;
  }
}
