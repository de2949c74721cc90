package io.fleetgate.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.ops.HttpConnectionLimits.Admission;
import io.fleetgate.ops.HttpConnectionLimits.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The admission rules at accept, without a network. */
class HttpConnectionLimitsTest {

  @Test
  void perAddressThenProbationThenClosedAndSlotsComeBack() {
    HttpConnectionLimits limits = new HttpConnectionLimits(100, 3);
    List<Admission> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(limits.admit("a", false));
      assertEquals(Kind.SERVED, held.get(i).kind());
    }
    Admission p1 = limits.admit("a", false);
    Admission p2 = limits.admit("a", false);
    assertEquals(Kind.PROBATION, p1.kind());
    assertEquals("max_connections_per_address", p1.reason());
    assertEquals(Kind.PROBATION, p2.kind());
    assertEquals(Kind.CLOSED, limits.admit("a", false).kind(), "one address gets only a little of the probation ceiling");
    assertEquals(Kind.SERVED, limits.admit("b", false).kind(), "another address is served");
    assertEquals(6, limits.open());
    limits.release(held.get(0));
    assertEquals(Kind.SERVED, limits.admit("a", false).kind(), "a freed slot serves again");
  }

  @Test
  void aTrustedProxyIsExemptFromThePerAddressCapButNotFromTheTotal() {
    HttpConnectionLimits limits = new HttpConnectionLimits(5, 1);
    for (int i = 0; i < 5; i++) {
      assertEquals(Kind.SERVED, limits.admit("proxy", true).kind());
    }
    Admission over = limits.admit("proxy", true);
    assertEquals(Kind.PROBATION, over.kind());
    assertEquals("max_connections", over.reason());
  }

  @Test
  void theProbationCeilingIsShared() {
    HttpConnectionLimits limits = new HttpConnectionLimits(1, 1);
    limits.admit("x", false);
    int probation = 0;
    for (int i = 0; i < 100; i++) {
      if (limits.admit("10.0.0." + i, false).kind() == Kind.PROBATION) {
        probation++;
      }
    }
    assertEquals(HttpConnectionLimits.PROBATION_SLOTS, probation, "beyond the ceiling connections are closed at accept");
  }
}
