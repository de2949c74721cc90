package io.fleetgate.device.mqtt;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.fleetgate.TestGateway;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.VehicleLive;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Provisioning, clients and waiting for the MQTT integration tests. */
final class MqttTestSupport {
  static final String FLEET = "fleet-mqtt";
  static final String PASSWORD = "unit-password-0123";
  private static final AtomicInteger NEXT = new AtomicInteger();

  /** The contract's JSON example frame. */
  static final String CONTRACT_JSON = """
      {"ts": "2026-11-21T10:15:30.250Z", "seq": 1842,
       "state": {"position": {"lat": 52.5200, "lon": 13.4050}, "central_lock": "LOCKED",
                 "mileage_in_kilometers": {"value": 10234.5, "timestamp": "2026-11-21T10:15:29Z"}}}""";
  /** The contract's binary example payload: central_lock LOCKED, charge 80 %, seq 7, at 2026-11-21T10:00:00Z. */
  static final byte[] CONTRACT_BINARY = HexFormat.of().parseHex("01000001A1FD8C69000000000702080101060150");
  static final long CONTRACT_BINARY_TS = Instant.parse("2026-11-21T10:00:00Z").toEpochMilli();

  private MqttTestSupport() {}

  /** A provisioned unit and its vehicle. */
  record Unit(String id, String vehicleId) {}

  static Unit provision(TestGateway gw) {
    return provision(gw, Arrays.asList(Property.values()));
  }

  /** Provisions a vehicle with these state capabilities and its unit, password {@link #PASSWORD}. */
  static Unit provision(TestGateway gw, List<Property> stateCapabilities) {
    String unitId = String.format("UNIT%012X", NEXT.incrementAndGet());
    TestGateway.ProvisionedUnit p = gw.provisionUnit(FLEET, unitId, PASSWORD, Capabilities.ALL_COMMANDS, stateCapabilities);
    return new Unit(p.unitId(), p.vehicleId());
  }




  static Mqtt3BlockingClient v3(TestGateway gw, String clientId) {
    return MqttClient.builder().useMqttVersion3().identifier(clientId).serverHost("127.0.0.1")
        .serverPort(gw.gateway.mqttPort()).buildBlocking();
  }

  static Mqtt5BlockingClient v5(TestGateway gw, String clientId) {
    return MqttClient.builder().useMqttVersion5().identifier(clientId).serverHost("127.0.0.1")
        .serverPort(gw.gateway.mqttPort()).buildBlocking();
  }

  static Mqtt3BlockingClient connectedV3(TestGateway gw, Unit u) {
    Mqtt3BlockingClient c = v3(gw, u.id());
    c.connectWith().simpleAuth().username(u.id()).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    return c;
  }

  static Mqtt5BlockingClient connectedV5(TestGateway gw, Unit u) {
    Mqtt5BlockingClient c = v5(gw, u.id());
    c.connectWith().simpleAuth().username(u.id()).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    return c;
  }

  static String stateTopic(Unit u) {
    return "units/" + u.id() + "/state";
  }

  /** Publishes at QoS 1 and returns the PUBACK's reason code. */
  static Mqtt5PubAckReasonCode publishV5(Mqtt5BlockingClient c, String topic, byte[] payload) {
    try {
      Mqtt5PublishResult r = c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
      return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
    } catch (Mqtt5PubAckException e) {
      return e.getMqttMessage().getReasonCode();
    }
  }

  static VehicleLive live(TestGateway gw, Unit u) {
    return gw.gateway.registry.live(u.vehicleId());
  }

  static Reading reading(TestGateway gw, Unit u, Property p) {
    return live(gw, u).state.get(p);
  }

  static boolean online(TestGateway gw, Unit u) {
    return live(gw, u).lifeStatus().online();
  }

  /** A counter by its Prometheus name ({@code _total} is Micrometer's suffix, not part of the meter name). */
  static double counter(TestGateway gw, String name, String... tags) {
    Counter c = gw.gateway.metrics.find(name.replaceFirst("_total$", "")).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  /** A fresh unit logs in over both versions and its QoS 1 frame is applied: the server still serves. */
  static void assertServesGoodUnit(TestGateway gw) {
    Unit u = provision(gw);
    Mqtt5BlockingClient c5 = connectedV5(gw, u);
    assertEquals(Mqtt5PubAckReasonCode.SUCCESS, publishV5(c5, stateTopic(u), CONTRACT_JSON.getBytes(StandardCharsets.UTF_8)));
    assertEquals("LOCKED", reading(gw, u, Property.CENTRAL_LOCK).value());
    c5.disconnect();
    Mqtt3BlockingClient c3 = connectedV3(gw, u);
    c3.publishWith().topic(stateTopic(u)).qos(MqttQos.AT_LEAST_ONCE).payload(CONTRACT_BINARY).send();
    assertEquals(80.0, reading(gw, u, Property.STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT).value());
    c3.disconnect();
  }

  // ---- raw MQTT 3.1.1 over a socket, for input no client library produces ----

  static byte[] rawConnect(String clientId, String username, String password, int keepAliveSeconds) {
    ByteArrayOutputStream vh = new ByteArrayOutputStream();
    writeString(vh, "MQTT");
    vh.write(4); // protocol level 3.1.1
    vh.write(0xC2); // user name, password, clean session
    vh.write(keepAliveSeconds >> 8);
    vh.write(keepAliveSeconds & 0xFF);
    writeString(vh, clientId);
    writeString(vh, username);
    writeString(vh, password);
    return packet(0x10, vh.toByteArray());
  }

  static byte[] packet(int firstByte, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(firstByte);
    int len = body.length;
    do {
      int b = len % 128;
      len /= 128;
      out.write(len > 0 ? b | 0x80 : b);
    } while (len > 0);
    out.writeBytes(body);
    return out.toByteArray();
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b.length >> 8);
    out.write(b.length & 0xFF);
    out.writeBytes(b);
  }

  static Socket rawSocket(TestGateway gw) throws IOException {
    Socket s = new Socket("127.0.0.1", gw.gateway.mqttPort());
    s.setSoTimeout(10_000);
    return s;
  }

  /** Reads until the server closes the socket; returns how long that took in ms. */
  static long millisUntilClosed(Socket s) throws IOException {
    long start = System.nanoTime();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[256];
    try {
      while (in.read(buf) >= 0) {
        // drain (CONNACK etc.)
      }
    } catch (java.net.SocketException reset) {
      // a reset is a close too
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  static void assertClosedWithin(Socket s, long maxMs) throws IOException {
    long ms = millisUntilClosed(s);
    assertTrue(ms <= maxMs, "closed after " + ms + " ms, expected within " + maxMs);
  }
}
