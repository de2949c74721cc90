package io.fleetgate.protocol.binary;

import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.FrameException.Reason;
import io.fleetgate.protocol.StateRules;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Collections;

/**
 * The contract's binary state payload (big-endian) to a validated {@link StateFrame}:
 *
 * <pre>
 * u8 version = 1 | u64 timestamp ms | u32 seq | u8 count | count × {u8 id, u8 len, len bytes value}
 * </pre>
 *
 * <p>Reads with absolute {@code get*} over {@code [index, index+length)} and never moves the buffer's indices
 * or copies, so the TCP codec can decode the payload in place inside a STATE or COMMAND_RESULT frame. An
 * unknown id is skipped by its length and counted; everything else wrong rejects the whole payload.
 */
public final class BinaryStateDecoder {
  public static final int VERSION = 1;
  /** version, timestamp, seq, count. */
  public static final int HEADER_LENGTH = 1 + 8 + 4 + 1;

  private BinaryStateDecoder() {}

  public static StateFrame decode(byte[] bytes, long nowMs) {
    return decode(bytes, 0, bytes.length, nowMs);
  }

  public static StateFrame decode(byte[] bytes, int offset, int length, long nowMs) {
    return decode(Unpooled.wrappedBuffer(bytes), offset, length, nowMs);
  }

  /** Decodes the readable bytes of {@code buf}; its reader index is left where it was. */
  public static StateFrame decode(ByteBuf buf, long nowMs) {
    return decode(buf, buf.readerIndex(), buf.readableBytes(), nowMs);
  }

  /** Decodes {@code buf[index, index+length)}, exactly one payload. Offsets in errors are relative to index. */
  public static StateFrame decode(ByteBuf buf, int index, int length, long nowMs) {
    if (length == 0) {
      throw new FrameException(Reason.EMPTY, "no bytes");
    }
    int version = buf.getUnsignedByte(index);
    if (version != VERSION) {
      throw new FrameException(Reason.UNSUPPORTED_VERSION, "version " + version);
    }
    if (length < HEADER_LENGTH) {
      throw new FrameException(Reason.TRUNCATED, "header needs " + HEADER_LENGTH + " bytes, got " + length);
    }
    long ts = StateRules.timestamp(buf.getLong(index + 1), nowMs, "timestamp");
    long seq = buf.getUnsignedInt(index + 9);
    int count = buf.getUnsignedByte(index + 13);
    int end = index + length;
    int i = index + HEADER_LENGTH;
    ArrayList<Reading> readings = new ArrayList<>(count);
    int seen = 0;
    int unknown = 0;
    for (int k = 0; k < count; k++) {
      if (end - i < 2) {
        throw new FrameException(Reason.TRUNCATED, "field " + k + " of " + count + " at offset " + (i - index));
      }
      int id = buf.getUnsignedByte(i);
      int len = buf.getUnsignedByte(i + 1);
      i += 2;
      if (end - i < len) {
        throw new FrameException(Reason.TRUNCATED,
            "field id 0x" + Integer.toHexString(id) + " needs " + len + " bytes at offset " + (i - index));
      }
      Property p = Property.byId(id);
      if (p == null) {
        unknown++;
      } else {
        if (len != p.encoding.length) {
          throw new FrameException(Reason.BAD_LENGTH,
              p.jsonName + " has length " + len + ", not " + p.encoding.length + " at offset " + (i - 1 - index));
        }
        if ((seen & p.bit) != 0) {
          throw new FrameException(Reason.DUPLICATE_PROPERTY, p.jsonName + " twice");
        }
        seen |= p.bit;
        readings.add(new Reading(p, ts, value(buf, i, p)));
      }
      i += len;
    }
    if (i != end) {
      throw new FrameException(Reason.TRAILING_BYTES, (end - i) + " bytes after field " + count);
    }
    return new StateFrame(ts, seq, Collections.unmodifiableList(readings), unknown);
  }

  private static Object value(ByteBuf buf, int i, Property p) {
    long raw;
    switch (p.encoding) {
      case POSITION:
        return StateRules.position(p, buf.getInt(i) / 1e7, buf.getInt(i + 4) / 1e7);
      case I16:
        raw = buf.getShort(i);
        break;
      case U16:
        raw = buf.getUnsignedShort(i);
        break;
      case U32:
        raw = buf.getUnsignedInt(i);
        break;
      case U8:
        raw = buf.getUnsignedByte(i);
        break;
      default:
        throw new IllegalStateException(p.encoding.name());
    }
    switch (p.kind) {
      case ENUM:
        return StateRules.label(p, (int) raw);
      case BOOLEAN:
        return StateRules.bool(p, (int) raw);
      default:
        return StateRules.number(p, p.scale == 1 ? (double) raw : raw / (double) p.scale);
    }
  }
}
