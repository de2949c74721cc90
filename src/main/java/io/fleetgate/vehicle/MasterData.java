package io.fleetgate.vehicle;

import java.util.List;
import java.util.Map;

/**
 * The master data fields of a vehicle and their rules (the contract's {@code master_data}): which fields
 * exist, their maximum lengths and the enumerations. Shared by the REST input, the catalog and rendering.
 */
public final class MasterData {
  public static final List<String> FUEL_TYPES = List.of("PETROL", "DIESEL", "ELECTRIC", "HYBRID", "HYDROGEN", "OTHER");
  public static final List<String> GEAR_BOXES = List.of("MANUAL_SHIFT", "AUTOMATIC", "NONE");
  public static final List<String> VEHICLE_TYPES =
      List.of("CAR", "MOPED", "SCOOTER", "BICYCLE", "VAN", "TRUCK", "DEV_KIT", "OTHER");

  /** Free-text fields and their maximum length, in the contract's order. */
  public static final Map<String, Integer> TEXT_FIELDS = Map.of(
      "vin", 17, "license_plate", 30, "brand", 100, "model", 100, "custom_name", 100, "remark", 500);

  /** Enumerated fields and their values. */
  public static final Map<String, List<String>> ENUM_FIELDS =
      Map.of("fuel_type", FUEL_TYPES, "gear_box", GEAR_BOXES, "vehicle_type", VEHICLE_TYPES);

  /** {@code year_of_production}: a string of four digits. */
  public static final String YEAR = "year_of_production";

  /** Every field, in the order the vehicle resource shows them. */
  public static final List<String> FIELDS = List.of("vin", "license_plate", "brand", "model", "custom_name",
      "fuel_type", YEAR, "gear_box", "vehicle_type", "remark");

  public static final int CUSTOM_FIELDS_MAX = 50;
  public static final int CUSTOM_FIELD_KEY_MAX = 64;
  public static final int CUSTOM_FIELD_VALUE_MAX = 500;
  public static final int TAGS_MAX = 50;
  public static final int TAG_MAX = 64;

  private MasterData() {}
}
