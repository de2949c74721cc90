package io.fleetgate.command;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per vehicle: how many asynchronous commands are QUEUED (bounded) and whether its queue is being drained
 * (one drain at a time keeps delivery in order).
 */
final class CommandQueues {
  private final int limit;
  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

  CommandQueues(int limit) {
    this.limit = limit;
  }

  int limit() {
    return limit;
  }

  Lane lane(String vehicleId) {
    return lanes.computeIfAbsent(vehicleId, v -> new Lane());
  }

  /** Takes a place in the vehicle's queue; false when it is full. */
  boolean admit(String vehicleId) {
    AtomicInteger queued = lane(vehicleId).queued;
    while (true) {
      int n = queued.get();
      if (n >= limit) {
        return false;
      }
      if (queued.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Counts a command that was QUEUED when the gateway started, whatever the limit (it was admitted before). */
  void restore(String vehicleId) {
    lane(vehicleId).queued.incrementAndGet();
  }

  /** A queued command left QUEUED (delivered, expired, canceled, answered). */
  void left(String vehicleId) {
    lane(vehicleId).queued.decrementAndGet();
  }

  /** The drain state of one vehicle. */
  static final class Lane {
    final AtomicInteger queued = new AtomicInteger();
    private boolean draining;
    private boolean again;

    int queued() {
      return queued.get();
    }

    /** Whether the caller is the one to drain now (else the running drain goes round once more). */
    synchronized boolean begin() {
      if (draining) {
        again = true;
        return false;
      }
      draining = true;
      return true;
    }

    /** Whether the drain must go round once more because it was asked to meanwhile; else it stops. */
    synchronized boolean end() {
      if (again) {
        again = false;
        return true;
      }
      draining = false;
      return false;
    }
  }
}
