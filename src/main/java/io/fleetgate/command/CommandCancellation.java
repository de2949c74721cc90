package io.fleetgate.command;

import io.vertx.core.Future;

/**
 * Ends queued commands when the right to send them goes away: a sharing ends (the partner's), the vehicle
 * is removed (all). Delivered commands are left to their results.
 */
public interface CommandCancellation {

  /** Cancels the vehicle's QUEUED commands issued by {@code issuingFleetId}; returns how many. */
  Future<Integer> cancelQueued(String vehicleId, String issuingFleetId, String reason);

  /** Cancels every QUEUED command of the vehicle; returns how many. */
  Future<Integer> cancelAllQueued(String vehicleId, String reason);
}
