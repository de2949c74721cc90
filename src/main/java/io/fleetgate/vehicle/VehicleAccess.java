package io.fleetgate.vehicle;

import io.fleetgate.api.Problems;
import io.fleetgate.auth.Principal;

/**
 * The one place that decides what a fleet may do with a vehicle (the contract's "who may do what" table).
 * Today a vehicle is seen only by its owner; sharing will add the partner's view here (an O(1) lookup in
 * the sharing snapshot) without any route changing.
 *
 * <p>Anyone who is neither owner nor partner gets 404, never 403, so that the existence of another
 * fleet's vehicle never leaks.
 */
public final class VehicleAccess {

  /** A fleet's relation to one vehicle. */
  public enum Access {
    /** The vehicle belongs to the fleet. */
    OWNER,
    /** The vehicle is actively shared with the fleet. */
    PARTNER,
    /** Neither: the vehicle does not exist for the fleet. */
    NONE
  }

  /** The {@code sharing} filter of a vehicle listing. */
  public enum SharingFilter {
    OWN("own"), SHARED_WITH_ME("shared_with_me"), SHARED_BY_ME("shared_by_me");

    public final String wire;

    SharingFilter(String wire) {
      this.wire = wire;
    }

    public static SharingFilter of(String wire) {
      for (SharingFilter f : values()) {
        if (f.wire.equals(wire)) {
          return f;
        }
      }
      return null;
    }
  }

  public Access of(Principal principal, Vehicle vehicle) {
    return of(principal.fleetId(), vehicle);
  }

  public Access of(String fleetId, Vehicle vehicle) {
    if (vehicle == null || fleetId == null) {
      return Access.NONE;
    }
    if (fleetId.equals(vehicle.fleetId())) {
      return Access.OWNER;
    }
    return Access.NONE; // sharing: PARTNER while an active sharing with this fleet exists
  }

  /** Whether the vehicle is currently lent to a partner fleet (no sharing yet: never). */
  public boolean isShared(Vehicle vehicle) {
    return false;
  }

  /** Read the vehicle, its state and history: owner or partner; 404 otherwise. */
  public Access requireRead(Principal principal, Vehicle vehicle) {
    Access a = of(principal, vehicle);
    if (a == Access.NONE) {
      throw Problems.notFound("vehicle");
    }
    return a;
  }

  /** Modify master data, custom fields, tags, operation status: owner only; 403 partner, 404 otherwise. */
  public Access requireModify(Principal principal, Vehicle vehicle) {
    Access a = requireRead(principal, vehicle);
    if (a == Access.PARTNER) {
      throw Problems.forbiddenResource("a partner may not modify a shared vehicle");
    }
    return a;
  }

  /** Whether a vehicle the fleet sees passes the listing's {@code sharing} filter. */
  public boolean matches(String fleetId, Vehicle vehicle, SharingFilter filter) {
    Access a = of(fleetId, vehicle);
    return switch (filter) {
      case OWN -> a == Access.OWNER;
      case SHARED_WITH_ME -> a == Access.PARTNER;
      case SHARED_BY_ME -> a == Access.OWNER && isShared(vehicle);
    };
  }

  /**
   * Send a command: the owner while the vehicle is not shared, or the partner it is shared with; 409
   * {@code vehicle/shared-with-partner} for the owner while it is shared; 404 otherwise.
   */
  public Access requireCommand(Principal principal, Vehicle vehicle) {
    Access a = requireRead(principal, vehicle);
    if (a == Access.OWNER && isShared(vehicle)) {
      throw Problems.of(409, "vehicle/shared-with-partner", "Vehicle shared with partner",
          "the vehicle is currently shared with a partner fleet; only the partner may send it commands");
    }
    return a;
  }
}
