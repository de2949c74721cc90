package io.fleetgate.sharing;

import io.fleetgate.access.Partnership;
import io.fleetgate.access.Sharing;
import io.fleetgate.access.SharingIndex;
import io.fleetgate.problem.DuplicateKeyException;
import io.vertx.core.Future;
import java.util.List;

/**
 * Persistence of partnerships, invitation codes (hashed) and vehicle sharings. The working set lives in the
 * {@code SharingIndex}; this makes it durable. Writes complete before the API answers. The store arbitrates
 * races: a second partnership of the same pair or a second sharing of the same vehicle fails with
 * {@link DuplicateKeyException}; an invitation is taken at most once.
 */
public interface SharingStore {
  String PARTNERSHIP = "partnership";
  String SHARING = "sharing";

  // partnerships

  Future<Void> insertPartnership(Partnership p);

  /** Whether the pair was partnered (and no longer is). */
  Future<Boolean> deletePartnership(String fleetA, String fleetB);

  Future<List<Partnership>> loadPartnerships();

  // invitation codes

  Future<Void> insertInvitation(Invitation invitation);

  /** The invitation with this code hash, or null. */
  Future<Invitation> findInvitation(String codeHash);

  /** Removes and returns the invitation with this code hash; null when it is gone (taken by a racing call). */
  Future<Invitation> takeInvitation(String codeHash);

  /** Deletes a fleet's invitation by id; whether it existed. */
  Future<Boolean> deleteInvitation(String fleetId, String invitationId);

  /** The fleet's invitations, expired ones included, oldest first. */
  Future<List<Invitation>> invitationsOf(String fleetId);

  /** Deletes every invitation expired at {@code now} (retention); how many. */
  Future<Integer> deleteExpiredInvitations(java.time.Instant now);

  // sharings

  /** Stores a vehicle's sharing; {@link DuplicateKeyException} ({@link #SHARING}) when the vehicle has one. */
  Future<Void> insertSharing(Sharing sharing);

  Future<Void> updateSharing(Sharing sharing);

  /**
   * Marks the vehicle's sharing with this id started if it is not yet: whether this call did it (of the
   * nodes whose timers fire for one scheduled start, exactly one gets true and reports the start).
   */
  Future<Boolean> markStarted(String vehicleId, long sharingId);

  /** Deletes the vehicle's sharing if it is still the one with this id; whether it was. */
  Future<Boolean> deleteSharing(String vehicleId, long sharingId);

  Future<List<Sharing>> loadSharings();

  /** The partnership of two fleets (either order) as stored now, or null: reloaded when the change feed names it. */
  default Future<Partnership> loadPartnership(String fleetA, String fleetB) {
    return Future.failedFuture(new UnsupportedOperationException("this store has no change feed"));
  }

  /** The vehicle's sharing as stored now, or null: reloaded when the change feed names it. */
  default Future<Sharing> loadSharing(String vehicleId) {
    return Future.failedFuture(new UnsupportedOperationException("this store has no change feed"));
  }
}
