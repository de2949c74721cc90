package io.fleetgate.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's copy of the ownership map (vehicle → node, epoch), kept from its own claims and the other nodes'
 * notices. A hint for routing (a stale entry costs one failed request, answered offline), never a decision:
 * takeover and release are decided by epoch in {@link OwnershipStore}. A higher epoch always replaces a lower
 * one, whatever order notices arrive in.
 */
final class Owners {
  /** Who holds a vehicle's unit session. */
  record Owner(String nodeId, long epoch) {}

  private final Map<String, Owner> byVehicle = new ConcurrentHashMap<>();

  /** Records a claim; false when a newer one is known already. */
  boolean claimed(String vehicleId, String nodeId, long epoch) {
    boolean[] changed = new boolean[1];
    byVehicle.compute(vehicleId, (v, old) -> {
      if (old != null && old.epoch() >= epoch) {
        return old;
      }
      changed[0] = true;
      return new Owner(nodeId, epoch);
    });
    return changed[0];
  }

  /** Forgets a release's claim if it is still the one known; false when a newer one replaced it. */
  boolean released(String vehicleId, String nodeId, long epoch) {
    boolean[] removed = new boolean[1];
    byVehicle.computeIfPresent(vehicleId, (v, old) -> {
      if (old.nodeId().equals(nodeId) && old.epoch() <= epoch) {
        removed[0] = true;
        return null;
      }
      return old;
    });
    return removed[0];
  }

  Owner get(String vehicleId) {
    return byVehicle.get(vehicleId);
  }

  /** Forgets every vehicle of a node that left; returns their ids. */
  List<String> dropNode(String nodeId) {
    List<String> dropped = new ArrayList<>();
    byVehicle.forEach((v, o) -> {
      if (o.nodeId().equals(nodeId) && byVehicle.remove(v, o)) {
        dropped.add(v);
      }
    });
    return dropped;
  }

  int size() {
    return byVehicle.size();
  }
}
