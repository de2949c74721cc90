package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import io.fleetgate.RabbitVhost;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code amqp.batchEvents} above 1 against the local RabbitMQ (a vhost of this class's): batch messages of one
 * fleet and type with the documented envelope and headers, every event once per recipient fleet in order per
 * vehicle, and a broker outage (the vhost's connections closed and its permission withdrawn, so the shared
 * broker keeps serving others) that loses no event of an acknowledged frame.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AmqpBatchEventsIT {
  static final int BATCH = 8;
  static final String PASSWORD = "unit-password-0123";
  static RabbitVhost rabbit;
  static TestGateway gw;
  static VehicleApi api;

  @BeforeAll
  static void start() {
    rabbit = RabbitVhost.create();
    gw = TestGateway.start(Map.of("amqp.url", rabbit.url, "amqp.batchEvents", BATCH, "amqp.batchLingerMs", 20,
        "amqp.reconnectMaxSeconds", 1));
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

  static String queue(String token, String topic) throws Exception {
    JsonObject c = api.post(token, "/event-consumers", new JsonObject().put("name", "batched").put("topics", new JsonArray().add(topic)))
        .bodyAsJsonObject();
    return c.getJsonArray("queues").getJsonObject(0).getString("queue");
  }

  /** The envelopes of batch messages, checking each message against the README's description. */
  static List<JsonObject> unpack(List<RabbitVhost.Message> messages, String fleet, String topic, int[] largest) {
    List<JsonObject> out = new ArrayList<>();
    for (RabbitVhost.Message m : messages) {
      assertEquals(fleet + "." + topic, m.routingKey());
      assertEquals("application/vnd.fleetgate.events+json", m.props().getContentType());
      assertEquals(2, m.props().getDeliveryMode());
      assertEquals(topic, m.props().getType());
      assertNotNull(m.props().getTimestamp());
      assertEquals(fleet, m.props().getHeaders().get("fleet_id").toString());
      assertEquals("1.0.0", m.props().getHeaders().get("version").toString());
      JsonArray events = m.envelope().getJsonArray("events");
      assertEquals(Set.of("events"), m.envelope().fieldNames());
      int count = ((Number) m.props().getHeaders().get("x-fleetgate-batch")).intValue();
      assertEquals(events.size(), count, "x-fleetgate-batch counts the envelopes");
      assertTrue(count >= 1 && count <= BATCH, "at most amqp.batchEvents: " + count);
      largest[0] = Math.max(largest[0], count);
      for (int i = 0; i < events.size(); i++) {
        JsonObject e = events.getJsonObject(i);
        JsonObject meta = e.getJsonObject("metadata");
        assertEquals(fleet, meta.getString("fleet_id"), "one recipient fleet per batch");
        assertEquals(topic, meta.getString("type"), "one type per batch");
        assertNotEquals(m.messageId(), meta.getString("message_id"), "the batch has its own message id");
        assertNotNull(meta.getString("flow_id"));
        out.add(e);
      }
    }
    return out;
  }

  static Map<String, List<Double>> mileagesByVehicle(List<JsonObject> envelopes) {
    Map<String, List<Double>> out = new HashMap<>();
    for (JsonObject e : envelopes) {
      JsonObject data = e.getJsonObject("data");
      out.computeIfAbsent(data.getString("vehicle_id"), k -> new ArrayList<>())
          .add(data.getJsonObject("state").getJsonObject("mileage_in_kilometers").getDouble("value"));
    }
    return out;
  }

  @Test
  void batchMessagesCarryEveryEventOncePerRecipientFleetInOrderPerVehicle() throws Exception {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    String owner = "own-" + tag;
    String partner = "par-" + tag;
    Permission[] all = {Permission.VEHICLES, Permission.VEHICLE_LIFECYCLE, Permission.FLEETSHARE, Permission.EVENTS};
    String ownerToken = gw.token(owner, all);
    String partnerToken = gw.token(partner, all);
    assertEquals(201, api.post(gw.adminToken(), "/partnerships",
        new JsonObject().put("fleet_ids", new JsonArray().add(owner).add(partner))).statusCode());
    String ownerStates = queue(ownerToken, "VehicleStateRecorded");
    String partnerStates = queue(partnerToken, "VehicleStateRecorded");
    String ownerChanges = queue(ownerToken, "VehicleChanged");
    List<String> vehicles = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      vehicles.add(api.add(ownerToken, VehicleApi.newVehicle().put("vehicle_model_id", "vw-golf-8-retrofit")).getString("id"));
    }
    String shared = vehicles.get(0);

    // 30 rounds: each round a frame of every vehicle at once (so batches form), the next round once confirmed
    long t = System.currentTimeMillis() - 60_000;
    for (int round = 1; round <= 30; round++) {
      if (round == 11) {
        assertEquals(200, api.post(ownerToken, "/vehicles/" + shared + "/sharing", new JsonObject().put("fleet_id", partner)).statusCode());
      }
      if (round == 21) {
        assertEquals(204, api.delete(ownerToken, "/vehicles/" + shared + "/sharing").statusCode());
      }
      long at = t + round;
      double km = round;
      List<Future<List<Reading>>> frames = vehicles.stream()
          .map(v -> gw.gateway.ingest.apply(v, List.of(new Reading(Property.MILEAGE_IN_KILOMETERS, at, km)), at)).toList();
      await(Future.all(frames));
    }

    // every frame above was confirmed before the loop went on: its message is routed already
    int[] largest = {0};
    Map<String, List<Double>> got = mileagesByVehicle(unpack(rabbit.drain(ownerStates), owner, "VehicleStateRecorded", largest));
    List<Double> everyRound = IntStream.rangeClosed(1, 30).mapToObj(i -> (double) i).toList();
    for (String v : vehicles) {
      assertEquals(everyRound, got.get(v), "the owner gets each of " + v + "'s events once, in order");
    }
    assertTrue(largest[0] > 1, "events were batched (largest batch " + largest[0] + ")");
    Map<String, List<Double>> partnerGot = mileagesByVehicle(unpack(rabbit.drain(partnerStates), partner, "VehicleStateRecorded", largest));
    assertEquals(Map.of(shared, IntStream.rangeClosed(11, 20).mapToObj(i -> (double) i).toList()), partnerGot,
        "the partner gets the shared vehicle's events while shared, once, in order, and nothing else");
    List<String> reasons = new ArrayList<>();
    unpack(rabbit.drain(ownerChanges), owner, "VehicleChanged", largest)
        .forEach(e -> e.getJsonObject("data").getJsonArray("reasons").forEach(r -> reasons.add((String) r)));
    assertEquals(List.of("SHARING_STARTED", "SHARING_ENDED"), reasons);
  }

  @Test
  void anOutageInBatchedModeLosesNoEventOfAnAcknowledgedFrameAndKeepsOrderPerVehicle() throws Exception {
    String fleet = "outb-" + UUID.randomUUID().toString().substring(0, 8);
    String queue = queue(gw.token(fleet, Permission.EVENTS), "VehicleStateRecorded");
    AtomicBoolean sending = new AtomicBoolean(true);
    Map<String, NavigableSet<Integer>> acked = new HashMap<>();
    List<Thread> senders = new ArrayList<>();
    List<Mqtt3AsyncClient> clients = new ArrayList<>();
    long base = System.currentTimeMillis() - 120_000;
    for (int n = 0; n < 3; n++) {
      TestGateway.ProvisionedUnit u = gw.provisionUnit(fleet, "OUTB" + n + UUID.randomUUID().toString().substring(0, 6).toUpperCase(),
          PASSWORD, Capabilities.ALL_COMMANDS, Arrays.asList(Property.values()));
      NavigableSet<Integer> mine = new ConcurrentSkipListSet<>();
      acked.put(u.vehicleId(), mine);
      Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3().identifier(u.unitId()).serverHost("127.0.0.1")
          .serverPort(gw.gateway.mqttPort()).buildAsync();
      c.connectWith().keepAlive(120).simpleAuth().username(u.unitId()).password(PASSWORD.getBytes(StandardCharsets.UTF_8))
          .applySimpleAuth().send().get(10, TimeUnit.SECONDS);
      clients.add(c);
      Semaphore window = new Semaphore(16);
      Thread sender = new Thread(() -> {
        for (int i = 1; sending.get(); i++) {
          try {
            window.acquire();
            int seq = i;
            c.publishWith().topic("units/" + u.unitId() + "/state").qos(MqttQos.AT_LEAST_ONCE).payload(frame(base, seq)).send()
                .whenComplete((ok, err) -> {
                  if (err == null) {
                    mine.add(seq);
                  }
                  window.release();
                });
            Thread.sleep(3);
          } catch (InterruptedException e) {
            return;
          }
        }
        window.acquireUninterruptibly(16); // every frame sent has its outcome
      }, "batched-unit-" + n);
      senders.add(sender);
      sender.start();
    }

    eventually("frames acknowledged before the outage", 10_000, () -> total(acked) > 100);
    // the outage, for this vhost only: its connections closed and new ones refused until the permission is back
    RabbitVhost.ctl("clear_permissions", "-p", rabbit.name, "guest");
    int ackedWhileDown;
    try {
      RabbitVhost.ctl("close_all_connections", "-p", rabbit.name, "test outage");
      eventually("not ready while the broker refuses us", 15_000,
          () -> await(gw.http.get("/health/ready").send()).statusCode() == 503);
      int settled = total(acked);
      Thread.sleep(1_500);
      ackedWhileDown = total(acked) - settled;
    } finally {
      RabbitVhost.ctl("set_permissions", "-p", rabbit.name, "guest", ".*", ".*", ".*");
    }
    eventually("ready again", 30_000, () -> await(gw.http.get("/health/ready").send()).statusCode() == 200);
    int ackedBefore = total(acked);
    eventually("frames acknowledged again after the outage", 15_000, () -> total(acked) > ackedBefore + 100);
    sending.set(false);
    for (Thread s : senders) {
      s.join(30_000);
    }
    clients.forEach(Mqtt3AsyncClient::disconnect);
    assertEquals(0, ackedWhileDown, "no PUBACK while the broker was unreachable");

    Map<String, List<Integer>> seen = new HashMap<>();
    Set<String> ids = new HashSet<>();
    int[] largest = {0};
    eventually("every acknowledged frame's event arrived", 30_000, () -> {
      for (JsonObject e : unpack(rabbit.drain(queue), fleet, "VehicleStateRecorded", largest)) {
        if (ids.add(e.getJsonObject("metadata").getString("message_id"))) { // republished copies keep their id
          JsonObject data = e.getJsonObject("data");
          seen.computeIfAbsent(data.getString("vehicle_id"), k -> new ArrayList<>())
              .add(data.getJsonObject("state").getJsonObject("mileage_in_kilometers").getNumber("value").intValue());
        }
      }
      return acked.entrySet().stream().allMatch(a -> seen.getOrDefault(a.getKey(), List.of()).containsAll(a.getValue()));
    });
    for (Map.Entry<String, List<Integer>> e : seen.entrySet()) {
      List<Integer> values = e.getValue();
      for (int i = 1; i < values.size(); i++) {
        assertTrue(values.get(i) > values.get(i - 1), "order per vehicle " + e.getKey() + " at " + i + ": "
            + values.subList(Math.max(0, i - 3), i + 1));
      }
    }
  }

  static int total(Map<String, NavigableSet<Integer>> acked) {
    return acked.values().stream().mapToInt(Set::size).sum();
  }

  static byte[] frame(long base, int seq) {
    Instant ts = Instant.ofEpochMilli(base + seq);
    return ("{\"ts\": \"" + ts + "\", \"seq\": " + seq + ", \"state\": {\"mileage_in_kilometers\": {\"value\": " + seq
        + ", \"timestamp\": \"" + ts + "\"}}}").getBytes(StandardCharsets.UTF_8);
  }
}
