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
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Test-only: the Jackson-based JSON state frame decoder as it was before {@link JsonFrameReader}, kept unchanged
 * as the reference the differential test compares the hand-written decoder with.
 *
 * <p>The contract's JSON state frame, bytes to a validated {@link StateFrame}, in one streaming pass (no tree).
 *
 * <pre>{"ts": "2026-11-21T10:15:30.250Z" | 1795256130250, "seq": 1842,
 *  "state": {"central_lock": "LOCKED", "mileage_in_kilometers": {"value": 10234.5, "timestamp": "…"}}}</pre>
 *
 * <p>Any error rejects the whole frame with a {@link FrameException}; nothing is returned half-validated.
 * Keys may come in any order ({@code state} before {@code ts} is valid JSON and is handled).
 */
public final class JacksonReferenceDecoder {
  /** Marks readings decoded before {@code ts} was seen; never a valid timestamp (those are ≥ 0). */
  private static final long UNSET = Long.MIN_VALUE;

  private JacksonReferenceDecoder() {}

  public static StateFrame decode(byte[] bytes, long nowMs) {
    return decode(bytes, 0, bytes.length, nowMs);
  }

  /** Decodes {@code bytes[offset, offset+length)}, a UTF-8 JSON state frame. */
  public static StateFrame decode(byte[] bytes, int offset, int length, long nowMs) {
    try (JsonParser p = JsonStateDecoder.FACTORY.createParser(bytes, offset, length)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new FrameException(Reason.EMPTY, "no JSON value in " + length + " bytes");
      }
      if (first != JsonToken.START_OBJECT) {
        throw new FrameException(Reason.MALFORMED_JSON, "a state frame is a JSON object, not " + first);
      }
      long ts = UNSET;
      long seq = StateFrame.NO_SEQ;
      List<Reading> readings = null;
      String key;
      while ((key = p.nextFieldName()) != null) {
        switch (key) {
          case "ts":
            if (ts != UNSET) {
              throw duplicate("ts");
            }
            ts = timestamp(p, p.nextToken(), nowMs, "ts");
            break;
          case "seq":
            if (seq != StateFrame.NO_SEQ) {
              throw duplicate("seq");
            }
            seq = seq(p, p.nextToken());
            break;
          case "state":
            if (readings != null) {
              throw duplicate("state");
            }
            readings = readState(p, p.nextToken(), ts, nowMs);
            break;
          default:
            throw new FrameException(Reason.UNKNOWN_FIELD, "unknown key " + StateRules.quote(key));
        }
      }
      if (p.nextToken() != null) {
        throw new FrameException(Reason.TRAILING_BYTES, "content after the frame object");
      }
      if (ts == UNSET) {
        throw new FrameException(Reason.MISSING_FIELD, "ts");
      }
      if (readings == null) {
        throw new FrameException(Reason.MISSING_FIELD, "state");
      }
      return new StateFrame(ts, seq, Collections.unmodifiableList(withDefault(readings, ts)), 0);
    } catch (IOException e) {
      throw malformed(e);
    }
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

  private static long seq(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw new FrameException(Reason.WRONG_TYPE, "seq must be a non-negative integer");
    }
    JsonParser.NumberType nt = p.getNumberType();
    if (nt != JsonParser.NumberType.INT && nt != JsonParser.NumberType.LONG) {
      throw new FrameException(Reason.OUT_OF_RANGE, "seq too large");
    }
    return StateRules.seq(p.getLongValue());
  }

  private static List<Reading> withDefault(List<Reading> readings, long ts) {
    for (int i = 0, n = readings.size(); i < n; i++) {
      Reading r = readings.get(i);
      if (r.timestampMs() == UNSET) {
        readings.set(i, new Reading(r.property(), ts, r.value()));
      }
    }
    return readings;
  }
}
