package io.fleetgate.cluster;

import io.fleetgate.fleet.AdminService;
import io.fleetgate.fleet.FleetStore;
import io.fleetgate.sharing.PartnerService;
import io.fleetgate.sharing.SharingService;
import io.fleetgate.sharing.SharingStore;
import io.fleetgate.vehicle.VehicleLifecycle;
import io.fleetgate.vehicle.VehicleStore;
import io.vertx.core.Future;
import java.util.logging.Logger;

/**
 * Applies one change of the feed to this node's working set: reloads the entity it names from the store and
 * hands it to the service that owns its in-memory structures ({@code applyStored}: no store write, no event).
 * Reloading whole entities makes applying idempotent and order-free per entity: the newest row wins.
 */
public final class ChangeApplier {
  private static final Logger LOG = Logger.getLogger("fleetgate.cluster");

  private final FleetStore fleets;
  private final VehicleStore vehicles;
  private final SharingStore sharings;
  private final AdminService admin;
  private final VehicleLifecycle lifecycle;
  private final SharingService sharing;
  private final PartnerService partners;

  public ChangeApplier(FleetStore fleets, VehicleStore vehicles, SharingStore sharings, AdminService admin,
      VehicleLifecycle lifecycle, SharingService sharing, PartnerService partners) {
    this.fleets = fleets;
    this.vehicles = vehicles;
    this.sharings = sharings;
    this.admin = admin;
    this.lifecycle = lifecycle;
    this.sharing = sharing;
    this.partners = partners;
  }

  /** Completes once the entity is reloaded and applied; fails when the store cannot be read. */
  public Future<Void> apply(String kind, String id) {
    switch (kind) {
      case "fleet":
        return fleets.loadFleet(id).map(f -> {
          admin.applyStoredFleet(f);
          return null;
        });
      case "client":
        return fleets.loadClient(id).map(c -> {
          admin.applyStoredClient(id, c);
          return null;
        });
      case "vehicle":
        return vehicles.loadVehicle(id).map(v -> {
          lifecycle.applyStored(id, v);
          return null;
        });
      case "partnership": {
        int nl = id.indexOf('\n');
        if (nl < 0) {
          return unknown(kind, id);
        }
        String a = id.substring(0, nl);
        String b = id.substring(nl + 1);
        return sharings.loadPartnership(a, b).map(p -> {
          partners.applyStored(a, b, p);
          return null;
        });
      }
      case "sharing":
        return sharings.loadSharing(id).map(s -> {
          sharing.applyStored(id, s);
          return null;
        });
      default:
        return unknown(kind, id);
    }
  }

  /** A kind this version does not know (a newer node's): nothing of this node's working set to change. */
  private static Future<Void> unknown(String kind, String id) {
    LOG.warning("change feed: unknown change '" + kind + "' ignored");
    return Future.succeededFuture();
  }
}
