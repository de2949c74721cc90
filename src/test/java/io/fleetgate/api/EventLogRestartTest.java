package io.fleetgate.api;

import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.TestClock;
import io.fleetgate.TestGateway;
import io.fleetgate.store.PgTestDatabase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * On PostgreSQL the event log survives a restart (same envelopes, same ids), events logged after it come
 * first, and the start-up sweep deletes rows past events.logRetentionDays. Always on PostgreSQL, so it
 * runs once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EventLogRestartTest {

  @Test
  void theLogSurvivesARestartAndRetentionDeletesOldRows() throws Exception {
    Assumptions.assumeFalse(PgTestDatabase.selected(), "always on PostgreSQL: runs in the default suite");
    String fleet = "logr-" + UUID.randomUUID().toString().substring(0, 8);
    try (PgTestDatabase db = PgTestDatabase.create()) {
      Map<String, Object> settings = Map.of("db.url", db.url);
      List<JsonObject> before;
      try (TestGateway gw = TestGateway.start(settings, TestClock.flowing())) {
        String token = gw.token(fleet, EventLogApiTest.ALL);
        VehicleApi api = new VehicleApi(gw);
        String a = api.add(token).getString("id");
        api.add(token);
        api.patch(token, "/vehicles/" + a, new JsonObject().put("master_data", new JsonObject().put("custom_name", "kept")));
        before = EventLogApiTest.all(gw, token, "", 100);
        assertEquals(List.of("VehicleChanged", "VehicleAdded", "VehicleAdded"), EventLogApiTest.types(before));
      }
      assertEquals(3, db.count("SELECT count(*) FROM event_log WHERE fleet_id = '" + fleet + "'"));
      // the oldest row is made 31 days old: past the default retention of 30
      String oldest = EventLogApiTest.ids(before).get(2);
      db.execute("UPDATE event_log SET occurred_at = occurred_at - " + Duration.ofDays(31).toMillis()
          + " WHERE message_id = '" + oldest + "'");

      try (TestGateway gw = TestGateway.start(settings, TestClock.flowing())) {
        eventually("the start-up sweep deleted the old row",
            () -> db.count("SELECT count(*) FROM event_log WHERE fleet_id = '" + fleet + "'") == 2);
        String token = gw.token(fleet, EventLogApiTest.ALL);
        VehicleApi api = new VehicleApi(gw);
        assertEquals(before.subList(0, 2), EventLogApiTest.all(gw, token, "", 1), "the same envelopes after the restart");
        String c = api.add(token).getString("id");
        List<JsonObject> after = EventLogApiTest.all(gw, token, "", 100);
        assertEquals(c, EventLogApiTest.vehicleOf(after.get(0)), "logged after the restart: newest");
        assertEquals(before.subList(0, 2), after.subList(1, 3));
      }
    }
  }
}
