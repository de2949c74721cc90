package io.fleetgate.sharing;

/**
 * Told about every sharing that starts and every one that ends (by the owner, by the partner, by its end
 * time, or because the partnership ended), e.g. to cancel the partner's queued commands. Called on an event
 * loop after the change is stored and visible to access checks; must not block. A sharing that never
 * started (cancelled while scheduled) reports neither.
 */
public interface SharingListener {

  /** Why a sharing ended. */
  enum Reason {
    ENDED_BY_OWNER, ENDED_BY_PARTNER, EXPIRED, PARTNERSHIP_ENDED
  }

  void sharingStarted(String vehicleId, String ownerFleetId, String partnerFleetId);

  void sharingEnded(String vehicleId, String ownerFleetId, String partnerFleetId, Reason reason);
}
