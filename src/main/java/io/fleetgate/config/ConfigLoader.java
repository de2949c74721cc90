package io.fleetgate.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds the {@link GatewayConfig}: defaults, then the config file, then {@code FLEETGATE_*} environment
 * variables. Every problem is a {@link ConfigException} whose message names the setting.
 */
public final class ConfigLoader {
  public static final String DEFAULT_FILE = "config/fleetgate.json";

  private ConfigLoader() {}

  /**
   * @param file the config file; when null, {@code FLEETGATE_CONFIG} or {@value #DEFAULT_FILE} if it exists
   */
  public static GatewayConfig load(Path file, Map<String, String> env) {
    JsonObject merged = Settings.defaults();
    Path path = file;
    boolean required = file != null;
    if (path == null && env.get("FLEETGATE_CONFIG") != null) {
      path = Path.of(env.get("FLEETGATE_CONFIG"));
      required = true;
    }
    if (path == null) {
      path = Path.of(DEFAULT_FILE);
    }
    if (Files.exists(path)) {
      mergeFile(merged, path);
    } else if (required) {
      throw new ConfigException("config file " + path + ": not found");
    }
    for (Settings.Setting s : Settings.ALL.values()) {
      String value = env.get(s.envName());
      if (value != null) {
        put(merged, s, coerce(s, value, s.envName()));
      }
    }
    return GatewayConfig.from(merged);
  }

  /** Loads only the defaults and the given overrides (dotted key → value); for tests and the demo. */
  public static GatewayConfig of(Map<String, Object> overrides) {
    JsonObject merged = Settings.defaults();
    overrides.forEach((key, value) -> {
      Settings.Setting s = Settings.ALL.get(key);
      if (s == null) {
        throw new ConfigException("unknown setting '" + key + "'");
      }
      put(merged, s, value);
    });
    return GatewayConfig.from(merged);
  }

  private static void mergeFile(JsonObject merged, Path path) {
    JsonObject file;
    try {
      file = new JsonObject(Files.readString(path, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException("config file " + path + ": cannot be read (" + e.getMessage() + ")");
    } catch (DecodeException | ClassCastException e) {
      throw new ConfigException("config file " + path + ": not a JSON object");
    }
    for (String section : file.fieldNames()) {
      Object body = file.getValue(section);
      if (!(body instanceof JsonObject sectionObject)) {
        throw new ConfigException("config file " + path + ": '" + section + "' must be an object of settings");
      }
      for (String key : sectionObject.fieldNames()) {
        Settings.Setting s = Settings.ALL.get(section + "." + key);
        if (s == null) {
          throw new ConfigException("config file " + path + ": unknown setting '" + section + "." + key + "'");
        }
        Object value = sectionObject.getValue(key);
        put(merged, s, value == null ? null : coerce(s, value, s.key()));
      }
    }
  }

  private static Object coerce(Settings.Setting s, Object value, String name) {
    if (s.type() == Integer.class) {
      if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
        return n.intValue();
      }
      try {
        return Integer.parseInt(value.toString().trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(name + ": must be a whole number, got '" + value + "'");
      }
    }
    if (s.type() == Boolean.class) {
      if (value instanceof Boolean b) {
        return b;
      }
      String v = value.toString().trim();
      if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(v);
      }
      throw new ConfigException(name + ": must be true or false, got '" + value + "'");
    }
    if (!(value instanceof String)) {
      throw new ConfigException(name + ": must be a string, got '" + value + "'");
    }
    String v = ((String) value).trim();
    return v.isEmpty() ? null : v;
  }

  private static void put(JsonObject merged, Settings.Setting s, Object value) {
    String[] parts = s.key().split("\\.");
    merged.getJsonObject(parts[0]).put(parts[1], value);
  }
}
