package io.fleetgate.sharing;

import java.time.Instant;

/**
 * An outstanding invitation code of a fleet. The code itself is never stored: only its SHA-256
 * ({@code codeHash}), which is enough for a code of 100 random bits (no dictionary to try). {@code id} is a
 * separate random handle that lists and revokes the code without revealing any part of it.
 */
public record Invitation(String id, String fleetId, String codeHash, Instant createdAt, Instant expiresAt) {

  public boolean expiredAt(Instant now) {
    return !now.isBefore(expiresAt);
  }
}
