package io.fleetgate.vehicle;

import java.util.List;
import java.util.Map;

/**
 * A validated request to add a vehicle: exactly one of {@code vehicleModelId} and {@code capabilities} is
 * set. Maps hold only set values; {@code operationStatus} is null for the default.
 */
public record NewVehicle(
    Unit unit,
    String vehicleModelId,
    Capabilities capabilities,
    Map<String, String> masterData,
    Map<String, String> customFields,
    List<String> tags,
    String operationStatus) {

  /** The telematics unit to attach, with its password in clear (hashed before it is stored). */
  public record Unit(String id, String brand, String model, String manufacturer, String type, String password) {
    @Override
    public String toString() {
      return "Unit[" + id + "]"; // never the password
    }
  }
}
