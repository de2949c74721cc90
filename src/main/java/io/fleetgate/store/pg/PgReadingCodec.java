package io.fleetgate.store.pg;

import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayList;
import java.util.List;

/**
 * Readings as the {@code bytea} of the state tables: a version byte (1), then per reading its property's
 * protocol id (1 byte), capture time (epoch ms, 8 bytes) and value: a position as two doubles (lat, lon), a
 * number as a double, an enum as 1 (the property's one-label) or 0, a boolean as 1 or 0. Big-endian. Exact:
 * a value read back equals the one written. Smaller and cheaper to produce than jsonb on the ingest path.
 */
final class PgReadingCodec {
  static final int VERSION = 1;

  private PgReadingCodec() {}

  static Buffer encode(List<Reading> readings) {
    int size = 1;
    for (int i = 0, n = readings.size(); i < n; i++) {
      size += 9 + valueLength(readings.get(i).property().kind);
    }
    ByteBuf buf = Unpooled.buffer(size, size);
    buf.writeByte(VERSION);
    for (int i = 0, n = readings.size(); i < n; i++) {
      Reading r = readings.get(i);
      Property p = r.property();
      buf.writeByte(p.id);
      buf.writeLong(r.timestampMs());
      switch (p.kind) {
        case POSITION -> {
          Position pos = (Position) r.value();
          buf.writeDouble(pos.lat());
          buf.writeDouble(pos.lon());
        }
        case NUMBER -> buf.writeDouble(((Number) r.value()).doubleValue());
        case ENUM -> buf.writeByte(p.oneLabel.equals(r.value()) ? 1 : 0);
        case BOOLEAN -> buf.writeByte(Boolean.TRUE.equals(r.value()) ? 1 : 0);
      }
    }
    return BufferInternal.buffer(buf);
  }

  /** The readings of a stored value; fails with {@link IllegalArgumentException} on a value it cannot read. */
  static List<Reading> decode(Buffer stored) {
    ByteBuf buf = ((BufferInternal) stored).getByteBuf();
    if (!buf.isReadable() || buf.readByte() != VERSION) {
      throw new IllegalArgumentException("stored readings: unknown format");
    }
    List<Reading> out = new ArrayList<>(Math.max(1, buf.readableBytes() / 17));
    while (buf.isReadable()) {
      Property p = Property.byId(buf.readUnsignedByte());
      if (p == null || buf.readableBytes() < 8 + valueLength(p.kind)) {
        throw new IllegalArgumentException("stored readings: unknown property or truncated value");
      }
      long ts = buf.readLong();
      Object value = switch (p.kind) {
        case POSITION -> new Position(buf.readDouble(), buf.readDouble());
        case NUMBER -> buf.readDouble();
        case ENUM -> buf.readByte() == 1 ? p.oneLabel : p.zeroLabel;
        case BOOLEAN -> buf.readByte() == 1;
      };
      out.add(new Reading(p, ts, value));
    }
    return out;
  }

  private static int valueLength(Property.Kind kind) {
    return switch (kind) {
      case POSITION -> 16;
      case NUMBER -> 8;
      case ENUM, BOOLEAN -> 1;
    };
  }
}
