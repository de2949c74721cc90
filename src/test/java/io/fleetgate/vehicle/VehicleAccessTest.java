package io.fleetgate.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.auth.Permission;
import io.fleetgate.auth.Principal;
import io.fleetgate.problem.ProblemException;
import io.fleetgate.vehicle.VehicleAccess.Access;
import io.fleetgate.vehicle.VehicleAccess.SharingFilter;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VehicleAccessTest {
  static final VehicleAccess ACCESS = new VehicleAccess();
  static final Vehicle V = vehicle("acme");

  static Vehicle vehicle(String fleet) {
    Instant now = Instant.now();
    return new Vehicle("JQ7RP", 1, fleet, "U1", now, now, now, Map.of(), Map.of(), List.of(), "OPERATING", now,
        Capabilities.of(List.of(), List.of()));
  }

  static Principal of(String fleet) {
    return new Principal("c", fleet, EnumSet.allOf(Permission.class));
  }

  @Test
  void ownerHasFullAccess() {
    assertEquals(Access.OWNER, ACCESS.of(of("acme"), V));
    assertEquals(Access.OWNER, ACCESS.requireRead(of("acme"), V));
    assertEquals(Access.OWNER, ACCESS.requireModify(of("acme"), V));
  }

  @Test
  void anyoneElseGets404NeverForbidden() {
    for (Principal p : List.of(of("other"), of(null))) {
      assertEquals(Access.NONE, ACCESS.of(p, V));
      ProblemException read = assertThrows(ProblemException.class, () -> ACCESS.requireRead(p, V));
      assertEquals(404, read.status);
      assertEquals("resource-not-found", read.type);
      assertEquals(404, assertThrows(ProblemException.class, () -> ACCESS.requireModify(p, V)).status);
    }
  }

  @Test
  void unknownVehicleIsNotFoundLikeAForeignOne() {
    assertEquals(Access.NONE, ACCESS.of(of("acme"), null));
    ProblemException e = assertThrows(ProblemException.class, () -> ACCESS.requireRead(of("acme"), null));
    assertEquals(404, e.status);
  }

  @Test
  void sharingFilterWithoutSharings() {
    assertTrue(ACCESS.matches("acme", V, SharingFilter.OWN));
    assertFalse(ACCESS.matches("acme", V, SharingFilter.SHARED_BY_ME));
    assertFalse(ACCESS.matches("acme", V, SharingFilter.SHARED_WITH_ME));
    assertFalse(ACCESS.matches("other", V, SharingFilter.OWN));
    assertEquals(SharingFilter.SHARED_WITH_ME, SharingFilter.of("shared_with_me"));
    assertEquals(null, SharingFilter.of("mine"));
  }
}
