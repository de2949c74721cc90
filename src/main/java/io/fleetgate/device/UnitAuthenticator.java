package io.fleetgate.device;

import io.fleetgate.auth.KeyedVerifier;
import io.fleetgate.auth.SecretVerifier;
import io.fleetgate.device.ConnectRefusedException.Reason;
import io.fleetgate.vehicle.TelematicsUnit;
import io.fleetgate.vehicle.UnitVerifiers;
import io.fleetgate.vehicle.VehicleRegistry;
import io.vertx.core.Future;

/**
 * Authenticates a unit by id and password: the unit exists, it is attached to a vehicle in the working set
 * (a unit of a removed vehicle cannot log in), and the password matches. Every "no" is the same
 * {@link Reason#BAD_CREDENTIALS}, so a unit id cannot be probed; an overloaded verifier is
 * {@link Reason#SERVER_BUSY}.
 *
 * <p>The password is checked against the unit's keyed verifier first (one HMAC, on the event loop): a match
 * admits, a mismatch refuses, neither touches Argon2. An unknown unit costs one HMAC as well, so it answers
 * like a wrong password. Only a unit without a verifier under the current key (rows older than verifiers, a
 * key change) is verified with Argon2 on the worker pool, once: its verifier is derived then and kept.
 * Wrong passwords are bounded per (address, unit id) and per address ({@link UnitLoginFailures}): a guess no
 * longer costs an Argon2.
 */
public final class UnitAuthenticator {
  /** Keeps unit ids apart from API client ids in the verifier's cache. */
  private static final String CACHE_PREFIX = "unit:";

  private final VehicleRegistry registry;
  private final SecretVerifier secrets;
  private final KeyedVerifier keyed;
  private final UnitVerifiers verifiers;
  private final DeviceMetrics metrics;
  private final UnitLoginFailures failures;
  private final java.util.function.Supplier<String> unavailable;

  public UnitAuthenticator(VehicleRegistry registry, SecretVerifier secrets, KeyedVerifier keyed, UnitVerifiers verifiers,
      DeviceMetrics metrics, UnitLoginFailures failures) {
    this(registry, secrets, keyed, verifiers, metrics, failures, () -> null);
  }

  /**
   * @param unavailable why this node cannot authorize a unit correctly now (a stale cluster node), or null when
   *     it can; read on every login, so it must be cheap
   */
  public UnitAuthenticator(VehicleRegistry registry, SecretVerifier secrets, KeyedVerifier keyed, UnitVerifiers verifiers,
      DeviceMetrics metrics, UnitLoginFailures failures, java.util.function.Supplier<String> unavailable) {
    this.unavailable = unavailable;
    this.registry = registry;
    this.secrets = secrets;
    this.keyed = keyed;
    this.verifiers = verifiers;
    this.metrics = metrics;
    this.failures = failures;
  }

  /**
   * The unit, once its password is verified; fails with a {@link ConnectRefusedException}.
   *
   * @param remoteAddress the connection's remote address: wrong passwords are counted per address and unit id
   */
  public Future<TelematicsUnit> authenticate(String unitId, String password, String remoteAddress) {
    String stale = unavailable.get();
    if (stale != null) {
      return Future.failedFuture(notCurrent(stale));
    }
    if (password == null) {
      return Future.failedFuture(badCredentials("no password"));
    }
    if (failures.blocked(remoteAddress, unitId)) {
      keyed.decoy(unitId, password);
      return Future.failedFuture(badCredentials("too many wrong passwords from this address in this minute"));
    }
    TelematicsUnit unit = registry.unit(unitId);
    if (!attached(unit)) {
      keyed.decoy(unitId, password); // the cost of a known unit's check, so timing does not tell unit ids apart
      return wrong(remoteAddress, unitId, "unknown unit or no vehicle");
    }
    return switch (keyed.check(unitId, password, unit.keyedVerifier())) {
      case MATCH -> admitted(unit, "keyed");
      case MISMATCH -> wrong(remoteAddress, unitId, "wrong password");
      case NONE -> verifySlowly(unit, password, remoteAddress);
    };
  }

  private <T> Future<T> wrong(String remoteAddress, String unitId, String why) {
    failures.failed(remoteAddress, unitId);
    return Future.failedFuture(badCredentials(why));
  }

  /** Argon2 (or this process's cache of it), then the verifier that makes the next logins fast. */
  private Future<TelematicsUnit> verifySlowly(TelematicsUnit unit, String password, String remoteAddress) {
    boolean cached = secrets.isCached(cacheKey(unit.id()), password, unit.passwordHash());
    return secrets.verify(cacheKey(unit.id()), password, unit.passwordHash())
        .recover(e -> Future.failedFuture(new ConnectRefusedException(Reason.SERVER_BUSY, "credential check refused: " + e.getMessage())))
        .compose(ok -> {
          if (!ok) {
            return wrong(remoteAddress, unit.id(), "wrong password");
          }
          verifiers.remember(unit, keyed.derive(unit.id(), password));
          return admitted(unit, cached ? "cached" : "argon2");
        });
  }

  private Future<TelematicsUnit> admitted(TelematicsUnit unit, String verifier) {
    metrics.unitLogin(verifier);
    return Future.succeededFuture(unit);
  }

  /**
   * The unit a verified client certificate names (its subject CN): no password, but the same registry checks
   * at every connect, so a unit that is unknown or whose vehicle was removed is refused even though its
   * certificate still chains to the CA. {@code claimedId} (the MQTT client id, the TCP LOGIN unit id) must
   * be the CN.
   */
  public Future<TelematicsUnit> authenticateCertified(String certifiedId, String claimedId) {
    String stale = unavailable.get();
    if (stale != null) {
      return Future.failedFuture(notCurrent(stale));
    }
    if (!certifiedId.equals(claimedId)) {
      return Future.failedFuture(badCredentials("client certificate is for another unit"));
    }
    TelematicsUnit unit = registry.unit(certifiedId);
    return attached(unit) ? Future.succeededFuture(unit) : Future.failedFuture(badCredentials("certified unit unknown or its vehicle removed"));
  }

  private boolean attached(TelematicsUnit unit) {
    return unit != null && unit.vehicleId() != null && registry.vehicle(unit.vehicleId()) != null;
  }

  /** The key of a unit's verified password in the {@link SecretVerifier} cache. */
  public static String cacheKey(String unitId) {
    return CACHE_PREFIX + unitId;
  }

  /** Before any credential is judged: this node's working set may miss a removed unit or a changed password. */
  private static ConnectRefusedException notCurrent(String why) {
    return new ConnectRefusedException(Reason.SERVER_UNAVAILABLE, "this node cannot authorize units now: " + why);
  }

  private static ConnectRefusedException badCredentials(String why) {
    return new ConnectRefusedException(Reason.BAD_CREDENTIALS, why);
  }
}
