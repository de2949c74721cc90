package io.fleetgate.device.mqtt;

import static io.fleetgate.device.mqtt.MqttTestSupport.PASSWORD;
import static io.fleetgate.device.mqtt.MqttTestSupport.counter;
import static io.fleetgate.device.mqtt.MqttTestSupport.provision;
import static io.fleetgate.device.mqtt.MqttTestSupport.reading;
import static io.fleetgate.device.mqtt.MqttTestSupport.stateTopic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import io.fleetgate.TestGateway;
import io.fleetgate.device.mqtt.MqttTestSupport.Unit;
import io.fleetgate.vehicle.Property;
import io.reactivex.schedulers.Schedulers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several MQTT 3.1.1 units (no Receive Maximum to respect) each put far more QoS 1 frames on the wire at once
 * than {@code mqtt.maxInflightPerConnection} (8 here) allows in flight: nothing is dropped or failed, every
 * frame is applied and PUBACKed in order per unit, and the units stay connected. With the in-memory store a
 * frame is usually applied before the next one is read, so this floods the session's decoding and ordered
 * acknowledgement; the read pause itself only comes into play when applying is asynchronous (a durable
 * store or a confirming event sink).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MqttOverloadTest {
  static final int UNITS = 4;
  static final int FRAMES = 1_500;
  static final int MAX_INFLIGHT = 8;
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.start(Map.of("mqtt.maxInflightPerConnection", MAX_INFLIGHT));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static byte[] frame(int seq) {
    return String.format("{\"ts\": \"2026-11-21T10:%02d:%02d.%03dZ\", \"seq\": %d, \"state\": {\"mileage_in_kilometers\": {\"value\": %d}}}",
        seq / 60_000, seq / 1000 % 60, seq % 1000, seq, seq).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void floodedUnitsAreSlowedNotFailed() throws Exception {
    double before = counter(gw, "fleetgate_frames_accepted_total", "protocol", "mqtt", "format", "json");
    List<Unit> units = new ArrayList<>();
    List<Mqtt3AsyncClient> clients = new ArrayList<>();
    for (int i = 0; i < UNITS; i++) {
      Unit u = provision(gw);
      Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3().identifier(u.id()).serverHost("127.0.0.1")
          .serverPort(gw.gateway.mqttPort())
          // one application thread per client, so PUBACK callbacks run in the order the PUBACKs arrive
          .executorConfig(MqttClientExecutorConfig.builder().applicationScheduler(Schedulers.single()).build())
          .buildAsync();
      c.connectWith().simpleAuth().username(u.id()).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
          .send().get(10, TimeUnit.SECONDS);
      units.add(u);
      clients.add(c);
    }
    // all frames of all units are handed to the clients at once: each connection has FRAMES ≫ MAX_INFLIGHT
    // frames unacknowledged
    List<ConcurrentLinkedQueue<Integer>> acked = new ArrayList<>();
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < UNITS; i++) {
      ConcurrentLinkedQueue<Integer> order = new ConcurrentLinkedQueue<>();
      acked.add(order);
      for (int seq = 1; seq <= FRAMES; seq++) {
        int s = seq;
        all.add(clients.get(i).publishWith().topic(stateTopic(units.get(i))).qos(MqttQos.AT_LEAST_ONCE)
            .payload(frame(seq)).send().thenRun(() -> order.add(s)));
      }
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

    assertEquals(before + UNITS * FRAMES, counter(gw, "fleetgate_frames_accepted_total", "protocol", "mqtt", "format", "json"),
        "every frame applied, none dropped");
    for (int i = 0; i < UNITS; i++) {
      List<Integer> order = new ArrayList<>(acked.get(i));
      assertEquals(FRAMES, order.size());
      for (int k = 0; k < FRAMES; k++) {
        assertEquals(k + 1, order.get(k), "PUBACKs in publish order");
      }
      assertEquals((double) FRAMES, reading(gw, units.get(i), Property.MILEAGE_IN_KILOMETERS).value(), "last frame applied last");
      assertTrue(clients.get(i).getState().isConnected(), "unit still connected");
      clients.get(i).disconnect().get(10, TimeUnit.SECONDS);
    }
  }
}
