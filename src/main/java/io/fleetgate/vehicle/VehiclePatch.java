package io.fleetgate.vehicle;

import java.util.List;
import java.util.Map;

/**
 * A validated JSON merge patch of a vehicle. A null component leaves that part alone. In
 * {@code masterData} and {@code customFields} a null value removes the entry; {@code clearMasterData} /
 * {@code clearCustomFields} remove all entries first (the member itself was {@code null}).
 */
public record VehiclePatch(
    boolean clearMasterData,
    Map<String, String> masterData,
    boolean clearCustomFields,
    Map<String, String> customFields,
    List<String> tags,
    String operationStatus) {}
