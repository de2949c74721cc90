package io.fleetgate.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Fast keyed verifiers of unit passwords: {@code HMAC-SHA256(K, label ‖ 0x00 ‖ len(unitId) ‖ unitId ‖ password)},
 * stored with the unit as {@code hv1$<key id>$<mac>}. A check costs about a microsecond, so a connect storm of
 * known units needs no Argon2 at all; without K (kept outside the database, {@link VerifierKey}) a stored
 * verifier cannot be tested against guesses.
 *
 * <p>The key id (a MAC of a constant under K) tells a verifier made under another key (a key change) from a
 * wrong password without running Argon2: the first is {@link Check#NONE} (verify slowly, then re-derive), the
 * second {@link Check#MISMATCH} (refused at HMAC cost). The unit id in the input binds a verifier to its unit,
 * so verifiers cannot be swapped between rows.
 */
public final class KeyedVerifier {
  /** What a stored verifier says about a password. */
  public enum Check {
    MATCH,
    MISMATCH,
    /** No verifier, or one under another key: only the Argon2 hash can tell. */
    NONE
  }

  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] LABEL = "fleetgate unit password v1".getBytes(StandardCharsets.US_ASCII);
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();

  private final SecretKeySpec key;
  /** {@code hv1$<key id>$}: every verifier made under this key starts with it. */
  private final String prefix;
  private final byte[] decoy = new byte[32];
  private final ThreadLocal<Mac> macs;

  public KeyedVerifier(VerifierKey verifierKey) {
    this.key = new SecretKeySpec(verifierKey.bytes(), ALGORITHM);
    this.macs = ThreadLocal.withInitial(this::newMac);
    byte[] id = macs.get().doFinal("fleetgate verifier key id".getBytes(StandardCharsets.US_ASCII));
    this.prefix = "hv1$" + Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(id, 9)) + "$";
    new SecureRandom().nextBytes(decoy);
  }

  /** The verifier to store for {@code unitId} with {@code password}. */
  public String derive(String unitId, String password) {
    return prefix + B64.encodeToString(mac(unitId, password));
  }

  /** Compares in constant time; a verifier under another key or malformed is {@link Check#NONE}. */
  public Check check(String unitId, String password, String stored) {
    if (stored == null || !stored.startsWith(prefix)) {
      return Check.NONE;
    }
    byte[] expected;
    try {
      expected = Base64.getDecoder().decode(stored.substring(prefix.length()));
    } catch (IllegalArgumentException e) {
      return Check.NONE;
    }
    return MessageDigest.isEqual(expected, mac(unitId, password)) ? Check.MATCH : Check.MISMATCH;
  }

  /** The same work as a {@link #check} that fails, for a unit that does not exist. */
  public void decoy(String unitId, String password) {
    MessageDigest.isEqual(decoy, mac(unitId, password));
  }

  private byte[] mac(String unitId, String password) {
    Mac mac = macs.get();
    byte[] id = unitId.getBytes(StandardCharsets.UTF_8);
    mac.update(LABEL);
    mac.update((byte) 0);
    mac.update((byte) (id.length >>> 8));
    mac.update((byte) id.length);
    mac.update(id);
    return mac.doFinal(password.getBytes(StandardCharsets.UTF_8));
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
