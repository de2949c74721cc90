package io.fleetgate.protocol.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.FrameException.Reason;
import io.fleetgate.protocol.StateRules;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import java.io.IOException;
import java.util.Collections;
import java.util.List;

/**
 * Test-only: the Jackson-based JSON state frame decoder as it was before {@link JsonFrameReader}, kept unchanged
 * as the reference the differential test compares the hand-written decoder with. The {@code state} object, values
 * and timestamps go through {@link JsonStateDecoder}'s Jackson path (kept there for command results), which is
 * that same old code.
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
              throw JsonStateDecoder.duplicate("ts");
            }
            ts = JsonStateDecoder.timestamp(p, p.nextToken(), nowMs, "ts");
            break;
          case "seq":
            if (seq != StateFrame.NO_SEQ) {
              throw JsonStateDecoder.duplicate("seq");
            }
            seq = seq(p, p.nextToken());
            break;
          case "state":
            if (readings != null) {
              throw JsonStateDecoder.duplicate("state");
            }
            p.nextToken();
            readings = JsonStateDecoder.decodeState(p, ts, nowMs);
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
      throw JsonStateDecoder.malformed(e);
    }
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
