package io.fleetgate.api;

import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code GET /events/stream} over real HTTP: who gets which event, filters, errors, flow ids, order. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventStreamApiTest {
  static final Permission[] ALL = {Permission.VEHICLES, Permission.VEHICLE_LIFECYCLE, Permission.FLEETSHARE,
      Permission.VEHICLE_COMMANDS, Permission.EVENTS};
  static TestGateway gw;
  static VehicleApi api;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
    api = new VehicleApi(gw);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** Owner and partner (partnered by the admin) and a stranger, each with a token of every fleet permission. */
  record Fleets(String owner, String partner, String stranger, String ownerToken, String partnerToken, String strangerToken) {}

  static Fleets fleets() throws Exception {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    Fleets f = new Fleets("own-" + tag, "par-" + tag, "str-" + tag,
        gw.token("own-" + tag, ALL), gw.token("par-" + tag, ALL), gw.token("str-" + tag, ALL));
    HttpResponse<Buffer> r = api.post(gw.adminToken(), "/partnerships",
        new JsonObject().put("fleet_ids", new JsonArray().add(f.owner).add(f.partner)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return f;
  }

  static String car(String token) throws Exception {
    return api.add(token, VehicleApi.newVehicle().put("vehicle_model_id", "vw-golf-8-retrofit")).getString("id");
  }

  static void mileage(String vehicleId, long at, double km) throws Exception {
    TestGateway.await(gw.gateway.ingest.apply(vehicleId, List.of(new Reading(Property.MILEAGE_IN_KILOMETERS, at, km)), at));
  }

  static double mileageOf(SseClient.Sse e) {
    return e.data().getJsonObject("state").getJsonObject("mileage_in_kilometers").getDouble("value");
  }

  @Test
  void statesReachTheOwnerAlwaysAndThePartnerOnlyWhileTheSharingIsActive() throws Exception {
    Fleets f = fleets();
    String id = car(f.ownerToken);
    long t = System.currentTimeMillis() - 60_000;
    try (SseClient owner = SseClient.open(gw, f.ownerToken, null);
         SseClient partner = SseClient.open(gw, f.partnerToken, null);
         SseClient stranger = SseClient.open(gw, f.strangerToken, null)) {
      mileage(id, t, 1);
      HttpResponse<Buffer> shared = api.post(f.ownerToken, "/vehicles/" + id + "/sharing", new JsonObject().put("fleet_id", f.partner));
      assertEquals(200, shared.statusCode(), shared.bodyAsString());
      mileage(id, t + 1000, 2);
      HttpResponse<Buffer> ended = api.delete(f.ownerToken, "/vehicles/" + id + "/sharing");
      assertTrue(ended.statusCode() < 300, ended.bodyAsString());
      mileage(id, t + 2000, 3);
      eventually("owner's three states", () -> owner.ofType("VehicleStateRecorded").size() == 3);
      eventually("partner's sharing end", () -> partner.ofType("VehicleChanged").size() == 2);

      assertEquals(List.of(1.0, 2.0, 3.0), owner.ofType("VehicleStateRecorded").stream().map(EventStreamApiTest::mileageOf).toList());
      assertEquals(List.of("VehicleChanged", "VehicleStateRecorded", "VehicleChanged"), partner.events.stream().map(SseClient.Sse::type).toList());
      assertEquals(2.0, mileageOf(partner.ofType("VehicleStateRecorded").get(0)));
      assertEquals(List.of("SHARING_STARTED"), reasons(partner.events.get(0)));
      assertEquals(List.of("SHARING_ENDED"), reasons(partner.events.get(2)));
      assertEquals(List.of(List.of("SHARING_STARTED"), List.of("SHARING_ENDED")),
          owner.ofType("VehicleChanged").stream().map(EventStreamApiTest::reasons).toList());
      Thread.sleep(200);
      assertEquals(List.of(), stranger.events, "a fleet that never saw the vehicle hears nothing of it");

      for (SseClient.Sse e : owner.events) {
        envelopeOf(e, f.owner, id);
      }
      for (SseClient.Sse e : partner.events) {
        envelopeOf(e, f.partner, id);
      }
      Set<String> ids = new HashSet<>();
      owner.events.forEach(e -> ids.add(e.id()));
      partner.events.forEach(e -> ids.add(e.id()));
      assertEquals(owner.events.size() + partner.events.size(), ids.size(), "message ids are unique per delivered message");
      // the same cause, two recipients: one flow id
      assertEquals(owner.ofType("VehicleChanged").get(0).metadata().getString("flow_id"),
          partner.ofType("VehicleChanged").get(0).metadata().getString("flow_id"));
    }
  }

  static List<String> reasons(SseClient.Sse e) {
    return e.data().getJsonArray("reasons").stream().map(Object::toString).toList();
  }

  static void envelopeOf(SseClient.Sse e, String fleet, String vehicleId) {
    JsonObject m = e.metadata();
    assertEquals(e.id(), m.getString("message_id"));
    assertEquals(e.event(), m.getString("type"));
    assertTrue(m.getString("message_id").matches("[0-9A-HJKMNP-TV-Z]{26}"), m.encode());
    assertEquals("1.0.0", m.getString("version"));
    assertEquals(fleet, m.getString("fleet_id"));
    assertTrue(m.getString("occurred_at").endsWith("Z"), m.encode());
    assertTrue(m.getString("flow_id") != null && !m.getString("flow_id").isEmpty());
    assertEquals(vehicleId, e.data().getString("vehicle_id"));
  }

  @Test
  void requestsGiveTheirFlowIdAndTheVehicleAsTheRecipientSeesIt() throws Exception {
    Fleets f = fleets();
    try (SseClient owner = SseClient.open(gw, f.ownerToken, null)) {
      String addFlow = UUID.randomUUID().toString();
      HttpResponse<Buffer> added = TestGateway.await(gw.http.post("/vehicles").putHeader("Authorization", "Bearer " + f.ownerToken)
          .putHeader(FlowIds.HEADER, addFlow).sendJsonObject(VehicleApi.newVehicle().put("vehicle_model_id", "vw-golf-8-retrofit")));
      assertEquals(201, added.statusCode(), added.bodyAsString());
      String id = added.bodyAsJsonObject().getString("id");
      String patchFlow = UUID.randomUUID().toString();
      HttpResponse<Buffer> patched = TestGateway.await(gw.http.request(io.vertx.core.http.HttpMethod.PATCH, "/vehicles/" + id)
          .putHeader("Authorization", "Bearer " + f.ownerToken).putHeader(FlowIds.HEADER, patchFlow)
          .putHeader("Content-Type", "application/merge-patch+json")
          .sendBuffer(Buffer.buffer(new JsonObject().put("operation_status", new JsonObject().put("value", "MAINTENANCE")).put("tags", new JsonArray().add("x")).encode())));
      assertEquals(200, patched.statusCode(), patched.bodyAsString());
      eventually("added and changed", () -> owner.events.size() == 2);

      SseClient.Sse a = owner.events.get(0);
      assertEquals("VehicleAdded", a.type());
      assertEquals(addFlow, a.metadata().getString("flow_id"));
      assertEquals(id, a.data().getJsonObject("vehicle").getString("id"));
      SseClient.Sse c = owner.events.get(1);
      assertEquals("VehicleChanged", c.type());
      assertEquals(patchFlow, c.metadata().getString("flow_id"));
      assertEquals(List.of("MASTER_DATA_CHANGED", "OPERATION_STATUS_CHANGED"), reasons(c));
      assertEquals("MAINTENANCE", c.data().getJsonObject("vehicle").getJsonObject("operation_status").getString("value"));
    }
  }

  @Test
  void filtersByTypeAndVehicle() throws Exception {
    Fleets f = fleets();
    String one = car(f.ownerToken);
    String other = car(f.ownerToken);
    long t = System.currentTimeMillis() - 60_000;
    try (SseClient filtered = SseClient.open(gw, f.ownerToken, "types=VehicleChanged&vehicle_id=" + one.toLowerCase());
         SseClient states = SseClient.open(gw, f.ownerToken, "types=VehicleStateRecorded,VehicleRemoved");
         SseClient all = SseClient.open(gw, f.ownerToken, "")) {
      mileage(one, t, 1);
      mileage(other, t, 1);
      api.patch(f.ownerToken, "/vehicles/" + other, new JsonObject().put("tags", new JsonArray().add("a")));
      api.patch(f.ownerToken, "/vehicles/" + one, new JsonObject().put("tags", new JsonArray().add("b")));
      assertEquals(204, api.delete(f.ownerToken, "/vehicles/" + other).statusCode());
      eventually("all five", () -> all.events.size() == 5);
      eventually("filtered", () -> filtered.events.size() == 1);
      eventually("states", () -> states.events.size() == 3);
      assertEquals(one, filtered.events.get(0).data().getString("vehicle_id"));
      assertEquals("VehicleChanged", filtered.events.get(0).type());
      assertEquals(List.of("VehicleStateRecorded", "VehicleStateRecorded", "VehicleRemoved"),
          states.events.stream().map(SseClient.Sse::type).toList());
      Thread.sleep(100);
      assertEquals(1, filtered.events.size());
    }
  }

  @Test
  void badFiltersPermissionsAndTooManyStreamsAreProblems() throws Exception {
    Fleets f = fleets();
    String theirs = car(f.strangerToken);
    VehicleApi.assertProblem(api.get(f.ownerToken, "/events/stream?types=VehicleStateRecorded,NoSuchEvent"), 400, "validation-error");
    VehicleApi.assertProblem(api.get(f.ownerToken, "/events/stream?vehicle_id=" + theirs), 404, "resource-not-found");
    VehicleApi.assertProblem(api.get(f.ownerToken, "/events/stream?vehicle_id=nonsense"), 404, "resource-not-found");
    VehicleApi.assertProblem(api.get(gw.token(f.owner, Permission.VEHICLES), "/events/stream"), 403, "missing-permissions");
    List<SseClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        open.add(SseClient.open(gw, f.ownerToken, null));
      }
      VehicleApi.assertProblem(api.get(f.ownerToken, "/events/stream"), 429, "too-many-requests");
      SseClient.open(gw, f.partnerToken, null).close(); // another client is not affected
    } finally {
      open.forEach(SseClient::close);
    }
    eventually("a closed stream gives its place back", () -> gw.gateway.sse.streams(f.owner) == 0);
    SseClient.open(gw, f.ownerToken, null).close();
  }

  @Test
  void commandStatusGoesOnlyToTheFleetThatSentIt() throws Exception {
    Fleets f = fleets();
    String id = car(f.ownerToken);
    assertEquals(200, api.post(f.ownerToken, "/vehicles/" + id + "/sharing", new JsonObject().put("fleet_id", f.partner)).statusCode());
    try (SseClient partner = SseClient.open(gw, f.partnerToken, "types=VehicleCommandStatusChanged");
         SseClient owner = SseClient.open(gw, f.ownerToken, "types=VehicleCommandStatusChanged,VehicleStateRecorded")) {
      // while shared, only the partner may command the vehicle
      HttpResponse<Buffer> sent = TestGateway.await(gw.http.post("/vehicles/" + id + "/commands/lock-central-lock")
          .putHeader("Authorization", "Bearer " + f.partnerToken).putHeader("Prefer", "respond-async").send());
      assertEquals(202, sent.statusCode(), sent.bodyAsString());
      String commandId = sent.bodyAsJsonObject().getString("command_id");
      assertEquals(204, api.delete(f.partnerToken, "/vehicles/" + id + "/commands/" + commandId).statusCode());
      eventually("queued and canceled", () -> partner.events.size() == 2);
      assertEquals(List.of("QUEUED", "CANCELED"), partner.events.stream().map(e -> e.data().getString("status")).toList());
      SseClient.Sse e = partner.events.get(0);
      assertEquals(commandId, e.data().getString("command_id"));
      assertEquals("LOCK_CENTRAL_LOCK", e.data().getString("command"));
      assertEquals(f.partner, e.metadata().getString("fleet_id"));
      assertTrue(e.data().containsKey("detail"));
      mileage(id, System.currentTimeMillis() - 1000, 5);
      eventually("owner sees the state", () -> owner.events.size() == 1);
      assertEquals("VehicleStateRecorded", owner.events.get(0).type(), "and no command status of the partner's");
    }
  }

  @Test
  void eventsOfOneVehicleArriveInTheOrderTheyWereApplied() throws Exception {
    Fleets f = fleets();
    String id = car(f.ownerToken);
    long t = System.currentTimeMillis() - 600_000;
    try (SseClient owner = SseClient.open(gw, f.ownerToken, "vehicle_id=" + id)) {
      for (int i = 1; i <= 300; i++) {
        mileage(id, t + i, i);
        if (i % 100 == 0) {
          api.patch(f.ownerToken, "/vehicles/" + id, new JsonObject().put("tags", new JsonArray().add("t" + i)));
        }
      }
      eventually("303 events", () -> owner.events.size() == 303);
      double last = 0;
      for (SseClient.Sse e : owner.events) {
        if (e.type().equals("VehicleStateRecorded")) {
          assertEquals(last + 1, mileageOf(e));
          last = mileageOf(e);
        } else {
          assertEquals(List.of("t" + (int) last), e.data().getJsonObject("vehicle").getJsonArray("tags").getList());
        }
      }
    }
  }
}
