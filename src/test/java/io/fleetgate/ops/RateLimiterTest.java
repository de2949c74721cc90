package io.fleetgate.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private final TestClock clock = new TestClock(Instant.parse("2026-11-21T10:00:00Z"));

  @Test
  void burstThenRefusedWithConsistentFigures() {
    RateLimiter limiter = new RateLimiter(2, 3, 100, clock);
    long now = clock.instant().getEpochSecond();
    for (int expectedRemaining = 2; expectedRemaining >= 0; expectedRemaining--) {
      RateLimiter.Decision d = limiter.tryAcquire("a");
      assertTrue(d.allowed());
      assertEquals(3, d.limit());
      assertEquals(expectedRemaining, d.remaining());
      assertEquals(0, d.retryAfterSeconds());
      assertTrue(d.resetEpochSeconds() > now && d.resetEpochSeconds() <= now + 2, "full again within 1.5 s");
    }
    RateLimiter.Decision refused = limiter.tryAcquire("a");
    assertFalse(refused.allowed());
    assertEquals(0, refused.remaining());
    assertEquals(1, refused.retryAfterSeconds()); // one token after 0.5 s, rounded up to whole seconds
    assertEquals(now + 2, refused.resetEpochSeconds()); // three tokens after 1.5 s
  }

  @Test
  void dividedAmongClusterNodesEachEnforcesItsShareAndTakesItAllBackAlone() {
    RateLimiter limiter = new RateLimiter(30, 10, 100, clock);
    limiter.divideAmong(3);
    assertEquals(4, limiter.limit(), "the burst divided, rounded up");
    for (int i = 0; i < 4; i++) {
      assertTrue(limiter.tryAcquire("a").allowed());
    }
    assertFalse(limiter.tryAcquire("a").allowed());
    clock.advance(Duration.ofMillis(100)); // 30/s over 3 nodes: one token per 100 ms here
    assertTrue(limiter.tryAcquire("a").allowed());
    assertFalse(limiter.tryAcquire("a").allowed());
    limiter.divideAmong(1); // the others left
    assertEquals(10, limiter.limit());
    clock.advance(Duration.ofMillis(100)); // 30/s: three tokens
    for (int i = 0; i < 3; i++) {
      assertTrue(limiter.tryAcquire("a").allowed());
    }
    assertFalse(limiter.tryAcquire("a").allowed());
    clock.advance(Duration.ofSeconds(10));
    limiter.divideAmong(2); // a full bucket is trimmed to the new burst at once
    assertEquals(5, limiter.tryAcquire("a").limit());
    assertEquals(4, limiter.tryAcquire("b").remaining());
  }

  @Test
  void refillsOverTime() {
    RateLimiter limiter = new RateLimiter(2, 3, 100, clock);
    for (int i = 0; i < 3; i++) {
      limiter.tryAcquire("a");
    }
    assertFalse(limiter.tryAcquire("a").allowed());
    clock.advance(Duration.ofMillis(499));
    assertFalse(limiter.tryAcquire("a").allowed());
    clock.advance(Duration.ofMillis(1));
    assertTrue(limiter.tryAcquire("a").allowed());
    clock.advance(Duration.ofSeconds(60));
    assertEquals(2, limiter.tryAcquire("a").remaining(), "never more than the burst");
  }

  @Test
  void oneKeysExhaustionLeavesAnotherAlone() {
    RateLimiter limiter = new RateLimiter(1, 2, 100, clock);
    limiter.tryAcquire("a");
    limiter.tryAcquire("a");
    assertFalse(limiter.tryAcquire("a").allowed());
    assertTrue(limiter.tryAcquire("b").allowed());
  }

  @Test
  void refundGivesATokenBack() {
    RateLimiter limiter = new RateLimiter(1, 1, 100, clock);
    assertTrue(limiter.tryAcquire("a").allowed());
    limiter.refund("a");
    assertTrue(limiter.tryAcquire("a").allowed());
    assertFalse(limiter.tryAcquire("a").allowed());
  }

  @Test
  void idleBucketsAreEvictedAndTheMapIsBounded() {
    RateLimiter limiter = new RateLimiter(1, 2, 3, clock);
    limiter.tryAcquire("a");
    limiter.tryAcquire("b");
    limiter.tryAcquire("c");
    assertEquals(3, limiter.size());
    // full: new keys share the overflow bucket instead of growing the map
    assertTrue(limiter.tryAcquire("d").allowed());
    assertTrue(limiter.tryAcquire("e").allowed());
    assertFalse(limiter.tryAcquire("f").allowed(), "d, e and f share one bucket of 2");
    assertEquals(4, limiter.size()); // three keys and the overflow bucket
    clock.advance(Duration.ofSeconds(2));
    assertEquals(4, limiter.evictIdle(), "every bucket has refilled: all idle");
    assertEquals(0, limiter.size());
    assertTrue(limiter.tryAcquire("f").allowed());
  }

  @Test
  void anAllowOverflowLimiterNeverRefusesANewKeyBecauseOthersFilledTheMap() {
    RateLimiter limiter = new RateLimiter(1, 1, 3, clock, RateLimiter.Overflow.ALLOW);
    for (String k : new String[] {"a", "b", "c"}) {
      assertTrue(limiter.tryAcquire(k).allowed());
      assertFalse(limiter.tryAcquire(k).allowed(), k + " is limited");
    }
    // the map is full of failing keys: a new key is not limited by them, and nothing grows
    for (int i = 0; i < 5; i++) {
      assertTrue(limiter.tryAcquire("clean").allowed());
    }
    assertEquals(3, limiter.size());
    assertFalse(limiter.tryAcquire("a").allowed(), "the tracked keys stay limited");
  }

  @Test
  void aFullMapEvictsIdleKeysToMakeRoomForANewOne() {
    RateLimiter limiter = new RateLimiter(1000, 1, 2, clock);
    limiter.tryAcquire("a");
    limiter.tryAcquire("b");
    clock.advance(Duration.ofMillis(5)); // both refilled: idle
    limiter.tryAcquire("c"); // full: scans, evicts a and b
    assertEquals(1, limiter.size());
  }
}
