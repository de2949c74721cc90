package io.fleetgate.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id hashing of secrets and unit passwords, encoded as a PHC string
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}). CPU- and memory-heavy by design: never call it on an
 * event loop — {@link SecretVerifier} runs it on a worker pool.
 */
public final class PasswordHasher {
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;

  private final int memoryKiB;
  private final int iterations;
  private final SecureRandom random = new SecureRandom();

  public PasswordHasher(int memoryKiB, int iterations) {
    this.memoryKiB = memoryKiB;
    this.iterations = iterations;
  }

  public String hash(String secret) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] out = argon2(secret, salt, memoryKiB, iterations, 1, HASH_BYTES);
    return "$argon2id$v=19$m=" + memoryKiB + ",t=" + iterations + ",p=1$" + B64.encodeToString(salt) + "$"
        + B64.encodeToString(out);
  }

  /**
   * A well-formed hash with this hasher's cost that no secret is known to match (random salt and output, no
   * Argon2 run): verifying against it costs as much as a real check, so an unknown principal takes as long
   * as a wrong secret.
   */
  public String decoy() {
    byte[] salt = new byte[SALT_BYTES];
    byte[] out = new byte[HASH_BYTES];
    random.nextBytes(salt);
    random.nextBytes(out);
    return "$argon2id$v=19$m=" + memoryKiB + ",t=" + iterations + ",p=1$" + B64.encodeToString(salt) + "$"
        + B64.encodeToString(out);
  }

  /** True when {@code secret} matches {@code encoded}; a malformed encoding never matches. */
  public boolean verify(String secret, String encoded) {
    String[] parts = encoded.split("\\$");
    if (parts.length != 6 || !"argon2id".equals(parts[1])) {
      return false;
    }
    try {
      int m = 0;
      int t = 0;
      int p = 0;
      for (String kv : parts[3].split(",")) {
        int v = Integer.parseInt(kv.substring(2));
        switch (kv.charAt(0)) {
          case 'm' -> m = v;
          case 't' -> t = v;
          case 'p' -> p = v;
          default -> {
            return false;
          }
        }
      }
      byte[] salt = B64D.decode(parts[4]);
      byte[] expected = B64D.decode(parts[5]);
      byte[] actual = argon2(secret, salt, m, t, p, expected.length);
      return MessageDigest.isEqual(expected, actual);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static byte[] argon2(String secret, byte[] salt, int m, int t, int p, int len) {
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(m)
        .withIterations(t)
        .withParallelism(p)
        .withSalt(salt)
        .build();
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(params);
    byte[] out = new byte[len];
    gen.generateBytes(secret.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
