package io.fleetgate.api;

import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.RabbitVhost;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Events through the local RabbitMQ (a vhost of this run's): which fleet's queues get which event, the
 * message properties of {@code events.md}, and {@code /event-consumers}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AmqpEventsIT {
  static final Permission[] ALL = {Permission.VEHICLES, Permission.VEHICLE_LIFECYCLE, Permission.FLEETSHARE,
      Permission.VEHICLE_COMMANDS, Permission.EVENTS};
  static final List<String> TOPICS = List.of("VehicleStateRecorded", "VehicleChanged", "VehicleAdded", "VehicleRemoved",
      "VehicleCommandStatusChanged");
  static RabbitVhost rabbit;
  static TestGateway gw;
  static VehicleApi api;

  @BeforeAll
  static void start() {
    rabbit = RabbitVhost.create();
    gw = TestGateway.start(Map.of("amqp.url", rabbit.url, "amqp.maxConsumersPerFleet", 3));
    api = new VehicleApi(gw);
  }

  @AfterAll
  static void stop() {
    try {
      gw.close();
    } finally {
      rabbit.close();
    }
  }

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

  /** Creates a consumer of every topic; returns topic → queue. */
  static Map<String, String> consumer(String token) throws Exception {
    HttpResponse<Buffer> r = api.post(token, "/event-consumers", new JsonObject().put("name", "all").put("topics", new JsonArray(TOPICS)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    Map<String, String> queues = new HashMap<>();
    r.bodyAsJsonObject().getJsonArray("queues").forEach(o -> queues.put(((JsonObject) o).getString("topic"), ((JsonObject) o).getString("queue")));
    return queues;
  }

  static void mileage(String vehicleId, long at, double km) {
    TestGateway.await(gw.gateway.ingest.apply(vehicleId, List.of(new Reading(Property.MILEAGE_IN_KILOMETERS, at, km)), at));
  }

  /** Everything a consumer got so far, by topic. */
  static final class Inbox {
    final Map<String, String> queues;
    final Map<String, List<RabbitVhost.Message>> got = new HashMap<>();

    Inbox(Map<String, String> queues) {
      this.queues = queues;
      TOPICS.forEach(t -> got.put(t, new ArrayList<>()));
    }

    Inbox poll() {
      queues.forEach((topic, queue) -> got.get(topic).addAll(rabbit.drain(queue)));
      return this;
    }

    List<RabbitVhost.Message> of(String topic) {
      return got.get(topic);
    }

    int total() {
      return got.values().stream().mapToInt(List::size).sum();
    }
  }

  @Test
  void everyEventTypeReachesTheOwnerAlwaysThePartnerWhileSharedAndNobodyElse() throws Exception {
    Fleets f = fleets();
    Inbox owner = new Inbox(consumer(f.ownerToken));
    Inbox partner = new Inbox(consumer(f.partnerToken));
    Inbox stranger = new Inbox(consumer(f.strangerToken));
    long t = System.currentTimeMillis() - 60_000;

    String id = api.add(f.ownerToken, VehicleApi.newVehicle().put("vehicle_model_id", "vw-golf-8-retrofit")).getString("id");
    mileage(id, t, 1);
    assertEquals(200, api.post(f.ownerToken, "/vehicles/" + id + "/sharing", new JsonObject().put("fleet_id", f.partner)).statusCode());
    mileage(id, t + 1, 2);
    HttpResponse<Buffer> sent = TestGateway.await(gw.http.post("/vehicles/" + id + "/commands/lock-central-lock")
        .putHeader("Authorization", "Bearer " + f.partnerToken).putHeader("Prefer", "respond-async").send());
    assertEquals(202, sent.statusCode(), sent.bodyAsString());
    String commandId = sent.bodyAsJsonObject().getString("command_id");
    assertEquals(204, api.delete(f.partnerToken, "/vehicles/" + id + "/commands/" + commandId).statusCode());
    assertEquals(204, api.delete(f.ownerToken, "/vehicles/" + id + "/sharing").statusCode());
    mileage(id, t + 2, 3);
    assertEquals(204, api.delete(f.ownerToken, "/vehicles/" + id).statusCode());

    // published in this order on one channel: once the owner has the removal, everything before is routed
    eventually("the owner got the removal", 10_000, () -> !owner.poll().of("VehicleRemoved").isEmpty());
    partner.poll();
    stranger.poll();

    assertEquals(List.of(1.0, 2.0, 3.0), mileages(owner.of("VehicleStateRecorded")));
    assertEquals(List.of(2.0), mileages(partner.of("VehicleStateRecorded")), "only while shared");
    assertEquals(1, owner.of("VehicleAdded").size());
    assertEquals(0, partner.of("VehicleAdded").size());
    assertEquals(List.of("SHARING_STARTED", "SHARING_ENDED"), reasons(owner.of("VehicleChanged")));
    assertEquals(List.of("SHARING_STARTED", "SHARING_ENDED"), reasons(partner.of("VehicleChanged")));
    assertEquals(List.of("QUEUED", "CANCELED"), partner.of("VehicleCommandStatusChanged").stream()
        .map(m -> m.data().getString("status")).toList());
    assertEquals(0, owner.of("VehicleCommandStatusChanged").size(), "only the fleet that sent the command");
    assertEquals(0, partner.of("VehicleRemoved").size(), "the sharing had ended");
    assertEquals(0, stranger.total(), "a stranger gets nothing");

    // what every message carries, and that it is addressed to the queue's fleet
    for (Inbox in : List.of(owner, partner)) {
      String fleet = in == owner ? f.owner : f.partner;
      in.got.forEach((topic, messages) -> messages.forEach(m -> {
        assertEquals(fleet + "." + topic, m.routingKey());
        assertEquals("application/json", m.props().getContentType());
        assertEquals(2, m.props().getDeliveryMode());
        assertEquals(topic, m.props().getType());
        assertNotNull(m.props().getTimestamp());
        JsonObject meta = m.envelope().getJsonObject("metadata");
        assertEquals(meta.getString("message_id"), m.messageId());
        assertEquals(fleet, meta.getString("fleet_id"));
        assertEquals(topic, meta.getString("type"));
        assertEquals(fleet, m.props().getHeaders().get("fleet_id").toString());
        assertEquals(meta.getString("flow_id"), m.props().getHeaders().get("flow_id").toString());
        assertEquals("1.0.0", m.props().getHeaders().get("version").toString());
      }));
    }
  }

  static List<Double> mileages(List<RabbitVhost.Message> messages) {
    return messages.stream().map(m -> m.data().getJsonObject("state").getJsonObject("mileage_in_kilometers").getDouble("value")).toList();
  }

  static List<String> reasons(List<RabbitVhost.Message> messages) {
    List<String> out = new ArrayList<>();
    messages.forEach(m -> m.data().getJsonArray("reasons").forEach(r -> out.add((String) r)));
    return out;
  }

  @Test
  void consumersAreCreatedListedAndDeletedWithTheirQueues() throws Exception {
    Fleets f = fleets();
    HttpResponse<Buffer> r = api.post(f.ownerToken, "/event-consumers",
        new JsonObject().put("name", "billing").put("topics", new JsonArray().add("VehicleStateRecorded").add("VehicleAdded")));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject c = r.bodyAsJsonObject();
    String id = c.getString("consumer_id");
    assertEquals("/event-consumers/" + id, r.getHeader("Location"));
    assertEquals("billing", c.getString("name"));
    assertEquals(new JsonArray().add("VehicleStateRecorded").add("VehicleAdded"), c.getJsonArray("topics"));
    String queue = "fleetgate." + f.owner + "." + id + ".VehicleStateRecorded";
    assertEquals(new JsonArray()
        .add(new JsonObject().put("topic", "VehicleStateRecorded").put("queue", queue))
        .add(new JsonObject().put("topic", "VehicleAdded").put("queue", "fleetgate." + f.owner + "." + id + ".VehicleAdded")),
        c.getJsonArray("queues"));

    String listed = RabbitVhost.ctl("list_queues", "-p", rabbit.name, "name", "durable", "arguments");
    String line = listed.lines().filter(l -> l.startsWith(queue)).findFirst().orElseThrow(() -> new AssertionError(listed));
    assertTrue(line.contains("true"), "durable: " + line);
    assertTrue(line.contains("x-expires") && line.contains("259200000"), "expires after 3 days: " + line);

    JsonObject list = api.get(f.ownerToken, "/event-consumers").bodyAsJsonObject();
    assertEquals(1, list.getJsonArray("items").size());
    assertEquals(c, list.getJsonArray("items").getJsonObject(0));
    assertEquals(0, api.get(f.partnerToken, "/event-consumers").bodyAsJsonObject().getJsonArray("items").size());

    VehicleApi.assertProblem(api.delete(f.partnerToken, "/event-consumers/" + id), 404, "resource-not-found");
    assertEquals(204, api.delete(f.ownerToken, "/event-consumers/" + id).statusCode());
    assertFalse(rabbit.queueExists(queue), "queue deleted");
    VehicleApi.assertProblem(api.delete(f.ownerToken, "/event-consumers/" + id), 404, "resource-not-found");
    assertEquals(0, api.get(f.ownerToken, "/event-consumers").bodyAsJsonObject().getJsonArray("items").size());
  }

  @Test
  void badRequestsLimitsAndPermissions() throws Exception {
    Fleets f = fleets();
    VehicleApi.assertInvalid(api.post(f.ownerToken, "/event-consumers", new JsonObject().put("name", "x")
        .put("topics", new JsonArray().add("NoSuchEvent"))), "/topics/0");
    VehicleApi.assertInvalid(api.post(f.ownerToken, "/event-consumers", new JsonObject().put("name", "x")
        .put("topics", new JsonArray())), "/topics");
    VehicleApi.assertInvalid(api.post(f.ownerToken, "/event-consumers", new JsonObject().put("name", "x")
        .put("topics", new JsonArray().add("VehicleAdded").add("VehicleAdded"))), "/topics/1");
    VehicleApi.assertInvalid(api.post(f.ownerToken, "/event-consumers", new JsonObject()
        .put("topics", new JsonArray().add("VehicleAdded"))), "/name");
    VehicleApi.assertInvalid(api.post(f.ownerToken, "/event-consumers", new JsonObject().put("name", "x")
        .put("topics", new JsonArray().add("VehicleAdded")).put("extra", 1)), "/extra");
    VehicleApi.assertProblem(api.get(gw.token(f.owner, Permission.VEHICLES), "/event-consumers"), 403, "missing-permissions");
    VehicleApi.assertProblem(api.get(gw.token(null, Permission.EVENTS), "/event-consumers"), 403, "forbidden-resource");

    JsonObject one = new JsonObject().put("name", "n").put("topics", new JsonArray().add("VehicleAdded"));
    for (int i = 0; i < 3; i++) {
      assertEquals(201, api.post(f.strangerToken, "/event-consumers", one).statusCode());
    }
    VehicleApi.assertProblem(api.post(f.strangerToken, "/event-consumers", one), 409, "conflict");
    assertEquals(201, api.post(f.partnerToken, "/event-consumers", one).statusCode(), "the limit is per fleet");
  }

  @Test
  void aConfirmedEventIsInTheQueueBeforeTheFrameIsAcknowledged() throws Exception {
    Fleets f = fleets();
    String queue = consumer(f.ownerToken).get("VehicleStateRecorded");
    TestGateway.ProvisionedUnit u = gw.provisionUnit(f.owner, "AMQPUNIT" + UUID.randomUUID().toString().substring(0, 8),
        "unit-password-0123", io.fleetgate.vehicle.Capabilities.ALL_COMMANDS, List.of(Property.values()));
    com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient c = com.hivemq.client.mqtt.MqttClient.builder().useMqttVersion3()
        .identifier(u.unitId()).serverHost("127.0.0.1").serverPort(gw.gateway.mqttPort()).buildBlocking();
    c.connectWith().simpleAuth().username(u.unitId()).password("unit-password-0123".getBytes()).applySimpleAuth().send();
    try {
      for (int i = 1; i <= 20; i++) {
        String frame = "{\"ts\": \"" + java.time.Instant.now() + "\", \"seq\": " + i
            + ", \"state\": {\"mileage_in_kilometers\": {\"value\": " + i + ", \"timestamp\": \"" + java.time.Instant.now().minusSeconds(1) + "\"}}}";
        c.publishWith().topic("units/" + u.unitId() + "/state").qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE)
            .payload(frame.getBytes()).send(); // returns on PUBACK
        List<RabbitVhost.Message> got = rabbit.drain(queue);
        assertEquals(1, got.size(), "frame " + i + ": its event is in the queue when the PUBACK arrives");
        assertEquals((double) i, mileages(got).get(0));
      }
    } finally {
      c.disconnect();
    }
    assertTrue(gw.gateway.metrics.scrape().contains("fleetgate_amqp_confirmed_total"));
  }
}
