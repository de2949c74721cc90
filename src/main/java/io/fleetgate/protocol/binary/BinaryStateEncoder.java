package io.fleetgate.protocol.binary;

import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;

/**
 * {@link StateFrame} to the binary state payload, the inverse of {@link BinaryStateDecoder}: each value is
 * rounded to its raw unit (raw = round(value × scale)). For the simulator and tests; the gateway only decodes.
 *
 * @throws IllegalArgumentException (every method) for a frame the payload cannot carry: no or an over-large
 *     seq, readings captured at another time than the frame, a value that does not fit its raw encoding
 */
public final class BinaryStateEncoder {
  private BinaryStateEncoder() {}

  public static byte[] encode(StateFrame frame) {
    byte[] out = new byte[encodedLength(frame)];
    encode(frame, Unpooled.wrappedBuffer(out).writerIndex(0));
    return out;
  }

  /** Writes the payload at {@code out}'s writer index and advances it. */
  public static ByteBuf encode(StateFrame frame, ByteBuf out) {
    List<Reading> readings = frame.readings();
    if (frame.seq() < 0 || frame.seq() > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("binary seq is a u32, not " + frame.seq());
    }
    if (frame.timestampMs() < 0) {
      throw new IllegalArgumentException("timestamp before the epoch");
    }
    if (readings.size() > 255) {
      throw new IllegalArgumentException(readings.size() + " readings, a payload carries at most 255");
    }
    out.writeByte(BinaryStateDecoder.VERSION);
    out.writeLong(frame.timestampMs());
    out.writeInt((int) frame.seq());
    out.writeByte(readings.size());
    for (Reading r : readings) {
      Property p = r.property();
      if (r.timestampMs() != frame.timestampMs()) {
        throw new IllegalArgumentException(p.jsonName + " captured at " + r.timestampMs()
            + ", the binary payload has one time for all readings: " + frame.timestampMs());
      }
      out.writeByte(p.id);
      out.writeByte(p.encoding.length);
      writeValue(out, p, r.value());
    }
    return out;
  }

  public static int encodedLength(StateFrame frame) {
    int n = BinaryStateDecoder.HEADER_LENGTH;
    for (Reading r : frame.readings()) {
      n += 2 + r.property().encoding.length;
    }
    return n;
  }

  private static void writeValue(ByteBuf out, Property p, Object value) {
    switch (p.kind) {
      case POSITION -> {
        Position pos = (Position) value;
        out.writeInt((int) Math.round(pos.lat() * 1e7));
        out.writeInt((int) Math.round(pos.lon() * 1e7));
      }
      case ENUM -> out.writeByte(flag(p, p.oneLabel.equals(value), p.zeroLabel.equals(value), value));
      case BOOLEAN -> out.writeByte(flag(p, Boolean.TRUE.equals(value), Boolean.FALSE.equals(value), value));
      case NUMBER -> {
        long raw = Math.round((Double) value * p.scale);
        switch (p.encoding) {
          case I16 -> out.writeShort((int) fit(p, raw, Short.MIN_VALUE, Short.MAX_VALUE, value));
          case U16 -> out.writeShort((int) fit(p, raw, 0, 0xFFFF, value));
          case U32 -> out.writeInt((int) fit(p, raw, 0, 0xFFFF_FFFFL, value));
          case U8 -> out.writeByte((int) fit(p, raw, 0, 0xFF, value));
          default -> throw new IllegalStateException(p.encoding.name());
        }
      }
      default -> throw new IllegalStateException(p.kind.name());
    }
  }

  private static int flag(Property p, boolean one, boolean zero, Object value) {
    if (one) {
      return 1;
    }
    if (zero) {
      return 0;
    }
    throw new IllegalArgumentException(p.jsonName + " value " + value + " has no binary flag");
  }

  private static long fit(Property p, long raw, long min, long max, Object value) {
    if (raw < min || raw > max) {
      throw new IllegalArgumentException(p.jsonName + " " + value + " does not fit its binary " + p.encoding);
    }
    return raw;
  }
}
