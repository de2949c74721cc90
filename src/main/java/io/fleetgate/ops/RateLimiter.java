package io.fleetgate.ops;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets by key (an API client id, a remote address): each holds up to {@code burst} tokens and
 * refills at {@code perSecond}; a request takes one. The map is bounded: buckets that are full again (idle
 * long enough to have refilled) are evicted by {@link #evictIdle()}, which runs periodically and whenever
 * the map is full; if it is still full, new keys share one overflow bucket, so a flood of keys degrades to
 * a shared bound instead of unbounded memory.
 */
public final class RateLimiter {
  /** The default bound on tracked keys. */
  public static final int DEFAULT_MAX_KEYS = 100_000;
  private static final String OVERFLOW = "\u0000overflow";

  /**
   * The outcome of one request.
   *
   * @param limit the bucket size
   * @param remaining whole tokens left after this request
   * @param resetEpochSeconds when the bucket is full again (epoch seconds, rounded up)
   * @param retryAfterSeconds when refused: seconds until a token is there (at least 1); 0 when allowed
   */
  public record Decision(boolean allowed, int limit, int remaining, long resetEpochSeconds, long retryAfterSeconds) {}

  private final double perMs;
  private final int burst;
  private final int maxKeys;
  private final Clock clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(double perSecond, int burst, int maxKeys, Clock clock) {
    if (perSecond <= 0 || burst < 1 || maxKeys < 1) {
      throw new IllegalArgumentException("rate, burst and key bound must be positive");
    }
    this.perMs = perSecond / 1000.0;
    this.burst = burst;
    this.maxKeys = maxKeys;
    this.clock = clock;
  }

  public int limit() {
    return burst;
  }

  /** Takes a token from {@code key}'s bucket if there is one. */
  public Decision tryAcquire(String key) {
    long now = clock.millis();
    return bucket(key, now).take(now);
  }

  /** Gives a token back (e.g. the attempt turned out not to cost what the bound protects). */
  public void refund(String key) {
    Bucket b = buckets.get(key);
    if (b != null) {
      b.give(clock.millis());
    }
  }

  /** Drops the buckets that are full again (their key has been idle): returns how many. */
  public int evictIdle() {
    long now = clock.millis();
    int before = buckets.size();
    buckets.values().removeIf(b -> b.isFull(now));
    return before - buckets.size();
  }

  public int size() {
    return buckets.size();
  }

  private Bucket bucket(String key, long now) {
    Bucket b = buckets.get(key);
    if (b != null) {
      return b;
    }
    if (buckets.size() >= maxKeys) {
      evictIdle();
      if (buckets.size() >= maxKeys) {
        return buckets.computeIfAbsent(OVERFLOW, k -> new Bucket(now));
      }
    }
    return buckets.computeIfAbsent(key, k -> new Bucket(now));
  }

  private final class Bucket {
    private double tokens = burst;
    private long updatedMs;

    Bucket(long now) {
      this.updatedMs = now;
    }

    private void refill(long now) {
      if (now > updatedMs) {
        tokens = Math.min(burst, tokens + (now - updatedMs) * perMs);
        updatedMs = now;
      }
    }

    synchronized Decision take(long now) {
      refill(now);
      boolean allowed = tokens >= 1;
      if (allowed) {
        tokens -= 1;
      }
      long fullInMs = (long) Math.ceil((burst - tokens) / perMs);
      long reset = Math.floorDiv(now + fullInMs + 999, 1000);
      long retryAfter = allowed ? 0 : Math.max(1, (long) Math.ceil((1 - tokens) / perMs / 1000.0));
      return new Decision(allowed, burst, (int) Math.floor(tokens), reset, retryAfter);
    }

    synchronized void give(long now) {
      refill(now);
      tokens = Math.min(burst, tokens + 1);
    }

    synchronized boolean isFull(long now) {
      refill(now);
      return tokens >= burst;
    }
  }
}
