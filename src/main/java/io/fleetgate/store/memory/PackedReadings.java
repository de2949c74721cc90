package io.fleetgate.store.memory;

import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Readings packed into one byte array, exactly (doubles bit for bit, labels as their canonical instances), for
 * the in-memory history. A recorded state lives for minutes in its ring: as objects (readings, boxed doubles,
 * positions, list) it was some thirty objects per entry that every young collection copied until they were
 * promoted, and those copies were most of the gateway's garbage-collection pauses. Packed, an entry is one
 * array. Per reading: property id (1 byte), timestamp (8), value (position 16, number 8, label or boolean 1).
 */
final class PackedReadings {
  private PackedReadings() {}

  static byte[] pack(List<Reading> readings) {
    int size = 0;
    for (int i = 0; i < readings.size(); i++) {
      size += 9 + valueLength(readings.get(i).property());
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    for (int i = 0; i < readings.size(); i++) {
      Reading r = readings.get(i);
      Property p = r.property();
      out.put((byte) p.id).putLong(r.timestampMs());
      switch (p.kind) {
        case POSITION -> {
          Position pos = (Position) r.value();
          out.putDouble(pos.lat()).putDouble(pos.lon());
        }
        case NUMBER -> out.putDouble((Double) r.value());
        case BOOLEAN -> out.put((byte) ((Boolean) r.value() ? 1 : 0));
        case ENUM -> out.put((byte) (p.oneLabel.equals(r.value()) ? 1 : 0));
      }
    }
    return out.array();
  }

  static List<Reading> unpack(byte[] packed) {
    ByteBuffer in = ByteBuffer.wrap(packed);
    List<Reading> out = new ArrayList<>(packed.length / 10 + 1);
    while (in.hasRemaining()) {
      Property p = Property.byId(in.get() & 0xFF);
      long ts = in.getLong();
      Object value = switch (p.kind) {
        case POSITION -> new Position(in.getDouble(), in.getDouble());
        case NUMBER -> in.getDouble();
        case BOOLEAN -> in.get() == 1;
        case ENUM -> in.get() == 1 ? p.oneLabel : p.zeroLabel;
      };
      out.add(new Reading(p, ts, value));
    }
    return List.copyOf(out);
  }

  private static int valueLength(Property p) {
    return switch (p.kind) {
      case POSITION -> 16;
      case NUMBER -> 8;
      case BOOLEAN, ENUM -> 1;
    };
  }
}
