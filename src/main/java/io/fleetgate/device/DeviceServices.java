package io.fleetgate.device;

import io.fleetgate.vehicle.IngestService;
import io.fleetgate.vehicle.VehicleRegistry;

/** The collaborators every device session shares, whatever its protocol. Built once by the gateway. */
public record DeviceServices(
    VehicleRegistry registry,
    IngestService ingest,
    UnitAuthenticator authenticator,
    DeviceSessions sessions,
    CommandResultSink results,
    DeviceMetrics metrics) {}
