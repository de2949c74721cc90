package io.fleetgate.protocol.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.FrameException.Reason;
import io.fleetgate.protocol.StateRules;
import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import java.io.IOException;

/** Reads one property value of the JSON contract from a streaming parser, validated by {@link StateRules}. */
final class JsonValues {
  private JsonValues() {}

  /** The value at token {@code t}: a number, label, boolean or (for position) a {lat, lon} object. */
  static Object bare(JsonParser p, JsonToken t, Property prop) throws IOException {
    switch (prop.kind) {
      case NUMBER:
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
          throw wrongType(prop, "a number", t);
        }
        return StateRules.number(prop, p.getDoubleValue());
      case ENUM:
        if (t != JsonToken.VALUE_STRING) {
          throw wrongType(prop, "\"" + prop.oneLabel + "\" or \"" + prop.zeroLabel + "\"", t);
        }
        return label(p, prop);
      case BOOLEAN:
        if (t == JsonToken.VALUE_TRUE) {
          return Boolean.TRUE;
        }
        if (t == JsonToken.VALUE_FALSE) {
          return Boolean.FALSE;
        }
        throw wrongType(prop, "true or false", t);
      case POSITION:
        if (t != JsonToken.START_OBJECT) {
          throw wrongType(prop, "an object {lat, lon}", t);
        }
        return positionBody(p, prop, p.nextFieldName());
      default:
        throw new IllegalStateException(prop.kind.name());
    }
  }

  /** The rest of a position object whose first key ({@code first}, may be null) has been read. */
  static Position positionBody(JsonParser p, Property prop, String first) throws IOException {
    double lat = Double.NaN;
    double lon = Double.NaN;
    for (String key = first; key != null; key = p.nextFieldName()) {
      boolean isLat = "lat".equals(key);
      if (!isLat && !"lon".equals(key)) {
        throw new FrameException(Reason.UNKNOWN_FIELD, prop.jsonName + " has unknown key " + StateRules.quote(key));
      }
      if (!Double.isNaN(isLat ? lat : lon)) {
        throw JsonStateDecoder.duplicate(prop.jsonName + "." + key);
      }
      JsonToken t = p.nextToken();
      if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
        throw new FrameException(Reason.WRONG_TYPE, prop.jsonName + "." + key + " must be a number, not " + t);
      }
      if (isLat) {
        lat = p.getDoubleValue();
      } else {
        lon = p.getDoubleValue();
      }
    }
    if (Double.isNaN(lat) || Double.isNaN(lon)) {
      throw new FrameException(Reason.MISSING_FIELD, prop.jsonName + (Double.isNaN(lat) ? ".lat" : ".lon"));
    }
    return StateRules.position(prop, lat, lon);
  }

  /** The canonical label, compared on the parser's characters so a valid label allocates nothing. */
  private static String label(JsonParser p, Property prop) throws IOException {
    char[] buf = p.getTextCharacters();
    int off = p.getTextOffset();
    int len = p.getTextLength();
    if (same(prop.oneLabel, buf, off, len)) {
      return prop.oneLabel;
    }
    if (same(prop.zeroLabel, buf, off, len)) {
      return prop.zeroLabel;
    }
    throw new FrameException(Reason.OUT_OF_RANGE, prop.jsonName + " "
        + StateRules.quote(new String(buf, off, len)) + " is neither " + prop.oneLabel + " nor " + prop.zeroLabel);
  }

  private static boolean same(String label, char[] buf, int off, int len) {
    if (label.length() != len) {
      return false;
    }
    for (int i = 0; i < len; i++) {
      if (label.charAt(i) != buf[off + i]) {
        return false;
      }
    }
    return true;
  }

  private static FrameException wrongType(Property prop, String expected, JsonToken t) {
    return new FrameException(Reason.WRONG_TYPE, prop.jsonName + " must be " + expected + ", not " + t);
  }
}
