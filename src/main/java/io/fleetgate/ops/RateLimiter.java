package io.fleetgate.ops;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets by key (an API client id, a remote address): each holds up to {@code burst} tokens and
 * refills at {@code perSecond}; a request takes one. The map is bounded: buckets that are full again (idle
 * long enough to have refilled) are evicted by {@link #evictIdle()}, which runs periodically and when the
 * map is full (at most once a second then, so a flood of new keys cannot make every request scan the map).
 * What a new key gets while the map is still full is the limiter's {@link Overflow} policy: a shared
 * overflow bucket (a flood of keys degrades to one shared bound instead of unbounded memory), or no limit
 * at all, for limiters whose purpose is that one key's failures never refuse another key (the token
 * endpoint's failure counts: a flood of addresses must not lock out a clean one; the hashing queue bounds
 * them instead).
 */
public final class RateLimiter {
  /** The default bound on tracked keys. */
  public static final int DEFAULT_MAX_KEYS = 100_000;
  private static final String OVERFLOW = "\u0000overflow";
  private static final long FULL_EVICTION_INTERVAL_MS = 1000;

  /** What a key that finds the map full gets. */
  public enum Overflow {
    /** One bucket shared by every such key. */
    SHARED,
    /** No bucket: allowed, not counted. */
    ALLOW
  }

  /**
   * The outcome of one request.
   *
   * @param limit the bucket size
   * @param remaining whole tokens left after this request
   * @param resetEpochSeconds when the bucket is full again (epoch seconds, rounded up)
   * @param retryAfterSeconds when refused: seconds until a token is there (at least 1); 0 when allowed
   */
  public record Decision(boolean allowed, int limit, int remaining, long resetEpochSeconds, long retryAfterSeconds) {}

  private final double fullPerMs;
  private final int fullBurst;
  /** This node's share of the rate and burst: all of it on a single node, 1/N of it among N cluster nodes. */
  private volatile double perMs;
  private volatile int burst;
  private final int maxKeys;
  private final Clock clock;
  private final Overflow overflow;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private volatile long lastFullEvictionMs = Long.MIN_VALUE / 2;

  public RateLimiter(double perSecond, int burst, int maxKeys, Clock clock) {
    this(perSecond, burst, maxKeys, clock, Overflow.SHARED);
  }

  public RateLimiter(double perSecond, int burst, int maxKeys, Clock clock, Overflow overflow) {
    if (perSecond <= 0 || burst < 1 || maxKeys < 1) {
      throw new IllegalArgumentException("rate, burst and key bound must be positive");
    }
    this.fullPerMs = perSecond / 1000.0;
    this.fullBurst = burst;
    this.perMs = fullPerMs;
    this.burst = burst;
    this.maxKeys = maxKeys;
    this.clock = clock;
    this.overflow = overflow;
  }

  public int limit() {
    return burst;
  }

  /**
   * Enforces this node's share among {@code nodes} live cluster nodes: the rate divided by them, the burst
   * too (rounded up, at least 1). A key whose requests are spread over the nodes gets about the configured
   * rate in all; one that sticks to a single node gets its share only. Buckets fuller than the new burst
   * are trimmed at their next request.
   */
  public void divideAmong(int nodes) {
    int n = Math.max(1, nodes);
    this.perMs = fullPerMs / n;
    this.burst = Math.max(1, (fullBurst + n - 1) / n);
  }

  /** Takes a token from {@code key}'s bucket if there is one. */
  public Decision tryAcquire(String key) {
    long now = clock.millis();
    Bucket b = bucket(key, now);
    if (b == null) {
      return new Decision(true, burst, burst, Math.floorDiv(now + 999, 1000), 0);
    }
    return b.take(now);
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
      if (now - lastFullEvictionMs >= FULL_EVICTION_INTERVAL_MS) {
        lastFullEvictionMs = now;
        evictIdle();
      }
      if (buckets.size() >= maxKeys) {
        return overflow == Overflow.ALLOW ? null : buckets.computeIfAbsent(OVERFLOW, k -> new Bucket(now));
      }
    }
    return buckets.computeIfAbsent(key, k -> new Bucket(now));
  }

  private final class Bucket {
    private double tokens = RateLimiter.this.burst;
    private long updatedMs;

    Bucket(long now) {
      this.updatedMs = now;
    }

    private void refill(long now) {
      if (now > updatedMs) {
        tokens = Math.min(burst, tokens + (now - updatedMs) * perMs);
        updatedMs = now;
      } else if (tokens > burst) {
        tokens = burst; // the node's share shrank (a member joined)
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
