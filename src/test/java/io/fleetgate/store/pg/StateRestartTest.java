package io.fleetgate.store.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.store.PgTestDatabase;
import io.fleetgate.store.memory.MemoryVehicleStore;
import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The state side of a restart on the same database: history acknowledged before the stop is there, and a
 * graceful stop writes the latest state that was still waiting for its write-behind window.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StateRestartTest {
  static final long T0 = Instant.now().toEpochMilli() - 60_000;

  static JsonObject get(TestGateway gw, String token, String uri) {
    var r = TestGateway.await(gw.http.get(uri).putHeader("Authorization", "Bearer " + token).send());
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  @Test
  void historyAndLatestStateSurviveAGracefulRestart() throws Exception {
    try (PgTestDatabase db = PgTestDatabase.create()) {
      // a window no test waits for: only the graceful stop writes the latest state
      Map<String, Object> settings = Map.of("db.url", db.url, "db.writeBehindMs", 60_000);
      TestGateway gw = TestGateway.start(settings);
      String vehicleId;
      JsonObject stateBefore;
      JsonObject vehicleBefore;
      JsonObject historyBefore;
      try {
        TestGateway.ProvisionedUnit unit = gw.provisionUnit("restart-fleet", "unit-restart-1", "secret-1", List.of(),
            List.of(Property.POSITION, Property.CENTRAL_LOCK, Property.MILEAGE_IN_KILOMETERS));
        vehicleId = unit.vehicleId();
        for (int i = 0; i < 5; i++) {
          // the future a unit's ack waits for: the row is committed once it completes
          TestGateway.await(gw.gateway.ingest.apply(vehicleId, List.of(
              new Reading(Property.POSITION, T0 + i * 1000, new Position(52.5 + i / 1000.0, 13.4)),
              new Reading(Property.MILEAGE_IN_KILOMETERS, T0 + i * 1000, 100.0 + i)), T0 + i * 1000));
          assertEquals(i + 1, db.count("SELECT count(*) FROM state_history WHERE vehicle_id = '" + vehicleId + "'"));
        }
        TestGateway.await(gw.gateway.ingest.apply(vehicleId, List.of(new Reading(Property.CENTRAL_LOCK, T0 + 9000, "LOCKED")), T0 + 9000));
        gw.gateway.ingest.setOnline(vehicleId, true, Instant.ofEpochMilli(T0 + 100));
        assertEquals(0, db.count("SELECT count(*) FROM latest_state"), "written behind, not yet");
        String token = gw.token("restart-fleet", Permission.VEHICLES_RO);
        stateBefore = get(gw, token, "/vehicles/" + vehicleId + "/state");
        vehicleBefore = get(gw, token, "/vehicles/" + vehicleId);
        historyBefore = get(gw, token, "/vehicles/" + vehicleId + "/states");
        assertEquals(6, historyBefore.getJsonArray("items").size());
      } finally {
        gw.close();
      }
      assertEquals(1, db.count("SELECT count(*) FROM latest_state WHERE vehicle_id = '" + vehicleId
          + "' AND last_contact_at = " + (T0 + 9000) + " AND online AND life_modified_at = " + (T0 + 100)),
          "the graceful stop wrote the latest state");
      assertEquals(6, db.count("SELECT count(*) FROM state_history"));

      TestGateway again = TestGateway.start(settings);
      gw = again;
      try {
        // vehicles come back from PostgreSQL once the vehicle store is durable (PgVehicleStore)
        assumeFalse(again.gateway.stores.vehicles() instanceof MemoryVehicleStore, "vehicles are not durable on this branch yet");
        String token = again.token("restart-fleet", Permission.VEHICLES_RO);
        assertEquals(stateBefore, get(gw, token, "/vehicles/" + vehicleId + "/state"));
        JsonObject vehicle = get(gw, token, "/vehicles/" + vehicleId);
        assertEquals(vehicleBefore.getValue("last_contact_at"), vehicle.getValue("last_contact_at"));
        assertEquals(stateBefore, vehicle.getJsonObject("latest_state"));
        assertEquals("OFFLINE", vehicle.getJsonObject("life_status").getString("value"));
        assertEquals(historyBefore.getJsonArray("items"), get(gw, token, "/vehicles/" + vehicleId + "/states").getJsonArray("items"));

        // archived across a restart: the restore brings the stored latest state back
        String owner = again.token("restart-fleet", Permission.VEHICLES_RO, Permission.VEHICLE_LIFECYCLE);
        assertEquals(204, TestGateway.await(again.http.delete("/vehicles/" + vehicleId).putHeader("Authorization", "Bearer " + owner).send()).statusCode());
      } finally {
        again.close();
      }
      TestGateway third = TestGateway.start(settings);
      gw = third;
      try {
        String owner = third.token("restart-fleet", Permission.VEHICLES_RO, Permission.VEHICLE_LIFECYCLE);
        var restored = TestGateway.await(third.http.post("/archived-vehicles/" + vehicleId + "/restore")
            .putHeader("Authorization", "Bearer " + owner).send());
        assertEquals(200, restored.statusCode(), restored.bodyAsString());
        assertEquals(stateBefore, get(gw, owner, "/vehicles/" + vehicleId + "/state"));
        assertEquals(6, get(gw, owner, "/vehicles/" + vehicleId + "/states").getJsonArray("items").size());
      } finally {
        third.close();
      }
    }
  }
}
