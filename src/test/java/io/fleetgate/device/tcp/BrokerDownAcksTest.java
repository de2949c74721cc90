package io.fleetgate.device.tcp;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.protocol.tcp.TcpMessage.Login;
import io.fleetgate.protocol.tcp.TcpMessage.LoginAck;
import io.fleetgate.protocol.tcp.TcpMessage.State;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With amqp.url set and the broker unreachable (nothing listens on its port): device frames are applied but
 * not acknowledged (MQTT PUBACK, TCP STATE_ACK), the gateway is not ready, the buffer holds at most
 * amqp.bufferEvents and refuses the rest, and event consumers cannot be created. No broker needed; a gateway
 * per test, since each fills its buffer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BrokerDownAcksTest {
  static final String PASSWORD = "unit-password-0123";
  static final int BUFFER = 8;
  TestGateway gw;

  @BeforeEach
  void start() {
    gw = TestGateway.start(Map.of("amqp.url", "amqp://guest:guest@127.0.0.1:1/", "amqp.bufferEvents", BUFFER,
        "amqp.reconnectMaxSeconds", 1));
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  TestGateway.ProvisionedUnit unit() {
    return gw.provisionUnit("fleet-down", "DOWN" + UUID.randomUUID().toString().substring(0, 8).toUpperCase(), PASSWORD,
        Capabilities.ALL_COMMANDS, Arrays.asList(Property.values()));
  }

  static byte[] frame(int i) {
    Instant ts = Instant.now().minusSeconds(30).plusMillis(i);
    return ("{\"ts\": \"" + ts + "\", \"seq\": " + i + ", \"state\": {\"mileage_in_kilometers\": {\"value\": " + i
        + ", \"timestamp\": \"" + ts + "\"}}}").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void notReadyAndNoConsumersWhileTheBrokerIsDown() throws Exception {
    HttpResponse<Buffer> r = await(gw.http.get("/health/ready").send());
    assertEquals(503, r.statusCode());
    assertTrue(r.bodyAsString().contains("RabbitMQ unreachable"), r.bodyAsString());
    String token = gw.token("fleet-down", Permission.EVENTS);
    HttpResponse<Buffer> c = await(gw.http.post("/event-consumers").putHeader("Authorization", "Bearer " + token)
        .sendJsonObject(new JsonObject().put("name", "x").put("topics", new io.vertx.core.json.JsonArray().add("VehicleAdded"))));
    assertEquals(503, c.statusCode(), c.bodyAsString());
    assertEquals("/problems/service-unavailable", c.bodyAsJsonObject().getString("type"));
  }

  @Test
  void mqttFramesAreNotAcknowledgedAndTheBufferStaysBounded() throws Exception {
    TestGateway.ProvisionedUnit u = unit();
    Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3().identifier(u.unitId()).serverHost("127.0.0.1")
        .serverPort(gw.gateway.mqttPort()).buildAsync();
    c.connectWith().simpleAuth().username(u.unitId()).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
        .send().get(10, TimeUnit.SECONDS);
    List<CompletableFuture<?>> acks = new ArrayList<>();
    acks.add(c.publishWith().topic("units/" + u.unitId() + "/state").qos(MqttQos.AT_LEAST_ONCE).payload(frame(1)).send());
    eventually("the frame is applied", () -> gw.gateway.registry.live(u.vehicleId()).state.get(Property.MILEAGE_IN_KILOMETERS) != null);
    Thread.sleep(500);
    assertFalse(acks.get(0).isDone(), "no PUBACK while its event is unconfirmed");

    for (int i = 2; i <= 3 * BUFFER; i++) {
      acks.add(c.publishWith().topic("units/" + u.unitId() + "/state").qos(MqttQos.AT_LEAST_ONCE).payload(frame(i)).send());
    }
    // near the buffer's bound the unit is slowed (its reads paused while its frames wait), not refused
    eventually("the unit's reads are paused", () -> gw.gateway.metrics.scrape()
        .matches("(?s).*fleetgate_device_read_pauses_total\\{[^}]*cause=\"congested\"[^}]*\\} \\d*[1-9].*"));
    assertTrue(gw.gateway.amqp.buffered() <= BUFFER, "bounded: " + gw.gateway.amqp.buffered());
    Thread.sleep(300);
    for (CompletableFuture<?> a : acks) {
      assertFalse(a.isDone() && !a.isCompletedExceptionally(), "no frame was acknowledged");
    }
    assertTrue(gw.gateway.metrics.scrape().contains("fleetgate_amqp_buffered"));
    c.disconnect();
  }

  @Test
  void tcpStateIsNotAcknowledgedWhileItsEventIsUnconfirmed() throws Exception {
    TestGateway.ProvisionedUnit u = unit();
    try (RawUnit unit = new RawUnit(gw.gateway.tcpPort()).send(new Login(u.unitId(), PASSWORD))) {
      assertEquals(new LoginAck(0), unit.read());
      long ts = System.currentTimeMillis() - 60_000;
      unit.send(new State(new StateFrame(ts, 1, List.of(new Reading(Property.MILEAGE_IN_KILOMETERS, ts, 42.0)), 0)));
      eventually("the frame is applied", () -> gw.gateway.registry.live(u.vehicleId()).state.get(Property.MILEAGE_IN_KILOMETERS) != null);
      assertTrue(unit.silentFor(700), "no STATE_ACK while its event is unconfirmed");
    }
  }
}
