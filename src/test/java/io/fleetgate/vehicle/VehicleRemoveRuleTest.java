package io.fleetgate.vehicle;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetgate.api.ProblemException;
import org.junit.jupiter.api.Test;

/**
 * The contract's "remove (archive)" row, for every column. Over HTTP only owner-not-shared and stranger can
 * be reached until sharing exists; the partner and owner-while-shared columns are held here.
 */
class VehicleRemoveRuleTest {

  @Test
  void ownerNotShared() {
    assertDoesNotThrow(() -> VehicleLifecycle.requireRemove(VehicleAccess.Access.OWNER, false));
  }

  @Test
  void ownerWhileShared() {
    ProblemException p = assertThrows(ProblemException.class, () -> VehicleLifecycle.requireRemove(VehicleAccess.Access.OWNER, true));
    assertEquals(409, p.status);
    assertEquals("vehicle/shared-with-partner", p.type);
  }

  @Test
  void partnerWhileShared() {
    ProblemException p = assertThrows(ProblemException.class, () -> VehicleLifecycle.requireRemove(VehicleAccess.Access.PARTNER, true));
    assertEquals(403, p.status);
    assertEquals("forbidden-resource", p.type);
  }

  @Test
  void anyoneElse() {
    ProblemException p = assertThrows(ProblemException.class, () -> VehicleLifecycle.requireRemove(VehicleAccess.Access.NONE, false));
    assertEquals(404, p.status);
    assertEquals("resource-not-found", p.type);
  }
}
