package io.fleetgate.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LatestStateTest {
  static final int ALL = Property.allMask();

  static Reading lock(long ts, String label) {
    return new Reading(Property.CENTRAL_LOCK, ts, label);
  }

  @Test
  void olderReadingNeverOverwritesNewer() {
    LatestState s = new LatestState();
    assertEquals(List.of(lock(20, "LOCKED")), s.merge(List.of(lock(20, "LOCKED")), ALL).applied());
    LatestState.MergeResult older = s.merge(List.of(lock(10, "UNLOCKED")), ALL);
    assertEquals(List.of(), older.applied());
    assertEquals(1, older.droppedStale());
    assertEquals(lock(20, "LOCKED"), s.get(Property.CENTRAL_LOCK));
  }

  @Test
  void sameTimeRefreshesAndNewerReplaces() {
    LatestState s = new LatestState();
    s.merge(List.of(lock(20, "LOCKED")), ALL);
    assertEquals(1, s.merge(List.of(lock(20, "UNLOCKED")), ALL).applied().size());
    assertEquals(lock(20, "UNLOCKED"), s.get(Property.CENTRAL_LOCK));
    s.merge(List.of(lock(21, "LOCKED")), ALL);
    assertEquals(lock(21, "LOCKED"), s.get(Property.CENTRAL_LOCK));
  }

  @Test
  void capabilityFilteringCountsDrops() {
    LatestState s = new LatestState();
    Reading speed = new Reading(Property.SPEED_IN_KILOMETERS_PER_HOUR, 5, 12.0);
    Reading doors = new Reading(Property.DOORS, 5, "OPEN");
    int mask = Capabilities.of(List.of(), List.of(Property.CENTRAL_LOCK, Property.DOORS)).stateMask();
    LatestState.MergeResult r = s.merge(List.of(lock(5, "LOCKED"), speed, doors), mask);
    assertEquals(List.of(lock(5, "LOCKED"), doors), r.applied());
    assertEquals(1, r.droppedNotCapable());
    assertEquals(0, r.droppedStale());
    assertNull(s.get(Property.SPEED_IN_KILOMETERS_PER_HOUR));
    assertEquals(List.of(lock(5, "LOCKED"), doors), s.snapshot(ALL));
    assertEquals(List.of(doors), s.snapshot(Property.DOORS.bit));
  }

  @Test
  void concurrentMergesFromTwoThreadsKeepTheNewest() throws Exception {
    for (int round = 0; round < 50; round++) {
      LatestState s = new LatestState();
      CountDownLatch start = new CountDownLatch(1);
      int n = 20_000;
      // one writer sends even timestamps ascending, the other odd ones descending: the newest is n * 2 - 1
      Thread up = new Thread(() -> {
        await(start);
        for (int i = 0; i < n; i++) {
          s.merge(List.of(lock(i * 2L, "LOCKED"), new Reading(Property.DOORS, i * 2L, "OPEN")), ALL);
        }
      });
      Thread down = new Thread(() -> {
        await(start);
        for (int i = n - 1; i >= 0; i--) {
          s.merge(List.of(new Reading(Property.DOORS, i * 2L + 1, "CLOSED"), lock(i * 2L + 1, "UNLOCKED")), ALL);
        }
      });
      up.start();
      down.start();
      start.countDown();
      up.join();
      down.join();
      assertEquals(lock(n * 2L - 1, "UNLOCKED"), s.get(Property.CENTRAL_LOCK));
      assertEquals(new Reading(Property.DOORS, n * 2L - 1, "CLOSED"), s.get(Property.DOORS));
      assertTrue(s.merge(List.of(lock(n * 2L - 2, "LOCKED")), ALL).applied().isEmpty());
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
