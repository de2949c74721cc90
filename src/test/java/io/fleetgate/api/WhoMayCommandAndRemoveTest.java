package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rows of the contract's who-may-do-what table that need commands, sharing and the archive together,
 * over real HTTP: "send command" and "remove", for owner (not shared), owner while shared, partner while
 * shared, and anyone else. Units are offline, so an allowed asynchronous command is accepted as QUEUED (202).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WhoMayCommandAndRemoveTest {
  static TestGateway gw;
  static VehicleApi api;
  static String owner;
  static String partner;
  static String stranger;

  @BeforeAll
  static void start() throws Exception {
    gw = TestGateway.start();
    api = new VehicleApi(gw);
    String tag = UUID.randomUUID().toString().substring(0, 8);
    Permission[] all = {Permission.VEHICLES, Permission.VEHICLE_LIFECYCLE, Permission.FLEETSHARE, Permission.VEHICLE_COMMANDS};
    owner = gw.token("own-" + tag, all);
    partner = gw.token("par-" + tag, all);
    stranger = gw.token("str-" + tag, all);
    HttpResponse<Buffer> r = api.post(gw.adminToken(), "/partnerships",
        new JsonObject().put("fleet_ids", new JsonArray().add("own-" + tag).add("par-" + tag)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    partnerFleet = "par-" + tag;
  }

  static String partnerFleet;

  @AfterAll
  static void stop() {
    gw.close();
  }

  static HttpResponse<Buffer> command(String token, String vehicleId) {
    return await(gw.http.post("/vehicles/" + vehicleId + "/commands/lock-and-disable-driving")
        .putHeader("Authorization", "Bearer " + token).putHeader("Prefer", "respond-async").send());
  }

  static String sharedVehicle() throws Exception {
    String id = api.add(owner).getString("id");
    HttpResponse<Buffer> r = api.post(owner, "/vehicles/" + id + "/sharing", new JsonObject().put("fleet_id", partnerFleet));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return id;
  }

  @Test
  void sendCommand() throws Exception {
    String own = api.add(owner).getString("id");
    assertEquals(202, command(owner, own).statusCode(), "owner, not shared: yes");
    assertEquals(404, command(stranger, own).statusCode(), "anyone else: 404");

    String shared = sharedVehicle();
    VehicleApi.assertProblem(command(owner, shared), 409, "vehicle/shared-with-partner");
    assertEquals(202, command(partner, shared).statusCode(), "partner while shared: yes");
    assertEquals(404, command(stranger, shared).statusCode(), "anyone else: 404");
  }

  @Test
  void remove() throws Exception {
    String shared = sharedVehicle();
    VehicleApi.assertProblem(api.delete(owner, "/vehicles/" + shared), 409, "vehicle/shared-with-partner");
    VehicleApi.assertProblem(api.delete(partner, "/vehicles/" + shared), 403, "forbidden-resource");
    VehicleApi.assertProblem(api.delete(stranger, "/vehicles/" + shared), 404, "resource-not-found");

    String own = api.add(owner).getString("id");
    VehicleApi.assertProblem(api.delete(stranger, "/vehicles/" + own), 404, "resource-not-found");
    assertEquals(204, api.delete(owner, "/vehicles/" + own).statusCode(), "owner, not shared: yes");
  }

  @Test
  void endingASharingCancelsThePartnersQueuedCommands() throws Exception {
    String shared = sharedVehicle();
    HttpResponse<Buffer> queued = command(partner, shared);
    assertEquals(202, queued.statusCode(), queued.bodyAsString());
    String commandId = queued.bodyAsJsonObject().getString("command_id");

    assertEquals(204, api.delete(owner, "/vehicles/" + shared + "/sharing").statusCode());
    assertEquals(404, api.get(partner, "/vehicles/" + shared + "/commands/" + commandId).statusCode(),
        "the partner loses access at once");

    // shared again, the partner can look: its queued command was canceled when the sharing ended
    assertEquals(200, api.post(owner, "/vehicles/" + shared + "/sharing", new JsonObject().put("fleet_id", partnerFleet)).statusCode());
    HttpResponse<Buffer> after = api.get(partner, "/vehicles/" + shared + "/commands/" + commandId);
    assertEquals(200, after.statusCode(), after.bodyAsString());
    assertEquals("CANCELED", after.bodyAsJsonObject().getString("status"), after.bodyAsString());
  }
}
