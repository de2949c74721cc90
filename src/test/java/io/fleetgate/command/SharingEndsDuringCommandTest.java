package io.fleetgate.command;

import static io.fleetgate.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.command.CommandFixture.FakeUnit;
import io.fleetgate.command.CommandFixture.Unit;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A sharing ends while the partner's synchronous command is in flight (delivered, not yet answered): the command
 * was authorized when it was sent and the unit executes it, so it ends in exactly one outcome — the unit's —
 * and the partner's request gets exactly one answer; afterwards the partner has no access.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SharingEndsDuringCommandTest {

  @Test
  void theInFlightCommandEndsOnceWithTheUnitsAnswer() throws Exception {
    try (TestGateway gw = TestGateway.start()) {
      Unit unit = CommandFixture.provision(gw);
      String owner = gw.token(CommandFixture.FLEET, Permission.FLEETSHARE, Permission.VEHICLE_COMMANDS);
      String partnerFleet = "partner-" + unit.vehicleId().toLowerCase();
      String partner = gw.token(partnerFleet, Permission.VEHICLE_COMMANDS, Permission.VEHICLES_RO);
      String base = "/vehicles/" + unit.vehicleId();
      assertEquals(201, await(gw.http.post("/partnerships").putHeader("Authorization", "Bearer " + gw.adminToken())
          .sendJsonObject(new JsonObject().put("fleet_ids", new JsonArray().add(CommandFixture.FLEET).add(partnerFleet)))).statusCode());
      assertEquals(200, await(gw.http.post(base + "/sharing").putHeader("Authorization", "Bearer " + owner)
          .sendJsonObject(new JsonObject().put("fleet_id", partnerFleet))).statusCode());

      try (FakeUnit device = new FakeUnit(gw, unit, null).subscribe()) {
        Future<HttpResponse<Buffer>> inFlight = gw.http.post(base + "/commands/request-vehicle-state")
            .putHeader("Authorization", "Bearer " + partner).send();
        JsonObject delivered = device.received.poll(10, TimeUnit.SECONDS);
        assertNotNull(delivered, "the unit received the partner's command");

        assertEquals(204, await(gw.http.delete(base + "/sharing").putHeader("Authorization", "Bearer " + owner).send()).statusCode());
        device.publishResult(new JsonObject().put("id", delivered.getString("id")).put("status", "SUCCEEDED"));

        HttpResponse<Buffer> answer = await(inFlight);
        assertEquals(200, answer.statusCode(), answer.bodyAsString());
        assertEquals("SUCCEEDED", answer.bodyAsJsonObject().getString("status"));
        assertNull(device.received.poll(300, TimeUnit.MILLISECONDS), "delivered exactly once");
        assertEquals(404, await(gw.http.get(base).putHeader("Authorization", "Bearer " + partner).send()).statusCode(),
            "the partner has no access after the sharing ended");
      }
    }
  }
}
