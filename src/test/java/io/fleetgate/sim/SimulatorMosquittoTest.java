package io.fleetgate.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fleetgate.protocol.json.CommandMessageEncoder;
import io.fleetgate.protocol.json.CommandResultDecoder;
import io.fleetgate.protocol.CommandResult;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The simulator's MQTT side against the local Mosquitto broker on 127.0.0.1:1883 (which accepts any client):
 * skipped when nothing listens there. Unit ids are unique per run, so parallel runs do not take over each other.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SimulatorMosquittoTest {
  private static final int BROKER_PORT = 1883;
  private Vertx vertx;
  private final String prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + "-";

  @BeforeEach
  void brokerListens() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", BROKER_PORT), 500);
    } catch (Exception e) {
      assumeTrue(false, "no MQTT broker on 127.0.0.1:" + BROKER_PORT);
    }
    vertx = Vertx.vertx();
  }

  @AfterEach
  void close() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private List<Credentials.Unit> units(SimOptions o) {
    List<Credentials.Unit> units = new ArrayList<>();
    for (int n = 1; n <= o.units(); n++) {
      units.add(new Credentials.Unit(o.unitId(n), o.password(), null, null));
    }
    return units;
  }

  @Test
  void qos1LoadFillsTheLatencyHistogram() throws Exception {
    SimOptions o = SimOptions.parse(new String[] {"--port", "" + BROKER_PORT, "--units", "4", "--unit-prefix", prefix,
        "--mode", "load", "--target-rate", "400", "--qos", "1", "--format", "binary",
        "--source-addresses", "127.0.0.1-127.0.0.2"}, Map.of());
    SimulatorRun run = SimulatorRun.start(vertx, o, units(o)).await(10, TimeUnit.SECONDS);
    assertTrue(run.awaitConnected(10_000).await(15, TimeUnit.SECONDS), "all 4 units connected");
    run.startSending().await(5, TimeUnit.SECONDS);
    Thread.sleep(3_000);
    run.stopSending(5_000).await(10, TimeUnit.SECONDS);
    run.stop().await(10, TimeUnit.SECONDS);

    SimStats s = run.stats();
    long sent = s.framesSent.sum();
    assertTrue(sent >= 600, "about 400 frames/s for 3 s, sent " + sent);
    assertEquals(sent, s.framesAcked.sum(), "every QoS 1 frame PUBACK'd");
    Histogram h = s.latencies();
    assertEquals(sent, h.getTotalCount(), "one latency sample per PUBACK");
    assertTrue(h.getValueAtPercentile(50) > 0);
    assertEquals(4, s.connects.sum());
    assertEquals(0, s.disconnects.sum(), "the run's own disconnects are not counted");
    assertEquals(0, s.errors());
  }

  @Test
  void qos0FlatOutIsBoundedAndStops() throws Exception {
    SimOptions o = SimOptions.parse(new String[] {"--port", "" + BROKER_PORT, "--units", "2", "--unit-prefix", prefix,
        "--mode", "load", "--qos", "0", "--window", "8"}, Map.of());
    SimulatorRun run = SimulatorRun.start(vertx, o, units(o)).await(10, TimeUnit.SECONDS);
    assertTrue(run.awaitConnected(10_000).await(15, TimeUnit.SECONDS));
    run.startSending().await(5, TimeUnit.SECONDS);
    Thread.sleep(1_500);
    run.stopSending(1_000).await(5, TimeUnit.SECONDS);
    long afterStop = run.stats().framesSent.sum();
    Thread.sleep(300);
    assertEquals(afterStop, run.stats().framesSent.sum(), "nothing is sent after stopSending");
    run.stop().await(10, TimeUnit.SECONDS);
    assertTrue(afterStop > 100, "flat out sends many frames: " + afterStop);
    assertEquals(0, run.stats().latencies().getTotalCount(), "QoS 0 has no acks to time");
  }

  @Test
  void aUnitAnswersACommandWithItsState() throws Exception {
    SimOptions o = SimOptions.parse(new String[] {"--port", "" + BROKER_PORT, "--units", "1", "--unit-prefix", prefix,
        "--rate", "2"}, Map.of());
    String unitId = o.unitId(1);
    MqttClient operator = MqttClient.create(vertx, new MqttClientOptions().setClientId(prefix + "operator"));
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    operator.publishHandler(m -> result.complete(m.payload().getBytes()));
    operator.connect(BROKER_PORT, "127.0.0.1").await(5, TimeUnit.SECONDS);
    operator.subscribe("units/" + unitId + "/command-results", 1).await(5, TimeUnit.SECONDS);

    SimulatorRun run = SimulatorRun.start(vertx, o, units(o)).await(10, TimeUnit.SECONDS);
    assertTrue(run.awaitConnected(10_000).await(15, TimeUnit.SECONDS));
    run.startSending().await(5, TimeUnit.SECONDS);
    Thread.sleep(500); // the unit's SUBSCRIBE is on its way right after CONNACK
    UUID commandId = UUID.randomUUID();
    operator.publish("units/" + unitId + "/commands",
        Buffer.buffer(CommandMessageEncoder.encode(commandId, "UNLOCK_CENTRAL_LOCK", System.currentTimeMillis() + 60_000)),
        MqttQoS.AT_LEAST_ONCE, false, false).await(5, TimeUnit.SECONDS);

    CommandResult answer = CommandResultDecoder.decode(result.get(10, TimeUnit.SECONDS), System.currentTimeMillis());
    assertEquals(commandId, answer.id());
    assertEquals("SUCCEEDED", answer.status());
    assertTrue(answer.readings().stream().anyMatch(r -> r.property().jsonName.equals("central_lock")
        && "UNLOCKED".equals(r.value())), "the result carries the unlocked state");
    run.stopSending(2_000).await(5, TimeUnit.SECONDS);
    run.stop().await(10, TimeUnit.SECONDS);
    assertEquals(1, run.stats().commandsReceived.sum());
    assertTrue(run.stats().framesAcked.sum() > 0);
  }
}
