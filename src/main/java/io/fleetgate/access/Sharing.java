package io.fleetgate.access;

import java.time.Instant;

/**
 * One vehicle lent by its owner fleet to a partner fleet, from {@code startsAtMs} (inclusive) to
 * {@code endsAtMs} (exclusive; {@link #OPEN} for an open end). Immutable; a change replaces it whole. Times
 * are epoch milliseconds so that the access check compares longs and allocates nothing.
 *
 * @param id unique per sharing, so that a late timer of an earlier sharing never touches a later one
 * @param vehicleSeq the vehicle's creation sequence: its key in the partner's listing index
 * @param started whether {@code sharing.SharingListener.sharingStarted} has been told (ends are reported only then)
 */
public record Sharing(long id, String vehicleId, long vehicleSeq, String ownerFleetId, String partnerFleetId,
    long startsAtMs, long endsAtMs, boolean started, Instant createdAt) {

  /** {@code endsAtMs} of a sharing without an end. */
  public static final long OPEN = Long.MAX_VALUE;

  /** Grants the partner access at {@code nowMs}: started and not yet ended (whatever the timers did). */
  public boolean activeAt(long nowMs) {
    return nowMs >= startsAtMs && nowMs < endsAtMs;
  }

  /** Not started yet at {@code nowMs}. */
  public boolean scheduledAt(long nowMs) {
    return nowMs < startsAtMs;
  }

  /** Over at {@code nowMs} (its end has passed, even if its timer has not fired yet). */
  public boolean endedAt(long nowMs) {
    return nowMs >= endsAtMs;
  }

  public Instant startsAt() {
    return Instant.ofEpochMilli(startsAtMs);
  }

  /** The end, or null for an open end. */
  public Instant endsAt() {
    return endsAtMs == OPEN ? null : Instant.ofEpochMilli(endsAtMs);
  }

  public boolean between(String fleetA, String fleetB) {
    return ownerFleetId.equals(fleetA) && partnerFleetId.equals(fleetB)
        || ownerFleetId.equals(fleetB) && partnerFleetId.equals(fleetA);
  }

  public Sharing withEnd(long newEndsAtMs) {
    return new Sharing(id, vehicleId, vehicleSeq, ownerFleetId, partnerFleetId, startsAtMs, newEndsAtMs, started, createdAt);
  }

  public Sharing markStarted() {
    return new Sharing(id, vehicleId, vehicleSeq, ownerFleetId, partnerFleetId, startsAtMs, endsAtMs, true, createdAt);
  }
}
