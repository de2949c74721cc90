package io.fleetgate.vehicle;

import io.fleetgate.access.Sharing;
import io.fleetgate.access.SharingIndex;
import io.fleetgate.auth.Principal;
import io.fleetgate.problem.ProblemException;
import io.fleetgate.problem.Problems;
import java.time.Clock;

/**
 * The one place that decides what a fleet may do with a vehicle (the contract's "who may do what" table):
 * owner, partner (an O(1) lookup in the current {@link io.fleetgate.access.AccessSnapshot} plus a time
 * check), or nobody.
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

  private final SharingIndex sharings;
  private final Clock clock;

  /** Without sharings (every vehicle is seen by its owner only): for tests and tools. */
  public VehicleAccess() {
    this(new SharingIndex(), Clock.systemUTC());
  }

  /**
   * @param sharings the access snapshot, consulted on every check
   * @param clock the time every sharing is checked against (a sharing past its end grants nothing, whether or
   *     not its timer has fired)
   */
  public VehicleAccess(SharingIndex sharings, Clock clock) {
    this.sharings = sharings;
    this.clock = clock;
  }

  public Access of(Principal principal, Vehicle vehicle) {
    return of(principal.fleetId(), vehicle);
  }

  /**
   * O(1): an equality check, then (for another fleet) one probe of the current snapshot by the vehicle's
   * creation sequence and, only if a sharing with this fleet is found, a time comparison.
   */
  public Access of(String fleetId, Vehicle vehicle) {
    if (vehicle == null || fleetId == null) {
      return Access.NONE;
    }
    if (fleetId.equals(vehicle.fleetId())) {
      return Access.OWNER;
    }
    Sharing s = sharings.current().sharingBySeq(vehicle.seq());
    if (s != null && fleetId.equals(s.partnerFleetId()) && vehicle.id().equals(s.vehicleId())
        && vehicle.fleetId().equals(s.ownerFleetId()) && s.activeAt(clock.millis())) {
      return Access.PARTNER;
    }
    return Access.NONE;
  }

  /** Whether the vehicle is lent to a partner fleet right now (an active sharing; a scheduled one is not). */
  public boolean isShared(Vehicle vehicle) {
    Sharing s = current(vehicle);
    return s != null && s.activeAt(clock.millis());
  }

  /** The vehicle's sharing that has not ended yet (active or scheduled), or null. */
  public Sharing current(Vehicle vehicle) {
    if (vehicle == null) {
      return null;
    }
    Sharing s = sharings.current().sharing(vehicle.id());
    return s != null && vehicle.fleetId().equals(s.ownerFleetId()) && !s.endedAt(clock.millis()) ? s : null;
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

  /**
   * Start or change a sharing: owner only (while shared, only {@code ends_at} may change: the sharing service
   * answers a second start with 409 already-shared); 403 partner, 404 otherwise.
   */
  public Access requireShare(Principal principal, Vehicle vehicle) {
    Access a = requireRead(principal, vehicle);
    if (a == Access.PARTNER) {
      throw Problems.forbiddenResource("only the owner may share a vehicle or change its sharing");
    }
    return a;
  }

  /** End a sharing as its owner ({@code DELETE …/sharing}): 403 partner (who has its own route), 404 otherwise. */
  public Access requireEndAsOwner(Principal principal, Vehicle vehicle) {
    Access a = requireRead(principal, vehicle);
    if (a == Access.PARTNER) {
      throw Problems.forbiddenResource("a partner ends a sharing with DELETE /vehicles/{id}/sharing/partner");
    }
    return a;
  }

  /** End a sharing as its partner ({@code DELETE …/sharing/partner}): 403 owner (who has its own route), 404 otherwise. */
  public Access requireEndAsPartner(Principal principal, Vehicle vehicle) {
    Access a = requireRead(principal, vehicle);
    if (a == Access.OWNER) {
      throw Problems.forbiddenResource("the owner ends a sharing with DELETE /vehicles/{id}/sharing");
    }
    return a;
  }

  /**
   * Remove (archive) a vehicle: owner only, and not while it has a sharing that has not ended — active
   * <em>or scheduled</em>, so that no sharing outlives its vehicle (409 shared-with-partner: end the sharing
   * first); 403 partner, 404 otherwise.
   */
  public Access requireRemove(Principal principal, Vehicle vehicle) {
    Access a = requireModify(principal, vehicle);
    if (current(vehicle) != null) {
      throw sharedWithPartner("the vehicle is shared with a partner (or a sharing is scheduled); end the sharing first");
    }
    return a;
  }

  /** {@code 409 /problems/vehicle/shared-with-partner}. */
  public static ProblemException sharedWithPartner(String detail) {
    return Problems.of(409, "vehicle/shared-with-partner", "Shared with partner", detail);
  }

  /** Whether a vehicle the fleet sees passes the listing's {@code sharing} filter. */
  public boolean matches(String fleetId, Vehicle vehicle, SharingFilter filter) {
    Access a = of(fleetId, vehicle);
    return switch (filter) {
      case OWN -> a == Access.OWNER;
      case SHARED_WITH_ME -> a == Access.PARTNER;
      case SHARED_BY_ME -> a == Access.OWNER && current(vehicle) != null; // active or scheduled
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
