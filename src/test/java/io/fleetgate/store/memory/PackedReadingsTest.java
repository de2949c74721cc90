package io.fleetgate.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The in-memory history keeps readings packed: unpacking gives back exactly what was recorded. */
class PackedReadingsTest {

  @Test
  void everyPropertyRoundTripsExactly() {
    Random random = new Random(42);
    for (int round = 0; round < 2_000; round++) {
      List<Reading> readings = new ArrayList<>();
      for (int i = 0; i < Property.count(); i++) {
        Property p = Property.byOrdinal(i);
        if (random.nextInt(3) == 0) {
          continue; // frames carry subsets
        }
        long ts = 1_795_256_130_250L + random.nextInt(1_000_000) - 500_000;
        Object value = switch (p.kind) {
          case POSITION -> new Position(random.nextDouble() * 180 - 90, random.nextDouble() * 360 - 180);
          case NUMBER -> switch (random.nextInt(4)) {
            case 0 -> (double) random.nextInt(1000);
            case 1 -> -0.0;
            case 2 -> p.max;
            default -> random.nextDouble() * 1e6 - 5e5;
          };
          case BOOLEAN -> random.nextBoolean();
          case ENUM -> random.nextBoolean() ? p.oneLabel : p.zeroLabel;
        };
        readings.add(new Reading(p, ts, value));
      }
      List<Reading> back = PackedReadings.unpack(PackedReadings.pack(readings));
      assertEquals(readings, back); // Double.equals compares bits: -0.0 stays -0.0
      for (int i = 0; i < back.size(); i++) {
        if (back.get(i).property().kind == Property.Kind.ENUM) {
          Property p = back.get(i).property();
          assertSame(back.get(i).value().equals(p.oneLabel) ? p.oneLabel : p.zeroLabel, back.get(i).value());
        }
      }
    }
  }

  @Test
  void emptyFrame() {
    assertEquals(List.of(), PackedReadings.unpack(PackedReadings.pack(List.of())));
  }

  @Test
  void aLabelGivenAsANewStringComesBackCanonical() {
    List<Reading> in = List.of(new Reading(Property.CENTRAL_LOCK, 5L, new String("LOCKED")),
        new Reading(Property.DOORS, 6L, new String("CLOSED")));
    List<Reading> back = PackedReadings.unpack(PackedReadings.pack(in));
    assertEquals(in, back);
    assertSame(Property.CENTRAL_LOCK.oneLabel, back.get(0).value());
    assertSame(Property.DOORS.zeroLabel, back.get(1).value());
  }
}
