package io.fleetgate.vehicle;

import java.util.Locale;

/**
 * The filters of a vehicle listing; null fields do not filter. {@code q} is matched case-insensitively as a
 * substring of license plate, VIN or custom name (kept lower-cased here).
 */
public record VehicleFilter(
    String q, String lifeStatus, String operationStatus, String vehicleType, String tag,
    VehicleAccess.SharingFilter sharing) {

  public static final VehicleFilter NONE = new VehicleFilter(null, null, null, null, null, null);

  public VehicleFilter {
    q = q == null ? null : q.toLowerCase(Locale.ROOT);
  }

  /** Whether a vehicle passes every filter except {@code sharing} (that is {@link VehicleAccess}'s). */
  public boolean matches(Vehicle v, VehicleLive live) {
    if (q != null && !contains(v, "license_plate") && !contains(v, "vin") && !contains(v, "custom_name")) {
      return false;
    }
    if (lifeStatus != null && (live == null || !lifeStatus.equals(live.lifeStatus().value()))) {
      return false;
    }
    if (operationStatus != null && !operationStatus.equals(v.operationStatus())) {
      return false;
    }
    if (vehicleType != null && !vehicleType.equals(v.masterData().get("vehicle_type"))) {
      return false;
    }
    return tag == null || v.tags().contains(tag);
  }

  private boolean contains(Vehicle v, String field) {
    String value = v.masterData().get(field);
    return value != null && value.toLowerCase(Locale.ROOT).contains(q);
  }
}
