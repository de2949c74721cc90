package io.fleetgate.protocol.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.FrameException.Reason;
import io.fleetgate.protocol.StateRules;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The contract's JSON state frame, bytes to a validated {@link StateFrame}, in one streaming pass (no tree):
 * {@link JsonFrameReader} for frames, Jackson for the {@code state} of a command result.
 *
 * <pre>{"ts": "2026-11-21T10:15:30.250Z" | 1795256130250, "seq": 1842,
 *  "state": {"central_lock": "LOCKED", "mileage_in_kilometers": {"value": 10234.5, "timestamp": "…"}}}</pre>
 *
 * <p>Any error rejects the whole frame with a {@link FrameException}; nothing is returned half-validated.
 * Keys may come in any order ({@code state} before {@code ts} is valid JSON and is handled).
 */
public final class JsonStateDecoder {
  static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .build();

  private JsonStateDecoder() {}

  public static StateFrame decode(byte[] bytes, long nowMs) {
    return decode(bytes, 0, bytes.length, nowMs);
  }

  /** Decodes {@code bytes[offset, offset+length)}, a UTF-8 JSON state frame. */
  public static StateFrame decode(byte[] bytes, int offset, int length, long nowMs) {
    return JsonFrameReader.decode(bytes, offset, length, nowMs);
  }

  /**
   * Decodes {@code buf[index, index+length)}, a UTF-8 JSON state frame, in place: absolute reads, the buffer's
   * indices are left alone and nothing is copied.
   */
  public static StateFrame decode(ByteBuf buf, int index, int length, long nowMs) {
    return JsonFrameReader.decode(buf, index, length, nowMs);
  }

  /**
   * Decodes a {@code state} object: {@code p}'s current token must be its START_OBJECT; on return it is the
   * matching END_OBJECT. Readings without their own {@code timestamp} get {@code defaultTs}.
   */
  public static List<Reading> decodeState(JsonParser p, long defaultTs, long nowMs) {
    try {
      return readState(p, p.currentToken(), defaultTs, nowMs);
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  static FrameException malformed(IOException e) {
    String m = e.getMessage();
    int nl = m == null ? -1 : m.indexOf('\n');
    return new FrameException(Reason.MALFORMED_JSON, nl < 0 ? String.valueOf(m) : m.substring(0, nl));
  }

  static FrameException duplicate(String key) {
    return new FrameException(Reason.DUPLICATE_PROPERTY, "key " + StateRules.quote(key) + " twice");
  }

  private static List<Reading> readState(JsonParser p, JsonToken t, long defaultTs, long nowMs) throws IOException {
    if (t != JsonToken.START_OBJECT) {
      throw new FrameException(Reason.WRONG_TYPE, "state must be an object, not " + t);
    }
    ArrayList<Reading> out = new ArrayList<>(8);
    int seen = 0;
    String name;
    while ((name = p.nextFieldName()) != null) {
      Property prop = Property.byJsonName(name);
      if (prop == null) {
        throw new FrameException(Reason.UNKNOWN_PROPERTY, StateRules.quote(name));
      }
      if ((seen & prop.bit) != 0) {
        throw duplicate(name);
      }
      seen |= prop.bit;
      out.add(reading(p, p.nextToken(), prop, defaultTs, nowMs));
    }
    return out;
  }

  /** A bare value, a bare position object, or a {@code {"value": …, "timestamp": …}} wrapper. */
  private static Reading reading(JsonParser p, JsonToken t, Property prop, long defaultTs, long nowMs)
      throws IOException {
    if (t != JsonToken.START_OBJECT) {
      return new Reading(prop, defaultTs, JsonValues.bare(p, t, prop));
    }
    String first = p.nextFieldName();
    if (prop.kind == Property.Kind.POSITION && ("lat".equals(first) || "lon".equals(first))) {
      return new Reading(prop, defaultTs, JsonValues.positionBody(p, prop, first));
    }
    Object value = null;
    long ts = defaultTs;
    boolean hasTs = false;
    for (String key = first; key != null; key = p.nextFieldName()) {
      if ("value".equals(key)) {
        if (value != null) {
          throw duplicate(prop.jsonName + ".value");
        }
        value = JsonValues.bare(p, p.nextToken(), prop);
      } else if ("timestamp".equals(key)) {
        if (hasTs) {
          throw duplicate(prop.jsonName + ".timestamp");
        }
        ts = timestamp(p, p.nextToken(), nowMs, prop.jsonName + ".timestamp");
        hasTs = true;
      } else {
        throw new FrameException(Reason.UNKNOWN_FIELD, prop.jsonName + " has unknown key " + StateRules.quote(key));
      }
    }
    if (value == null) {
      throw new FrameException(Reason.MISSING_FIELD, prop.jsonName + ".value");
    }
    return new Reading(prop, ts, value);
  }

  /** An ISO-8601 string with zone or a non-negative integer of epoch milliseconds, not in the future. */
  static long timestamp(JsonParser p, JsonToken t, long nowMs, String where) throws IOException {
    long ts;
    if (t == JsonToken.VALUE_STRING) {
      ts = Iso8601.parse(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    } else if (t == JsonToken.VALUE_NUMBER_INT) {
      JsonParser.NumberType nt = p.getNumberType();
      if (nt != JsonParser.NumberType.INT && nt != JsonParser.NumberType.LONG) {
        throw new FrameException(Reason.BAD_TIMESTAMP, where + " epoch milliseconds too large");
      }
      ts = p.getLongValue();
    } else if (t == JsonToken.VALUE_NUMBER_FLOAT) {
      throw new FrameException(Reason.BAD_TIMESTAMP, where + " epoch milliseconds must be an integer");
    } else {
      throw new FrameException(Reason.WRONG_TYPE, where + " must be an ISO-8601 string or epoch milliseconds");
    }
    return StateRules.timestamp(ts, nowMs, where);
  }
}
