package io.fleetgate.device;

import io.fleetgate.auth.SecretVerifier;
import io.fleetgate.device.ConnectRefusedException.Reason;
import io.fleetgate.vehicle.TelematicsUnit;
import io.fleetgate.vehicle.VehicleRegistry;
import io.vertx.core.Future;

/**
 * Authenticates a unit by id and password: the unit exists, it is attached to a vehicle in the working set
 * (a unit of a removed vehicle cannot log in), and the password matches its hash. Every "no" is the same
 * {@link Reason#BAD_CREDENTIALS}, so a unit id cannot be probed; an overloaded verifier is
 * {@link Reason#SERVER_BUSY}.
 */
public final class UnitAuthenticator {
  /** Keeps unit ids apart from API client ids in the verifier's cache. */
  private static final String CACHE_PREFIX = "unit:";

  private final VehicleRegistry registry;
  private final SecretVerifier secrets;

  public UnitAuthenticator(VehicleRegistry registry, SecretVerifier secrets) {
    this.registry = registry;
    this.secrets = secrets;
  }

  /** The unit, once its password is verified; fails with a {@link ConnectRefusedException}. */
  public Future<TelematicsUnit> authenticate(String unitId, String password) {
    TelematicsUnit unit = registry.unit(unitId);
    if (password == null) {
      return Future.failedFuture(badCredentials("no password"));
    }
    boolean known = unit != null && unit.vehicleId() != null && registry.vehicle(unit.vehicleId()) != null;
    // an unknown unit costs one real verification too, so that timing does not tell unit ids apart
    Future<Boolean> check = known
        ? secrets.verify(cacheKey(unitId), password, unit.passwordHash())
        : secrets.rejectUnknown(password);
    return check
        .recover(e -> Future.failedFuture(new ConnectRefusedException(Reason.SERVER_BUSY, "credential check refused: " + e.getMessage())))
        .compose(ok -> ok ? Future.succeededFuture(unit) : Future.failedFuture(badCredentials(known ? "wrong password" : "unknown unit or no vehicle")));
  }

  /**
   * The unit a verified client certificate names (its subject CN): no password, but the same registry checks
   * at every connect, so a unit that is unknown or whose vehicle was removed is refused even though its
   * certificate still chains to the CA. {@code claimedId} (the MQTT client id, the TCP LOGIN unit id) must
   * be the CN.
   */
  public Future<TelematicsUnit> authenticateCertified(String certifiedId, String claimedId) {
    if (!certifiedId.equals(claimedId)) {
      return Future.failedFuture(badCredentials("client certificate is for another unit"));
    }
    TelematicsUnit unit = registry.unit(certifiedId);
    boolean known = unit != null && unit.vehicleId() != null && registry.vehicle(unit.vehicleId()) != null;
    return known ? Future.succeededFuture(unit) : Future.failedFuture(badCredentials("certified unit unknown or its vehicle removed"));
  }

  /** The key of a unit's verified password in the {@link SecretVerifier} cache. */
  public static String cacheKey(String unitId) {
    return CACHE_PREFIX + unitId;
  }

  private static ConnectRefusedException badCredentials(String why) {
    return new ConnectRefusedException(Reason.BAD_CREDENTIALS, why);
  }
}
