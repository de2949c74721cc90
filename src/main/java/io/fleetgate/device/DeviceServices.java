package io.fleetgate.device;

import io.fleetgate.command.CommandReadiness;
import io.fleetgate.vehicle.IngestService;
import io.fleetgate.vehicle.VehicleRegistry;

/**
 * The collaborators every device session shares, whatever its protocol. Built once by the gateway.
 *
 * @param commandReadiness told when a unit can take commands (queued ones then go out)
 * @param commandAckTimeoutMs how long a delivered command waits for its proof of delivery (PUBACK)
 */
public record DeviceServices(
    VehicleRegistry registry,
    IngestService ingest,
    UnitAuthenticator authenticator,
    DeviceSessions sessions,
    CommandResultSink results,
    DeviceMetrics metrics,
    CommandReadiness commandReadiness,
    long commandAckTimeoutMs) {

  public static final long DEFAULT_COMMAND_ACK_TIMEOUT_MS = 10_000;

  /** Without command delivery (nothing is told when units subscribe). */
  public DeviceServices(VehicleRegistry registry, IngestService ingest, UnitAuthenticator authenticator,
      DeviceSessions sessions, CommandResultSink results, DeviceMetrics metrics) {
    this(registry, ingest, authenticator, sessions, results, metrics, CommandReadiness.NONE, DEFAULT_COMMAND_ACK_TIMEOUT_MS);
  }
}
