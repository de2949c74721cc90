package io.fleetgate.auth;

import io.fleetgate.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key K of the keyed unit verifiers ({@link KeyedVerifier}). It never goes into the database, so a leaked
 * database alone reveals nothing beyond the Argon2 hashes. Where it comes from, in order:
 * {@code hash.verifierKey} (a file holding at least 32 random bytes in base64), else HKDF-SHA256 of the
 * {@code jwt.key} private key's DER bytes under a fixed label (a key the operator already keeps secret and
 * stable), else a random key that dies with the process (the demo: every unit pays one Argon2 login after a
 * restart).
 */
public final class VerifierKey {
  static final int MIN_BYTES = 32;
  private static final String SETTING = "hash.verifierKey (FLEETGATE_HASH_VERIFIER_KEY)";
  private static final byte[] HKDF_SALT = "fleetgate/unit-verifier-key/v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HKDF_INFO = "fleetgate unit password verifier".getBytes(StandardCharsets.US_ASCII);

  private final byte[] key;
  private final String source;

  private VerifierKey(byte[] key, String source) {
    this.key = key;
    this.source = source;
  }

  /** From {@code keyFile}, else from {@code jwtKeyFile}, else ephemeral; a bad key file fails with one line. */
  public static VerifierKey load(String keyFile, String jwtKeyFile) {
    if (keyFile != null) {
      return new VerifierKey(fromFile(keyFile), "hash.verifierKey");
    }
    if (jwtKeyFile != null) {
      return new VerifierKey(hkdf(pemDer(jwtKeyFile)), "derived from jwt.key");
    }
    return ephemeral();
  }

  public static VerifierKey ephemeral() {
    byte[] k = new byte[MIN_BYTES];
    new SecureRandom().nextBytes(k);
    return new VerifierKey(k, "ephemeral");
  }

  /** Where the key came from, for the start-up log (never the key itself). */
  public String source() {
    return source;
  }

  public boolean persistent() {
    return !"ephemeral".equals(source);
  }

  byte[] bytes() {
    return key.clone();
  }

  private static byte[] fromFile(String keyFile) {
    String text;
    try {
      text = Files.readString(Path.of(keyFile), StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(SETTING + ": cannot read '" + keyFile + "'");
    }
    byte[] k;
    try {
      k = Base64.getDecoder().decode(text.replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      k = new byte[0];
    }
    if (k.length < MIN_BYTES) {
      throw new ConfigException(SETTING + ": '" + keyFile + "' must hold at least " + MIN_BYTES
          + " random bytes in base64 (e.g. openssl rand -base64 32)");
    }
    return k;
  }

  /** The DER bytes of a PEM file; {@code TokenService} has already validated it as a private key. */
  private static byte[] pemDer(String pemFile) {
    try {
      String pem = Files.readString(Path.of(pemFile), StandardCharsets.US_ASCII);
      return Base64.getDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("jwt.key (FLEETGATE_JWT_KEY): cannot derive the unit verifier key from '" + pemFile + "'");
    }
  }

  /** HKDF-SHA256 (RFC 5869) with one output block: extract with the fixed salt, expand with the fixed label. */
  static byte[] hkdf(byte[] ikm) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(HKDF_SALT, "HmacSHA256"));
      byte[] prk = mac.doFinal(ikm);
      mac.init(new SecretKeySpec(prk, "HmacSHA256"));
      mac.update(HKDF_INFO);
      mac.update((byte) 1);
      return mac.doFinal();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
