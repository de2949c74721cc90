package io.fleetgate.vehicle;

import java.time.Instant;

/**
 * The device in a vehicle. {@code passwordHash} is an encoded Argon2id hash; {@code credentialVersion} grows
 * with every password change so that cached verifications of an old password stop counting.
 * {@code keyedVerifier} is the fast keyed verifier of the same password ({@code auth.KeyedVerifier}), or null
 * until one is derived (rows older than verifiers, a key change).
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
    Instant modifiedAt,
    String keyedVerifier) {

  public static final int ID_MAX = 64;
  public static final int PASSWORD_MIN = 12;
  public static final int PASSWORD_MAX = 256;

  /** A unit without a keyed verifier yet. */
  public TelematicsUnit(String id, String brand, String model, String manufacturer, String type, String fleetId,
      String vehicleId, String passwordHash, long credentialVersion, Instant createdAt, Instant modifiedAt) {
    this(id, brand, model, manufacturer, type, fleetId, vehicleId, passwordHash, credentialVersion, createdAt, modifiedAt, null);
  }

  /** A new password (its hash and keyed verifier): the old one's verifications stop counting. */
  public TelematicsUnit withPassword(UnitCredential credential, Instant now) {
    return new TelematicsUnit(id, brand, model, manufacturer, type, fleetId, vehicleId, credential.hash(),
        credentialVersion + 1, createdAt, now, credential.keyedVerifier());
  }

  /** A new password hash without a keyed verifier (one is derived at the next login). */
  public TelematicsUnit withPassword(String hash, Instant now) {
    return withPassword(new UnitCredential(hash, null), now);
  }

  /** The same password with its keyed verifier (derived after a slow verification). */
  public TelematicsUnit withKeyedVerifier(String verifier) {
    return new TelematicsUnit(id, brand, model, manufacturer, type, fleetId, vehicleId, passwordHash,
        credentialVersion, createdAt, modifiedAt, verifier);
  }

  /** Without the hash and the verifier: neither belongs in a log line. */
  @Override
  public String toString() {
    return "TelematicsUnit[id=" + id + ", fleetId=" + fleetId + ", vehicleId=" + vehicleId + ", credentialVersion="
        + credentialVersion + "]";
  }
}
