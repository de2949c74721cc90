package io.fleetgate.vehicle;

import io.fleetgate.config.ConfigException;
import io.fleetgate.config.Settings;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The built-in vehicle model catalog ({@code GET /vehicle-models}, {@code vehicle_model_id} of a new
 * vehicle). Read once at start-up from the configured file, or from the copy bundled in the jar when that
 * file does not exist; validated whole, so a bad catalog stops start-up naming {@code catalog.file}.
 *
 * <p>File format: {@code {"models": [{"id", "vehicle_type", "brand", "model",
 * "capabilities": {"commands": […], "vehicle_state": […]}}]}}.
 */
public final class VehicleCatalog {
  public static final String RESOURCE = "/vehicle-models.json";
  public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  private final List<VehicleModel> models;
  private final Map<String, VehicleModel> byId;

  private VehicleCatalog(List<VehicleModel> models) {
    this.models = List.copyOf(models);
    Map<String, VehicleModel> m = new LinkedHashMap<>();
    models.forEach(model -> m.put(model.id(), model));
    this.byId = Map.copyOf(m);
  }

  /** Models in catalog order. */
  public List<VehicleModel> models() {
    return models;
  }

  /** The model with this id, or null. */
  public VehicleModel model(String id) {
    return id == null ? null : byId.get(id);
  }

  /** Loads {@code file} when it exists, else the bundled catalog. */
  public static VehicleCatalog load(String file) {
    Path path = Path.of(file);
    if (Files.exists(path)) {
      try {
        return parse(Files.readString(path, StandardCharsets.UTF_8), file);
      } catch (IOException e) {
        throw bad(file, "cannot be read (" + e.getMessage() + ")");
      }
    }
    try (InputStream in = VehicleCatalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw bad(file, "file not found and no built-in catalog in the jar");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in " + RESOURCE);
    } catch (IOException e) {
      throw bad(file, "built-in catalog cannot be read (" + e.getMessage() + ")");
    }
  }

  /** Parses and validates a catalog; {@code source} names it in errors. */
  public static VehicleCatalog parse(String json, String source) {
    JsonObject root;
    try {
      root = new JsonObject(json);
    } catch (DecodeException e) {
      throw bad(source, "not a JSON object");
    }
    if (!(root.getValue("models") instanceof JsonArray list) || list.isEmpty()) {
      throw bad(source, "'models' must be a non-empty array");
    }
    List<VehicleModel> models = new ArrayList<>();
    Set<String> ids = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "models[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject m)) {
        throw bad(source, at + ": must be an object");
      }
      unknownKeys(source, at, m, "id", "vehicle_type", "brand", "model", "capabilities");
      String id = text(source, at + ".id", m.getValue("id"), 64);
      if (!ID.matcher(id).matches()) {
        throw bad(source, at + ".id: 1-64 characters of [a-z0-9._-], starting with a letter or digit");
      }
      if (!ids.add(id)) {
        throw bad(source, at + ".id: duplicate id '" + id + "'");
      }
      String type = text(source, at + ".vehicle_type", m.getValue("vehicle_type"), 20);
      if (!MasterData.VEHICLE_TYPES.contains(type)) {
        throw bad(source, at + ".vehicle_type: must be one of " + String.join(", ", MasterData.VEHICLE_TYPES));
      }
      String brand = text(source, at + ".brand", m.getValue("brand"), 100);
      String model = text(source, at + ".model", m.getValue("model"), 100);
      if (!(m.getValue("capabilities") instanceof JsonObject caps)) {
        throw bad(source, at + ".capabilities: must be an object");
      }
      unknownKeys(source, at + ".capabilities", caps, "commands", "vehicle_state");
      List<String> commands = names(source, at + ".capabilities.commands", caps.getValue("commands"));
      for (int k = 0; k < commands.size(); k++) {
        if (!Capabilities.ALL_COMMANDS.contains(commands.get(k))) {
          throw bad(source, at + ".capabilities.commands[" + k + "]: unknown command '" + commands.get(k) + "'");
        }
      }
      List<String> stateNames = names(source, at + ".capabilities.vehicle_state", caps.getValue("vehicle_state"));
      List<Property> state = new ArrayList<>();
      for (int k = 0; k < stateNames.size(); k++) {
        Property p = Property.byCapability(stateNames.get(k));
        if (p == null) {
          throw bad(source, at + ".capabilities.vehicle_state[" + k + "]: unknown state property '" + stateNames.get(k) + "'");
        }
        state.add(p);
      }
      models.add(new VehicleModel(id, type, brand, model, CapabilitySets.canonical(commands, state)));
    }
    return new VehicleCatalog(models);
  }

  private static void unknownKeys(String source, String at, JsonObject o, String... allowed) {
    Set<String> ok = Set.of(allowed);
    for (String key : o.fieldNames()) {
      if (!ok.contains(key)) {
        throw bad(source, at + ": unknown property '" + key + "'");
      }
    }
  }

  private static String text(String source, String at, Object v, int max) {
    if (!(v instanceof String s) || s.isBlank() || s.length() > max) {
      throw bad(source, at + ": must be a string of 1 to " + max + " characters");
    }
    return s;
  }

  private static List<String> names(String source, String at, Object v) {
    if (!(v instanceof JsonArray a)) {
      throw bad(source, at + ": must be an array of names");
    }
    List<String> out = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < a.size(); i++) {
      if (!(a.getValue(i) instanceof String s)) {
        throw bad(source, at + "[" + i + "]: must be a string");
      }
      if (!seen.add(s)) {
        throw bad(source, at + "[" + i + "]: duplicate '" + s + "'");
      }
      out.add(s);
    }
    return out;
  }

  private static ConfigException bad(String source, String problem) {
    String setting = "catalog.file (" + Settings.ALL.get("catalog.file").envName() + ")";
    return new ConfigException(setting + ": " + source + ": " + problem);
  }
}
