package io.fleetgate.sim;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The credentials file written by {@code fleetgate demo} and {@code simulate --provision}, read by
 * {@code simulate --credentials}:
 *
 * <pre>{@code
 * {"api_url": "http://127.0.0.1:8080", "mqtt": {"host": "127.0.0.1", "port": 1884},
 *  "api_clients": [{"fleet_id", "client_id", "client_secret", "permissions": [...]}],
 *  "units": [{"unit_id", "password", "vehicle_id", "fleet_id"}]}
 * }</pre>
 */
public record Credentials(String apiUrl, String mqttHost, int mqttPort, List<ApiClient> apiClients, List<Unit> units) {

  /** A fleet's API client as created (its secret is shown only once by the gateway). */
  public record ApiClient(String fleetId, String fleetName, String clientId, String clientSecret, List<String> permissions) {}

  /** A unit's login; {@code vehicleId} is null when the vehicle already existed (409 on provisioning). */
  public record Unit(String unitId, String password, String vehicleId, String fleetId) {}

  public JsonObject toJson() {
    JsonArray clients = new JsonArray();
    for (ApiClient c : apiClients) {
      clients.add(new JsonObject().put("fleet_id", c.fleetId()).put("fleet_name", c.fleetName())
          .put("client_id", c.clientId()).put("client_secret", c.clientSecret())
          .put("permissions", new JsonArray(new ArrayList<>(c.permissions()))));
    }
    JsonArray list = new JsonArray();
    for (Unit u : units) {
      list.add(new JsonObject().put("unit_id", u.unitId()).put("password", u.password())
          .put("vehicle_id", u.vehicleId()).put("fleet_id", u.fleetId()));
    }
    return new JsonObject().put("api_url", apiUrl)
        .put("mqtt", new JsonObject().put("host", mqttHost).put("port", mqttPort))
        .put("api_clients", clients).put("units", list);
  }

  /** Writes the file readable by its owner only (it holds secrets), replacing it atomically. */
  public void write(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, ".fleetgate-credentials", ".tmp");
    try {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
      Files.writeString(tmp, toJson().encodePrettily() + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** @throws SimOptions.BadArgument naming the file for a missing or malformed one */
  public static Credentials read(Path file) {
    JsonObject json;
    try {
      json = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new SimOptions.BadArgument("--credentials: cannot read " + file + " (" + e.getMessage() + ")");
    } catch (DecodeException | ClassCastException e) {
      throw new SimOptions.BadArgument("--credentials: " + file + " is not a JSON object");
    }
    try {
      List<ApiClient> clients = new ArrayList<>();
      JsonArray cs = json.getJsonArray("api_clients", new JsonArray());
      for (int i = 0; i < cs.size(); i++) {
        JsonObject c = cs.getJsonObject(i);
        List<String> perms = new ArrayList<>();
        c.getJsonArray("permissions", new JsonArray()).forEach(p -> perms.add(String.valueOf(p)));
        clients.add(new ApiClient(c.getString("fleet_id"), c.getString("fleet_name"), c.getString("client_id"),
            c.getString("client_secret"), perms));
      }
      List<Unit> units = new ArrayList<>();
      JsonArray us = json.getJsonArray("units", new JsonArray());
      for (int i = 0; i < us.size(); i++) {
        JsonObject u = us.getJsonObject(i);
        if (u.getString("unit_id") == null || u.getString("password") == null) {
          throw new SimOptions.BadArgument("--credentials: " + file + ": units[" + i + "] needs unit_id and password");
        }
        units.add(new Unit(u.getString("unit_id"), u.getString("password"), u.getString("vehicle_id"),
            u.getString("fleet_id")));
      }
      if (units.isEmpty()) {
        throw new SimOptions.BadArgument("--credentials: " + file + " lists no units");
      }
      JsonObject mqtt = json.getJsonObject("mqtt", new JsonObject());
      return new Credentials(json.getString("api_url"), mqtt.getString("host"), mqtt.getInteger("port", 0),
          List.copyOf(clients), List.copyOf(units));
    } catch (ClassCastException e) {
      throw new SimOptions.BadArgument("--credentials: " + file + " does not have the credentials file's shape");
    }
  }
}
