package io.fleetgate.device;

import io.fleetgate.protocol.CommandResult;
import io.fleetgate.vehicle.IngestService;
import io.vertx.core.Future;

/**
 * Where a unit's command results go. Commands come with their own router; until then the default applies
 * the state a result carries and counts the result. The returned future is the hand-off: the unit is
 * acknowledged once it succeeded.
 */
public interface CommandResultSink {

  Future<Void> accept(String protocol, String vehicleId, CommandResult result, long nowMs);

  /** Applies a result's state through the ingest path and counts it by status. */
  static CommandResultSink applyingState(IngestService ingest, DeviceMetrics metrics) {
    return (protocol, vehicleId, result, nowMs) -> {
      metrics.commandResult(protocol, result.status().toLowerCase(java.util.Locale.ROOT));
      if (result.readings().isEmpty()) {
        return Future.succeededFuture();
      }
      return ingest.apply(vehicleId, result.readings(), nowMs).mapEmpty();
    };
  }
}
