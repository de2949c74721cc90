package io.fleetgate.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.vehicle.KeysetPage.Position;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class KeysetPageTest {
  static final Function<String, String> ALL = s -> s;

  static NavigableMap<Long, String> index(int n) {
    NavigableMap<Long, String> m = new ConcurrentSkipListMap<>();
    for (long k = 1; k <= n; k++) {
      m.put(k, "v" + k);
    }
    return m;
  }

  static KeysetPage<String> page(NavigableMap<Long, String> index, Position at, int limit) {
    return KeysetPage.of(index, Long.MAX_VALUE, at, limit, ALL);
  }

  @Test
  void forwardWalkThenBackward() {
    NavigableMap<Long, String> idx = index(7);
    KeysetPage<String> p1 = page(idx, Position.FIRST, 3);
    assertEquals(List.of("v1", "v2", "v3"), p1.items());
    assertNull(p1.prev());
    KeysetPage<String> p2 = page(idx, p1.next(), 3);
    assertEquals(List.of("v4", "v5", "v6"), p2.items());
    KeysetPage<String> p3 = page(idx, p2.next(), 3);
    assertEquals(List.of("v7"), p3.items());
    assertNull(p3.next());
    KeysetPage<String> back = page(idx, p3.prev(), 3);
    assertEquals(List.of("v4", "v5", "v6"), back.items());
    KeysetPage<String> back2 = page(idx, back.prev(), 3);
    assertEquals(List.of("v1", "v2", "v3"), back2.items());
    assertNull(back2.prev());
    assertEquals(List.of("v4", "v5", "v6"), page(idx, back2.next(), 3).items());
  }

  @Test
  void lastIsTheFinalFullPage() {
    NavigableMap<Long, String> idx = index(7);
    KeysetPage<String> last = page(idx, Position.LAST, 3);
    assertEquals(List.of("v5", "v6", "v7"), last.items());
    assertNull(last.next());
    KeysetPage<String> before = page(idx, last.prev(), 3);
    assertEquals(List.of("v2", "v3", "v4"), before.items());
    KeysetPage<String> head = page(idx, before.prev(), 3);
    assertEquals(List.of("v1"), head.items());
    assertNull(head.prev());
  }

  @Test
  void emptyIndexAndExactFit() {
    KeysetPage<String> empty = page(new ConcurrentSkipListMap<>(), Position.FIRST, 10);
    assertEquals(List.of(), empty.items());
    assertNull(empty.prev());
    assertNull(empty.next());
    KeysetPage<String> fit = page(index(3), Position.FIRST, 3);
    assertNull(fit.next(), "no empty page after an exact fit");
  }

  @Test
  void filteredEntriesAreSkippedAndDoNotCreateEmptyPages() {
    NavigableMap<Long, String> idx = index(20);
    Function<String, String> even = s -> Integer.parseInt(s.substring(1)) % 2 == 0 ? s : null;
    KeysetPage<String> p = KeysetPage.of(idx, Long.MAX_VALUE, Position.FIRST, 4, even);
    assertEquals(List.of("v2", "v4", "v6", "v8"), p.items());
    KeysetPage<String> last = KeysetPage.of(idx, Long.MAX_VALUE, Position.LAST, 4, even);
    assertEquals(List.of("v14", "v16", "v18", "v20"), last.items());
    Function<String, String> only19 = s -> s.equals("v19") ? s : null;
    KeysetPage<String> one = KeysetPage.of(idx, Long.MAX_VALUE, Position.FIRST, 4, only19);
    assertEquals(List.of("v19"), one.items());
    assertNull(one.next());
    assertNull(one.prev());
  }

  @Test
  void removalsAndAdditionsBetweenPagesNeitherSkipNorRepeat() {
    NavigableMap<Long, String> idx = index(6);
    KeysetPage<String> p1 = page(idx, Position.FIRST, 2);
    idx.remove(1L);
    idx.remove(3L);
    idx.put(7L, "v7");
    KeysetPage<String> p2 = page(idx, p1.next(), 2);
    assertEquals(List.of("v4", "v5"), p2.items());
    assertEquals(List.of("v6", "v7"), page(idx, p2.next(), 2).items());
  }

  @Test
  void horizonHidesPendingSequencesSoALateWriteIsNeverSkipped() {
    VehicleRegistry registry = new VehicleRegistry();
    long a = registry.reserveSeq();
    long b = registry.reserveSeq(); // b's write finishes first
    registry.put(vehicle("B", b));
    registry.releaseSeq(b);
    KeysetPage<String> p = KeysetPage.of(registry.visibleTo("f"), registry.horizon(), Position.FIRST, 10, ALL);
    assertEquals(List.of(), p.items(), "b waits behind the pending a");
    registry.put(vehicle("A", a));
    registry.releaseSeq(a);
    p = KeysetPage.of(registry.visibleTo("f"), registry.horizon(), Position.FIRST, 10, ALL);
    assertEquals(List.of("A", "B"), p.items());
  }

  @Test
  void pageStoppedByTheHorizonStillOffersNext() {
    VehicleRegistry registry = new VehicleRegistry();
    long a = registry.reserveSeq();
    registry.put(vehicle("A", a));
    registry.releaseSeq(a);
    long pending = registry.reserveSeq();
    long c = registry.reserveSeq();
    registry.put(vehicle("C", c));
    registry.releaseSeq(c);
    KeysetPage<String> p = KeysetPage.of(registry.visibleTo("f"), registry.horizon(), Position.FIRST, 10, ALL);
    assertEquals(List.of("A"), p.items());
    assertTrue(p.next() != null, "more is coming");
    registry.releaseSeq(pending); // that add failed
    assertEquals(List.of("C"), KeysetPage.of(registry.visibleTo("f"), registry.horizon(), p.next(), 10, ALL).items());
  }

  @Test
  void concurrentReserversAndReadersNeverSkip() throws Exception {
    VehicleRegistry registry = new VehicleRegistry();
    int perWriter = 2000;
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      int writer = w;
      writers.add(new Thread(() -> {
        for (int i = 0; i < perWriter; i++) {
          long s = registry.reserveSeq();
          if (i % 7 == 0) {
            Thread.yield(); // widen the window between reserving and publishing
          }
          registry.put(vehicle("w" + writer + "-" + i, s));
          registry.releaseSeq(s);
        }
      }));
    }
    writers.forEach(Thread::start);
    Set<String> seen = new HashSet<>();
    List<String> order = new ArrayList<>();
    Position at = Position.FIRST;
    long lastKey = 0;
    while (seen.size() < 3 * perWriter) {
      boolean writersDone = writers.stream().noneMatch(Thread::isAlive);
      KeysetPage<String> p = KeysetPage.of(registry.visibleTo("f"), registry.horizon(), at, 7, ALL);
      for (String id : p.items()) {
        assertTrue(seen.add(id), "repeated " + id);
        order.add(id);
        long key = registry.vehicle(id).seq();
        assertTrue(key > lastKey, "order");
        lastKey = key;
      }
      if (!p.items().isEmpty()) {
        at = new Position(true, lastKey);
      }
      if (writersDone && p.items().isEmpty() && seen.size() < 3 * perWriter) {
        throw new AssertionError("skipped: saw " + seen.size());
      }
    }
    for (Thread t : writers) {
      t.join();
    }
    assertEquals(3 * perWriter, order.size());
  }

  static Vehicle vehicle(String id, long seq) {
    Instant now = Instant.now();
    return new Vehicle(id, seq, "f", "u-" + id, now, now, now, Map.of(), Map.of(), List.of(), "OPERATING", now,
        Capabilities.of(List.of(), List.of()));
  }
}
