package io.fleetgate.vehicle;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The latest reading of each property of one vehicle. Lock-free: each property slot is replaced by CAS only
 * when the incoming reading is not older than the one held, so an older reading never overwrites a newer one
 * whatever the interleaving of two writers. A merge touches only the properties the frame carries.
 */
public final class LatestState {
  private final AtomicReferenceArray<Reading> slots = new AtomicReferenceArray<>(Property.count());

  /**
   * Merges the readings allowed by {@code capabilityMask}.
   *
   * @return what the merge did: the readings applied (changed or refreshed) and how many were dropped for
   *     want of a capability or for being older than the held value
   */
  public MergeResult merge(List<Reading> readings, int capabilityMask) {
    List<Reading> applied = null;
    int notCapable = 0;
    int stale = 0;
    for (int i = 0, n = readings.size(); i < n; i++) {
      Reading r = readings.get(i);
      Property p = r.property();
      if ((capabilityMask & p.bit) == 0) {
        notCapable++;
        continue;
      }
      if (apply(p.ordinal(), r)) {
        if (applied == null) {
          applied = new ArrayList<>(n);
        }
        applied.add(r);
      } else {
        stale++;
      }
    }
    return new MergeResult(applied == null ? List.of() : applied, notCapable, stale);
  }

  private boolean apply(int slot, Reading incoming) {
    while (true) {
      Reading current = slots.get(slot);
      if (current != null && current.timestampMs() > incoming.timestampMs()) {
        return false;
      }
      if (slots.compareAndSet(slot, current, incoming)) {
        return true;
      }
    }
  }

  /** The reading held for a property, or null. */
  public Reading get(Property p) {
    return slots.get(p.ordinal());
  }

  /** A copy of the held readings within the mask, in property order. */
  public List<Reading> snapshot(int capabilityMask) {
    List<Reading> out = new ArrayList<>();
    for (int i = 0; i < slots.length(); i++) {
      Reading r = slots.get(i);
      if (r != null && (capabilityMask & r.property().bit) != 0) {
        out.add(r);
      }
    }
    return out;
  }

  /** Outcome of a merge. */
  public record MergeResult(List<Reading> applied, int droppedNotCapable, int droppedStale) {}
}
