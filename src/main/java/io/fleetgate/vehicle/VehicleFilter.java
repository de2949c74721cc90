package io.fleetgate.vehicle;

import java.util.Locale;
import java.util.Map;

/**
 * The filters of a vehicle listing; null fields do not filter. {@code q} is matched case-insensitively as a
 * substring of the vehicle id, license plate, VIN, custom name, brand, model or telematics unit id (kept
 * lower-cased here). The match compares in place ({@link String#regionMatches}), so a listing over a large
 * fleet lower-cases no field and allocates nothing per vehicle.
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
    if (q != null && !matchesQ(v)) {
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

  private boolean matchesQ(Vehicle v) {
    Map<String, String> m = v.masterData();
    return contains(v.id()) || contains(m.get("license_plate")) || contains(m.get("vin")) || contains(m.get("custom_name"))
        || contains(m.get("brand")) || contains(m.get("model")) || contains(v.unitId());
  }

  /** Case-insensitive substring test without copying {@code value}. */
  private boolean contains(String value) {
    if (value == null) {
      return false;
    }
    int n = q.length();
    for (int i = 0, last = value.length() - n; i <= last; i++) {
      if (value.regionMatches(true, i, q, 0, n)) {
        return true;
      }
    }
    return false;
  }
}
