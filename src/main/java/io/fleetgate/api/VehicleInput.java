package io.fleetgate.api;

import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.CapabilitySets;
import io.fleetgate.vehicle.MasterData;
import io.fleetgate.vehicle.NewVehicle;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.TelematicsUnit;
import io.fleetgate.vehicle.Vehicle;
import io.fleetgate.vehicle.VehiclePatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the request bodies of the vehicle routes into validated commands: shapes, lengths and enums, every
 * error with its JSON pointer, one 400 listing all of them. Rules that need the working set (unknown model,
 * unit taken) are {@code VehicleService}'s.
 */
final class VehicleInput {
  static final Pattern UNIT_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  static final List<String> UNIT_TYPES = List.of("RETROFIT", "OEM");
  private static final Pattern YEAR = Pattern.compile("[0-9]{4}");
  private static final int UNIT_TEXT_MAX = 100;

  private VehicleInput() {}

  /** The body of {@code POST /vehicles}. */
  static NewVehicle newVehicle(JsonInput in) {
    in.allowOnly("telematics_unit", "vehicle_model_id", "capabilities", "master_data", "custom_fields", "tags",
        "operation_status");
    NewVehicle.Unit unit = unit(in.object("telematics_unit", true));
    String modelId = in.string("vehicle_model_id", 1, 64, false);
    boolean hasModel = in.has("vehicle_model_id") && !in.isNull("vehicle_model_id");
    boolean hasCaps = in.has("capabilities") && !in.isNull("capabilities");
    Capabilities caps = null;
    if (hasModel && hasCaps) {
      in.error("capabilities", "give either vehicle_model_id or capabilities, not both");
    } else if (!hasModel && !hasCaps) {
      in.error("vehicle_model_id", "vehicle_model_id or capabilities is required");
    } else if (hasCaps) {
      caps = capabilities(in.object("capabilities", true));
    }
    JsonInput md = in.object("master_data", false);
    Map<String, String> masterData = md == null ? Map.of() : masterData(md, false);
    Map<String, String> customFields = in.stringMap("custom_fields", MasterData.CUSTOM_FIELDS_MAX,
        MasterData.CUSTOM_FIELD_KEY_MAX, MasterData.CUSTOM_FIELD_VALUE_MAX, false);
    List<String> tags = in.strings("tags", MasterData.TAGS_MAX, MasterData.TAG_MAX, false);
    String status = operationStatus(in, false);
    in.check();
    return new NewVehicle(unit, modelId, caps, masterData, customFields == null ? Map.of() : customFields,
        tags == null ? List.of() : List.copyOf(new java.util.LinkedHashSet<>(tags)), status);
  }

  /** The body of {@code PATCH /vehicles/{id}} (JSON merge patch). */
  static VehiclePatch patch(JsonInput in) {
    in.allowOnly("master_data", "custom_fields", "tags", "operation_status");
    boolean clearMasterData = in.isNull("master_data");
    JsonInput md = clearMasterData ? null : in.object("master_data", false);
    Map<String, String> masterData = md == null ? null : masterData(md, true);
    boolean clearCustomFields = in.isNull("custom_fields");
    Map<String, String> customFields = clearCustomFields ? null : in.stringMap("custom_fields",
        MasterData.CUSTOM_FIELDS_MAX, MasterData.CUSTOM_FIELD_KEY_MAX, MasterData.CUSTOM_FIELD_VALUE_MAX, true);
    List<String> tags = in.isNull("tags") ? List.of() : in.strings("tags", MasterData.TAGS_MAX, MasterData.TAG_MAX, false);
    String status = operationStatus(in, true);
    in.check();
    return new VehiclePatch(clearMasterData, masterData, clearCustomFields, customFields, tags, status);
  }

  private static NewVehicle.Unit unit(JsonInput u) {
    if (u == null) {
      return null;
    }
    u.allowOnly("id", "brand", "model", "manufacturer", "type", "password");
    String id = u.matching("id", UNIT_ID, TelematicsUnit.ID_MAX, true, "must be 1 to 64 characters of A-Z a-z 0-9 _ . : -");
    String brand = u.string("brand", 1, UNIT_TEXT_MAX, false);
    String model = u.string("model", 1, UNIT_TEXT_MAX, false);
    String manufacturer = u.string("manufacturer", 1, UNIT_TEXT_MAX, false);
    String type = u.oneOf("type", UNIT_TYPES, true);
    String password = u.string("password", TelematicsUnit.PASSWORD_MIN, TelematicsUnit.PASSWORD_MAX, true);
    return new NewVehicle.Unit(id, brand, model, manufacturer, type, password);
  }

  private static Capabilities capabilities(JsonInput c) {
    if (c == null) {
      return null;
    }
    c.allowOnly("commands", "vehicle_state");
    List<String> commands = c.strings("commands", 100, 64, true);
    List<String> stateNames = c.strings("vehicle_state", 100, 64, true);
    List<Property> state = new ArrayList<>();
    boolean ok = commands != null && stateNames != null;
    for (int i = 0; commands != null && i < commands.size(); i++) {
      if (!Capabilities.ALL_COMMANDS.contains(commands.get(i))) {
        c.error("commands", i, "unknown command '" + commands.get(i) + "'");
        ok = false;
      }
    }
    for (int i = 0; stateNames != null && i < stateNames.size(); i++) {
      Property p = Property.byCapability(stateNames.get(i));
      if (p == null) {
        c.error("vehicle_state", i, "unknown state property '" + stateNames.get(i) + "'");
        ok = false;
      } else {
        state.add(p);
      }
    }
    return ok ? CapabilitySets.canonical(commands, state) : null;
  }

  /**
   * Master data fields; in a patch a null value is kept (it clears the field), on creation null means unset.
   */
  private static Map<String, String> masterData(JsonInput md, boolean patch) {
    md.allowOnly(MasterData.FIELDS.toArray(String[]::new));
    Map<String, String> out = new LinkedHashMap<>();
    for (String field : MasterData.FIELDS) {
      if (!md.has(field)) {
        continue;
      }
      if (md.isNull(field)) {
        if (patch) {
          out.put(field, null);
        }
        continue;
      }
      String value;
      if (MasterData.TEXT_FIELDS.containsKey(field)) {
        value = md.string(field, 1, MasterData.TEXT_FIELDS.get(field), false);
      } else if (MasterData.ENUM_FIELDS.containsKey(field)) {
        value = md.oneOf(field, MasterData.ENUM_FIELDS.get(field), false);
      } else {
        value = md.matching(field, YEAR, 4, false, "must be a year of four digits, e.g. \"2020\"");
      }
      if (value != null) {
        out.put(field, value);
      }
    }
    return out;
  }

  private static String operationStatus(JsonInput in, boolean patch) {
    if (in.isNull("operation_status")) {
      if (patch) {
        in.error("operation_status", "must not be null");
      }
      return null;
    }
    JsonInput os = in.object("operation_status", false);
    if (os == null) {
      return null;
    }
    os.allowOnly("value");
    return os.oneOf("value", Vehicle.OPERATION_STATUSES, true);
  }
}
