package io.fleetgate.command;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One command to one vehicle, immutable: a status change is a new record, written with a compare-and-set
 * ({@link CommandStore#update}) so that two racing changes (a result and an expiry, say) cannot both win.
 *
 * @param seq the store's order of creation, the keyset of listings (newest first)
 * @param clientId the API client that issued it; {@code fleetId} its fleet, the only fleet that sees it
 * @param name the capability name, e.g. {@code UNLOCK_CENTRAL_LOCK}
 * @param async sent with {@code Prefer: respond-async} (queued until delivered); a synchronous one is only
 *     ever delivered while its sender waits
 * @param detail why it ended as it did (the unit's detail, or the gateway's reason), or null
 */
public record Command(
    UUID id, long seq, String vehicleId, String clientId, String fleetId, String name, boolean async, CommandStatus status,
    Instant createdAt, Instant expiresAt, Instant updatedAt, String detail) {

  public Command {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(vehicleId, "vehicleId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
  }

  /**
   * This command in {@code next}, or null when that change is not allowed ({@link CommandStatus#mayBecome}).
   * {@code detail} null keeps the current one.
   */
  public Command to(CommandStatus next, String detail, Instant at) {
    if (!status.mayBecome(next)) {
      return null;
    }
    return new Command(id, seq, vehicleId, clientId, fleetId, name, async, next, createdAt, expiresAt, at,
        detail != null ? detail : this.detail);
  }

  public boolean expiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }
}
