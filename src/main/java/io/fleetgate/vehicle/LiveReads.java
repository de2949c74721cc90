package io.fleetgate.vehicle;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * Where a read of latest state and life status comes from when the unit is connected to another gateway node
 * of a cluster: that node has them first-hand, this node's working set only second-hand. Used by REST reads
 * only, never on the ingest path.
 */
public interface LiveReads {
  /** A single node: every unit is connected here or nowhere, the working set is first-hand. */
  LiveReads LOCAL = vehicles -> Future.succeededFuture(Map.of());

  /**
   * The live side, as the unit's node has it now, of those {@code vehicles} whose unit is connected to another
   * node that answered in time; a vehicle not in the map is read from this node's working set. Never fails.
   */
  Future<Map<String, VehicleLive>> remote(List<Vehicle> vehicles);
}
