package io.fleetgate.cluster;

import io.fleetgate.command.Command;
import io.fleetgate.command.CommandStatus;
import io.fleetgate.protocol.CommandResult;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Commands and results as the event bus carries them between nodes (JSON: clustered Vert.x refuses Serializable bodies). */
final class CommandMessages {
  private CommandMessages() {}

  static JsonObject command(Command c) {
    return new JsonObject().put("id", c.id().toString()).put("seq", c.seq()).put("vehicleId", c.vehicleId())
        .put("clientId", c.clientId()).put("fleetId", c.fleetId()).put("name", c.name()).put("async", c.async())
        .put("status", c.status().name()).put("createdAt", c.createdAt().toString()).put("expiresAt", c.expiresAt().toString())
        .put("updatedAt", c.updatedAt() == null ? null : c.updatedAt().toString()).put("detail", c.detail());
  }

  static Command command(JsonObject j) {
    String updated = j.getString("updatedAt");
    return new Command(UUID.fromString(j.getString("id")), j.getLong("seq"), j.getString("vehicleId"), j.getString("clientId"),
        j.getString("fleetId"), j.getString("name"), j.getBoolean("async"), CommandStatus.valueOf(j.getString("status")),
        Instant.parse(j.getString("createdAt")), Instant.parse(j.getString("expiresAt")),
        updated == null ? null : Instant.parse(updated), j.getString("detail"));
  }

  /** A result without its readings: the unit's node applied them already, the sender's node only ends the command. */
  static JsonObject result(CommandResult r) {
    return new JsonObject().put("id", r.id().toString()).put("status", r.status()).put("detail", r.detail());
  }

  static CommandResult result(JsonObject j) {
    return new CommandResult(UUID.fromString(j.getString("id")), j.getString("status"), j.getString("detail"), List.of());
  }
}
