package io.fleetgate.command;

import static io.fleetgate.command.CommandFixture.delete;
import static io.fleetgate.command.CommandFixture.get;
import static io.fleetgate.command.CommandFixture.post;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.command.CommandFixture.Unit;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Archiving a vehicle cancels its queued commands: they end CANCELED and are never delivered. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VehicleRemovalCancelsCommandsTest {

  @Test
  void queuedCommandsOfARemovedVehicleEndCanceled() {
    try (TestGateway gw = TestGateway.start()) {
      String token = gw.token(CommandFixture.FLEET, Permission.VEHICLE_COMMANDS, Permission.VEHICLE_LIFECYCLE);
      Unit unit = CommandFixture.provision(gw);
      String base = "/vehicles/" + unit.vehicleId();

      HttpResponse<Buffer> queued = post(gw, token, base + "/commands/lock-central-lock", "", true);
      assertEquals(202, queued.statusCode(), queued::bodyAsString);
      String commandId = queued.bodyAsJsonObject().getString("command_id");
      assertEquals("QUEUED", queued.bodyAsJsonObject().getString("status"), "the unit is offline");

      HttpResponse<Buffer> removed = delete(gw, token, base);
      assertEquals(204, removed.statusCode(), removed::bodyAsString);
      HttpResponse<Buffer> restored = post(gw, token, "/archived-vehicles/" + unit.vehicleId() + "/restore", "", false);
      assertEquals(200, restored.statusCode(), restored::bodyAsString);

      HttpResponse<Buffer> after = get(gw, token, base + "/commands/" + commandId);
      assertEquals(200, after.statusCode(), after::bodyAsString);
      assertEquals("CANCELED", after.bodyAsJsonObject().getString("status"), after.bodyAsString());
    }
  }
}
