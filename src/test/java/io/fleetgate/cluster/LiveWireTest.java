package io.fleetgate.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.VehicleLive;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A vehicle's live side crosses nodes exactly: every property kind, its capture time, life status, last contact. */
class LiveWireTest {

  @Test
  void everyPropertyKindRoundTripsExactly() {
    List<Reading> readings = new ArrayList<>();
    long t = 1_733_000_000_123L;
    for (Property p : Property.values()) {
      Object value = switch (p.kind) {
        case POSITION -> new Position(52.520008, 13.404954);
        case NUMBER -> p.min + (p.max - p.min) / 3;
        case ENUM -> p.zeroLabel;
        case BOOLEAN -> Boolean.TRUE;
      };
      readings.add(new Reading(p, t++, value));
    }
    VehicleLive live = VehicleLive.of(readings, new VehicleLive.LifeStatus(true, Instant.ofEpochMilli(1_733_000_000_000L)), t);
    // through JSON text, as between two nodes
    JsonObject wire = new JsonObject(ClusteredLiveReads.encode(live).encode());
    assertEquals(readings, ClusteredLiveReads.readings(wire.getJsonArray("state")));
    assertEquals(true, wire.getBoolean("online"));
    assertEquals(1_733_000_000_000L, wire.getLong("since"));
    assertEquals(t, wire.getLong("contact"));
  }
}
