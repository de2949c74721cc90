package io.fleetgate.protocol.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.fleetgate.protocol.CommandResult;
import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.FrameException.Reason;
import io.fleetgate.protocol.StateRules;
import io.fleetgate.vehicle.Reading;
import java.io.IOException;
import java.util.List;
import java.util.UUID;

/**
 * An MQTT command result, {@code {"id": "<uuid>", "status": "SUCCEEDED"|"FAILED"|"REJECTED", "detail": "…"?,
 * "state": {…}?}}, to a {@link CommandResult}. {@code state} is validated like a state frame's; its readings
 * without an own {@code timestamp} are stamped {@code nowMs} (a result carries no capture time).
 */
public final class CommandResultDecoder {
  private CommandResultDecoder() {}

  public static CommandResult decode(byte[] bytes, long nowMs) {
    return decode(bytes, 0, bytes.length, nowMs);
  }

  public static CommandResult decode(byte[] bytes, int offset, int length, long nowMs) {
    try (JsonParser p = JsonStateDecoder.FACTORY.createParser(bytes, offset, length)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new FrameException(Reason.EMPTY, "no JSON value in " + length + " bytes");
      }
      if (first != JsonToken.START_OBJECT) {
        throw new FrameException(Reason.MALFORMED_JSON, "a command result is a JSON object, not " + first);
      }
      UUID id = null;
      String status = null;
      String detail = null;
      boolean hasDetail = false;
      List<Reading> readings = null;
      String key;
      while ((key = p.nextFieldName()) != null) {
        switch (key) {
          case "id":
            if (id != null) {
              throw JsonStateDecoder.duplicate(key);
            }
            id = uuid(string(p, p.nextToken(), key));
            break;
          case "status":
            if (status != null) {
              throw JsonStateDecoder.duplicate(key);
            }
            String s = string(p, p.nextToken(), key);
            status = CommandResult.status(s);
            if (status == null) {
              throw new FrameException(Reason.OUT_OF_RANGE, "status " + StateRules.quote(s));
            }
            break;
          case "detail":
            if (hasDetail) {
              throw JsonStateDecoder.duplicate(key);
            }
            hasDetail = true;
            detail = p.nextToken() == JsonToken.VALUE_NULL ? null : string(p, p.currentToken(), key);
            break;
          case "state":
            if (readings != null) {
              throw JsonStateDecoder.duplicate(key);
            }
            p.nextToken();
            readings = JsonStateDecoder.decodeState(p, nowMs, nowMs);
            break;
          default:
            throw new FrameException(Reason.UNKNOWN_FIELD, "unknown key " + StateRules.quote(key));
        }
      }
      if (p.nextToken() != null) {
        throw new FrameException(Reason.TRAILING_BYTES, "content after the result object");
      }
      if (id == null) {
        throw new FrameException(Reason.MISSING_FIELD, "id");
      }
      if (status == null) {
        throw new FrameException(Reason.MISSING_FIELD, "status");
      }
      return new CommandResult(id, status, detail, readings == null ? List.of() : readings);
    } catch (IOException e) {
      throw JsonStateDecoder.malformed(e);
    }
  }

  private static String string(JsonParser p, JsonToken t, String key) throws IOException {
    if (t != JsonToken.VALUE_STRING) {
      throw new FrameException(Reason.WRONG_TYPE, key + " must be a string, not " + t);
    }
    return p.getText();
  }

  /**
   * Only the canonical 36-character form: {@link UUID#fromString} also takes {@code 1-1-1-1-1}, which would let
   * two spellings name one command.
   */
  static UUID uuid(String s) {
    if (s.length() != 36) {
      throw badId(s);
    }
    long hi = 0;
    long lo = 0;
    int nibbles = 0;
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          throw badId(s);
        }
        continue;
      }
      int d = Character.digit(c, 16);
      if (d < 0 || c > 'f') {
        throw badId(s);
      }
      if (nibbles < 16) {
        hi = hi << 4 | d;
      } else {
        lo = lo << 4 | d;
      }
      nibbles++;
    }
    return new UUID(hi, lo);
  }

  private static FrameException badId(String s) {
    return new FrameException(Reason.BAD_ID, "id " + StateRules.quote(s) + " is not a UUID");
  }
}
