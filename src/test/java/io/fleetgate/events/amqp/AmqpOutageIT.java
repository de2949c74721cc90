package io.fleetgate.events.amqp;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import io.fleetgate.RabbitVhost;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.Property;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker stops and starts again ({@code rabbitmqctl stop_app} / {@code start_app}) while MQTT units send
 * QoS 1 frames: the gateway goes not-ready, withholds PUBACKs, reconnects by itself, and afterwards every
 * acknowledged frame has its event in the consumer's queue, in order per vehicle. The only test that
 * stops the shared broker, for a few seconds.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AmqpOutageIT {
  private static final Logger LOG = Logger.getLogger(AmqpOutageIT.class.getName());
  static final String PASSWORD = "unit-password-0123";
  static final int UNITS = 4;
  static final int WINDOW = 16;

  @Test
  void aBrokerRestartMidStreamLosesNoEventOfAnAcknowledgedFrameAndKeepsOrderPerVehicle() throws Exception {
    try (RabbitVhost rabbit = RabbitVhost.create();
         TestGateway gw = TestGateway.start(Map.of("amqp.url", rabbit.url, "amqp.reconnectMaxSeconds", 1))) {
      String fleet = "outage-" + UUID.randomUUID().toString().substring(0, 8);
      String token = gw.token(fleet, Permission.EVENTS);
      JsonObject consumer = await(gw.http.post("/event-consumers").putHeader("Authorization", "Bearer " + token)
          .sendJsonObject(new JsonObject().put("name", "outage").put("topics", new JsonArray().add("VehicleStateRecorded"))))
          .bodyAsJsonObject();
      String queue = consumer.getJsonArray("queues").getJsonObject(0).getString("queue");

      AtomicBoolean sending = new AtomicBoolean(true);
      Map<String, NavigableSet<Integer>> acked = new HashMap<>();
      List<Thread> senders = new ArrayList<>();
      List<Mqtt3AsyncClient> clients = new ArrayList<>();
      AtomicInteger failures = new AtomicInteger();
      long base = System.currentTimeMillis() - 120_000;
      for (int n = 0; n < UNITS; n++) {
        TestGateway.ProvisionedUnit u = gw.provisionUnit(fleet, "OUT" + n + UUID.randomUUID().toString().substring(0, 6).toUpperCase(),
            PASSWORD, Capabilities.ALL_COMMANDS, Arrays.asList(Property.values()));
        NavigableSet<Integer> mine = new ConcurrentSkipListSet<>();
        acked.put(u.vehicleId(), mine);
        Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3().identifier(u.unitId()).serverHost("127.0.0.1")
            .serverPort(gw.gateway.mqttPort()).buildAsync();
        c.connectWith().keepAlive(120).simpleAuth().username(u.unitId()).password(PASSWORD.getBytes(StandardCharsets.UTF_8))
            .applySimpleAuth().send().get(10, TimeUnit.SECONDS);
        clients.add(c);
        Semaphore window = new Semaphore(WINDOW);
        Thread t = new Thread(() -> {
          for (int i = 1; sending.get(); i++) {
            try {
              window.acquire();
              int seq = i;
              c.publishWith().topic("units/" + u.unitId() + "/state").qos(MqttQos.AT_LEAST_ONCE).payload(frame(base, seq)).send()
                  .whenComplete((ok, err) -> {
                    if (err == null) {
                      mine.add(seq);
                    } else {
                      failures.incrementAndGet();
                    }
                    window.release();
                  });
              Thread.sleep(4);
            } catch (InterruptedException e) {
              return;
            }
          }
          window.acquireUninterruptibly(WINDOW); // every frame sent has its outcome
        }, "unit-" + n);
        senders.add(t);
        t.start();
      }

      Thread.sleep(1_500);
      int ackedBefore = total(acked);
      RabbitVhost.ctl("stop_app");
      int ackedWhileDown;
      try {
        eventually("not ready while the broker is down", 15_000,
            () -> await(gw.http.get("/health/ready").send()).statusCode() == 503);
        int settled = total(acked);
        Thread.sleep(1_500);
        ackedWhileDown = total(acked) - settled;
      } finally {
        RabbitVhost.ctl("start_app");
      }
      eventually("ready again after the broker is back", 60_000,
          () -> await(gw.http.get("/health/ready").send()).statusCode() == 200);
      Thread.sleep(1_500);
      sending.set(false);
      for (Thread t : senders) {
        t.join(30_000);
      }
      clients.forEach(Mqtt3AsyncClient::disconnect);
      assertEquals(0, ackedWhileDown, "no PUBACK while the broker was down");

      // every acknowledged frame's event is in the queue: collect until it is, then check order per vehicle
      Map<String, List<Integer>> seen = new HashMap<>();
      Set<String> ids = new HashSet<>();
      int[] duplicates = {0};
      eventually("every acknowledged frame's event arrived", 30_000, () -> {
        for (RabbitVhost.Message m : rabbit.drain(queue)) {
          if (!ids.add(m.messageId())) {
            duplicates[0]++; // republished after the reconnection: same message id
            continue;
          }
          String vehicle = m.data().getString("vehicle_id");
          int value = m.data().getJsonObject("state").getJsonObject("mileage_in_kilometers").getNumber("value").intValue();
          seen.computeIfAbsent(vehicle, k -> new ArrayList<>()).add(value);
        }
        return acked.entrySet().stream().allMatch(e -> seen.getOrDefault(e.getKey(), List.of()).containsAll(e.getValue()));
      });
      for (Map.Entry<String, List<Integer>> e : seen.entrySet()) {
        List<Integer> values = e.getValue();
        for (int i = 1; i < values.size(); i++) {
          assertTrue(values.get(i) > values.get(i - 1), "order per vehicle " + e.getKey() + " at " + i + ": " + values.subList(Math.max(0, i - 3), i + 1));
        }
      }
      int ackedTotal = total(acked);
      int events = seen.values().stream().mapToInt(List::size).sum();
      LOG.info("outage: " + ackedTotal + " frames acknowledged (" + ackedBefore + " before the stop), " + events
          + " distinct events, " + duplicates[0] + " republished duplicates, " + failures.get() + " publish failures");
      assertTrue(ackedTotal > ackedBefore, "frames were acknowledged again after the broker came back");
      assertTrue(events >= ackedTotal, "no event of an acknowledged frame is lost");
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
