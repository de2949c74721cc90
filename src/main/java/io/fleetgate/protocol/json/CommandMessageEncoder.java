package io.fleetgate.protocol.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.fleetgate.vehicle.Capabilities;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/** The MQTT command message, {@code {"id":"<uuid>","command":"UNLOCK_CENTRAL_LOCK","expires_at":"…Z"}}. */
public final class CommandMessageEncoder {
  private CommandMessageEncoder() {}

  /** @throws IllegalArgumentException for a command name the contract does not define */
  public static byte[] encode(UUID id, String command, long expiresAtMs) {
    if (!Capabilities.ALL_COMMANDS.contains(command)) {
      throw new IllegalArgumentException("unknown command " + command);
    }
    try (ByteArrayBuilder out = new ByteArrayBuilder(128);
        JsonGenerator g = JsonStateDecoder.FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("id", id.toString());
      g.writeStringField("command", command);
      g.writeStringField("expires_at", Iso8601.format(expiresAtMs));
      g.writeEndObject();
      g.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
