package io.fleetgate.protocol.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Readings to JSON: the REST representation ({@code {"central_lock": {"timestamp": "…Z", "value": "LOCKED"}}})
 * and the device's JSON state frame (for the simulator). Whole numbers are written without {@code .0}.
 */
public final class StateJson {
  /** Doubles below this magnitude that are whole are written as integers (exact in a long and a double). */
  private static final double INTEGRAL_LIMIT = 1L << 53;

  private StateJson() {}

  /** {@code {"<property>": {"timestamp": "<ISO-8601 Z>", "value": <value>}, …}} in the readings' order. */
  public static JsonObject toJson(List<Reading> readings) {
    JsonObject out = new JsonObject();
    for (Reading r : readings) {
      out.put(r.property().jsonName,
          new JsonObject().put("timestamp", Iso8601.format(r.timestampMs())).put("value", value(r.value())));
    }
    return out;
  }

  /**
   * The same JSON as {@link #toJson}, written straight to {@code g} (no tree of maps in between: the synchronous
   * command's answer carries the whole state, and building it as a {@link JsonObject} was a third of that
   * request's allocation).
   */
  public static void writeState(JsonGenerator g, List<Reading> readings) throws IOException {
    g.writeStartObject();
    for (Reading r : readings) {
      g.writeObjectFieldStart(r.property().jsonName);
      g.writeStringField("timestamp", Iso8601.format(r.timestampMs()));
      g.writeFieldName("value");
      writeValue(g, r.value());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  /**
   * The answer to a synchronous command, {@code {"command_id": …, "status": …, "state": {…}}}, as UTF-8 bytes
   * (the same JSON the {@link JsonObject} form would give).
   */
  public static byte[] commandAnswer(String commandId, String status, List<Reading> state) {
    try (ByteArrayBuilder out = new ByteArrayBuilder(1024);
        JsonGenerator g = JsonStateDecoder.FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("command_id", commandId);
      g.writeStringField("status", status);
      g.writeFieldName("state");
      writeState(g, state);
      g.writeEndObject();
      g.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A reading's value as a JSON-ready object: Position → {lat, lon}, whole Double → Long. */
  public static Object value(Object value) {
    if (value instanceof Double d) {
      return number(d);
    }
    if (value instanceof Position pos) {
      return new JsonObject().put("lat", number(pos.lat())).put("lon", number(pos.lon()));
    }
    return value; // canonical label String or Boolean
  }

  /**
   * A JSON state frame the decoder accepts: {@code ts}, {@code seq} (unless {@link StateFrame#NO_SEQ}) and
   * {@code state}; a reading captured at another time than the frame carries its own {@code timestamp}.
   */
  public static byte[] encodeFrame(StateFrame frame) {
    try (ByteArrayBuilder out = new ByteArrayBuilder(256);
        JsonGenerator g = JsonStateDecoder.FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("ts", Iso8601.format(frame.timestampMs()));
      if (frame.seq() != StateFrame.NO_SEQ) {
        g.writeNumberField("seq", frame.seq());
      }
      g.writeObjectFieldStart("state");
      for (Reading r : frame.readings()) {
        g.writeFieldName(r.property().jsonName);
        if (r.timestampMs() == frame.timestampMs()) {
          writeValue(g, r.value());
        } else {
          g.writeStartObject();
          g.writeFieldName("value");
          writeValue(g, r.value());
          g.writeStringField("timestamp", Iso8601.format(r.timestampMs()));
          g.writeEndObject();
        }
      }
      g.writeEndObject();
      g.writeEndObject();
      g.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeValue(JsonGenerator g, Object value) throws IOException {
    if (value instanceof Double d) {
      writeNumber(g, d);
    } else if (value instanceof Position pos) {
      g.writeStartObject();
      g.writeFieldName("lat");
      writeNumber(g, pos.lat());
      g.writeFieldName("lon");
      writeNumber(g, pos.lon());
      g.writeEndObject();
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof String s) {
      g.writeString(s);
    } else {
      throw new IllegalArgumentException("not a reading value: " + value);
    }
  }

  private static void writeNumber(JsonGenerator g, double v) throws IOException {
    if (isWhole(v)) {
      g.writeNumber((long) v);
    } else {
      g.writeNumber(v);
    }
  }

  private static Object number(double v) {
    return isWhole(v) ? (Object) (long) v : (Object) v;
  }

  private static boolean isWhole(double v) {
    return v == Math.rint(v) && Math.abs(v) < INTEGRAL_LIMIT;
  }
}
