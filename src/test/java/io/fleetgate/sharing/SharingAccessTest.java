package io.fleetgate.sharing;

import io.fleetgate.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.access.Sharing;
import io.fleetgate.access.SharingIndex;
import io.fleetgate.auth.Permission;
import io.fleetgate.auth.Principal;
import io.fleetgate.problem.ProblemException;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.Vehicle;
import io.fleetgate.vehicle.VehicleAccess;
import io.fleetgate.vehicle.VehicleAccess.Access;
import io.fleetgate.vehicle.VehicleAccess.SharingFilter;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The access decision against the snapshot with a clock the test moves: no timers run here, which is the
 * point — a sharing past its end grants nothing although nothing removed it, a scheduled one nothing early.
 */
class SharingAccessTest {
  static final Vehicle V = vehicle();
  final TestClock clock = TestClock.at(1_000_000);
  final SharingIndex index = new SharingIndex();
  final VehicleAccess access = new VehicleAccess(index, clock);

  static Vehicle vehicle() {
    Instant t = Instant.EPOCH;
    return new Vehicle("JQ7RP", 7, "owner", "U1", t, t, t, Map.of(), Map.of(), List.of(), "OPERATING", t,
        Capabilities.of(List.of(), List.of()));
  }

  static Principal p(String fleet) {
    return new Principal("c", fleet, EnumSet.allOf(Permission.class));
  }

  void share(long startsAt, long endsAt) {
    index.update(s -> s.withSharing(new Sharing(1, V.id(), V.seq(), "owner", "partner", startsAt, endsAt, true, Instant.EPOCH)));
  }

  static int status(Runnable r) {
    return assertThrows(ProblemException.class, r::run).status;
  }

  static String type(Runnable r) {
    return assertThrows(ProblemException.class, r::run).type;
  }

  @Test
  void notSharedOwnerOnly() {
    assertEquals(Access.OWNER, access.of(p("owner"), V));
    assertEquals(Access.NONE, access.of(p("partner"), V));
    assertFalse(access.isShared(V));
    assertEquals(Access.OWNER, access.requireRemove(p("owner"), V));
    assertEquals(404, status(() -> access.requireRemove(p("partner"), V)));
  }

  @Test
  void activeSharingTheWholeTable() {
    share(clock.millis() - 1, Sharing.OPEN);
    assertTrue(access.isShared(V));
    assertEquals(Access.PARTNER, access.requireRead(p("partner"), V));
    assertEquals(Access.OWNER, access.requireModify(p("owner"), V));
    assertEquals("forbidden-resource", type(() -> access.requireModify(p("partner"), V)));
    assertEquals(Access.OWNER, access.requireShare(p("owner"), V));
    assertEquals("forbidden-resource", type(() -> access.requireShare(p("partner"), V)));
    assertEquals("forbidden-resource", type(() -> access.requireEndAsOwner(p("partner"), V)));
    assertEquals("forbidden-resource", type(() -> access.requireEndAsPartner(p("owner"), V)));
    assertEquals(Access.PARTNER, access.requireEndAsPartner(p("partner"), V));
    // remove (archive): owner while shared 409, partner 403, anyone else 404
    assertEquals("vehicle/shared-with-partner", type(() -> access.requireRemove(p("owner"), V)));
    assertEquals(409, status(() -> access.requireRemove(p("owner"), V)));
    assertEquals("forbidden-resource", type(() -> access.requireRemove(p("partner"), V)));
    for (String stranger : new String[] {"stranger", null}) {
      assertEquals(Access.NONE, access.of(p(stranger), V));
      assertEquals(404, status(() -> access.requireRead(p(stranger), V)));
      assertEquals(404, status(() -> access.requireModify(p(stranger), V)));
      assertEquals(404, status(() -> access.requireShare(p(stranger), V)));
      assertEquals(404, status(() -> access.requireEndAsOwner(p(stranger), V)));
      assertEquals(404, status(() -> access.requireEndAsPartner(p(stranger), V)));
      assertEquals(404, status(() -> access.requireRemove(p(stranger), V)));
    }
    assertTrue(access.matches("partner", V, SharingFilter.SHARED_WITH_ME));
    assertFalse(access.matches("partner", V, SharingFilter.OWN));
    assertTrue(access.matches("owner", V, SharingFilter.SHARED_BY_ME));
  }

  @Test
  void aPassedEndGrantsNothingThoughNoTimerRemovedTheSharing() {
    share(clock.millis() - 10, clock.millis() + 5_000);
    assertEquals(Access.PARTNER, access.of(p("partner"), V));
    clock.advance(5_000); // exactly at ends_at: over
    assertEquals(Access.NONE, access.of(p("partner"), V));
    assertFalse(access.isShared(V));
    assertEquals(Access.OWNER, access.requireRemove(p("owner"), V));
    assertTrue(index.current().sharing(V.id()) != null, "still in the snapshot: only the time decided");
  }

  @Test
  void aScheduledSharingGrantsNothingUntilItsStart() {
    share(clock.millis() + 60_000, Sharing.OPEN);
    assertEquals(Access.NONE, access.of(p("partner"), V));
    assertFalse(access.isShared(V));
    assertFalse(access.matches("partner", V, SharingFilter.SHARED_WITH_ME));
    assertTrue(access.matches("owner", V, SharingFilter.SHARED_BY_ME));
    assertEquals("vehicle/shared-with-partner", type(() -> access.requireRemove(p("owner"), V)));
    clock.advance(60_000);
    assertEquals(Access.PARTNER, access.of(p("partner"), V));
  }

  @Test
  void aSharingOfAnotherOwnerNeverGrants() {
    index.update(s -> s.withSharing(new Sharing(2, V.id(), V.seq(), "someone-else", "partner", 0, Sharing.OPEN, true, Instant.EPOCH)));
    assertEquals(Access.NONE, access.of(p("partner"), V));
  }
}
