package io.fleetgate.auth;

import io.fleetgate.problem.Problems;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies and hashes secrets off the event loop, on a small named worker pool, with a bounded queue and a
 * cache of verified credentials so that a reconnect storm of the same units costs one HMAC each instead of
 * one Argon2 each.
 *
 * <p>The cache maps a principal id to an HMAC (keyed with a per-process random key) of the encoded hash and
 * the secret that matched it. A changed password changes the encoded hash, so old entries stop matching;
 * comparison is constant-time.
 */
public final class SecretVerifier {
  private static final int CACHE_MAX = 500_000;

  private final WorkerExecutor pool;
  private final PasswordHasher hasher;
  private final int maxPending;
  private final AtomicInteger pending = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong argon2Checks = new java.util.concurrent.atomic.AtomicLong();
  private final Map<String, byte[]> verified = new ConcurrentHashMap<>();
  private final byte[] macKey = new byte[32];
  private final String decoy;

  public SecretVerifier(Vertx vertx, PasswordHasher hasher, int maxPending) {
    this.hasher = hasher;
    this.maxPending = maxPending;
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    this.pool = vertx.createSharedWorkerExecutor("fleetgate-hash", threads);
    new SecureRandom().nextBytes(macKey);
    this.decoy = hasher.decoy();
    // the JCE's first use initialises its providers (~200 ms cold): pay it here, not on an event loop
    fingerprint("warm-up", "warm-up");
  }

  /** Hashes a new secret on the worker pool. */
  public Future<String> hash(String secret) {
    return submit(() -> hasher.hash(secret));
  }

  /**
   * Whether {@code secret} matches {@code encodedHash} (the stored hash of principal {@code id}). Fails with
   * a 503 problem when too many verifications are already queued.
   */
  public Future<Boolean> verify(String id, String secret, String encodedHash) {
    byte[] fingerprint = fingerprint(encodedHash, secret);
    byte[] cached = verified.get(id);
    if (cached != null && MessageDigest.isEqual(cached, fingerprint)) {
      return Future.succeededFuture(true);
    }
    return submit(() -> {
      argon2Checks.incrementAndGet();
      return hasher.verify(secret, encodedHash);
    }).map(ok -> {
      if (ok) {
        if (verified.size() >= CACHE_MAX) {
          verified.clear();
        }
        verified.put(id, fingerprint);
      }
      return ok;
    });
  }

  /** Whether {@code secret} is the cached verified secret of {@code id}: answered without hashing. */
  public boolean isCached(String id, String secret, String encodedHash) {
    byte[] cached = verified.get(id);
    return cached != null && MessageDigest.isEqual(cached, fingerprint(encodedHash, secret));
  }

  /**
   * Spends the cost of one verification and answers false: for a principal that does not exist, so that its
   * answer cannot be told from a wrong secret's by timing.
   */
  public Future<Boolean> rejectUnknown(String secret) {
    return submit(() -> {
      argon2Checks.incrementAndGet();
      hasher.verify(secret, decoy);
      return false;
    });
  }

  /** Argon2 verifications run so far (real and decoy): what a connect storm must not multiply. */
  public long argon2Checks() {
    return argon2Checks.get();
  }

  /** Forgets the cached verification of a principal (password changed, client deleted). */
  public void forget(String id) {
    verified.remove(id);
  }

  private <T> Future<T> submit(java.util.concurrent.Callable<T> work) {
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      return Future.failedFuture(Problems.serviceUnavailable("too many credential checks at once", 1));
    }
    return pool.executeBlocking(work, false).andThen(ar -> pending.decrementAndGet());
  }

  private byte[] fingerprint(String encodedHash, String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
      mac.update(encodedHash.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      return mac.doFinal(secret.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public void close() {
    pool.close();
  }
}
