package io.fleetgate.vehicle;

import java.time.Instant;

/**
 * The device in a vehicle. {@code passwordHash} is an encoded Argon2id hash; {@code credentialVersion} grows
 * with every password change so that cached verifications of an old password stop counting.
 */
public record TelematicsUnit(
    String id,
    String brand,
    String model,
    String manufacturer,
    String type,
    String fleetId,
    String vehicleId,
    String passwordHash,
    long credentialVersion,
    Instant createdAt,
    Instant modifiedAt) {

  public static final int ID_MAX = 64;
  public static final int PASSWORD_MIN = 12;
  public static final int PASSWORD_MAX = 256;

  public TelematicsUnit withPassword(String hash, Instant now) {
    return new TelematicsUnit(id, brand, model, manufacturer, type, fleetId, vehicleId, hash, credentialVersion + 1, createdAt, now);
  }
}
