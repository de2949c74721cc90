package io.fleetgate.device.mqtt;

import static io.fleetgate.device.mqtt.MqttTestSupport.PASSWORD;
import static io.fleetgate.device.mqtt.MqttTestSupport.assertClosedWithin;
import static io.fleetgate.device.mqtt.MqttTestSupport.assertServesGoodUnit;
import static io.fleetgate.device.mqtt.MqttTestSupport.connectedV3;
import static io.fleetgate.device.mqtt.MqttTestSupport.connectedV5;
import static io.fleetgate.device.mqtt.MqttTestSupport.counter;
import static io.fleetgate.TestGateway.eventually;
import static io.fleetgate.device.mqtt.MqttTestSupport.online;
import static io.fleetgate.device.mqtt.MqttTestSupport.provision;
import static io.fleetgate.device.mqtt.MqttTestSupport.publishV5;
import static io.fleetgate.device.mqtt.MqttTestSupport.rawConnect;
import static io.fleetgate.device.mqtt.MqttTestSupport.rawSocket;
import static io.fleetgate.device.mqtt.MqttTestSupport.stateTopic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.fleetgate.TestGateway;
import io.fleetgate.device.mqtt.MqttTestSupport.Unit;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MqttLoginTest {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.start(Map.of("mqtt.maxKeepAliveSeconds", 30));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  void loginSetsOnlineAndDisconnectSetsOffline_v311() {
    Unit u = provision(gw);
    assertFalse(online(gw, u));
    Mqtt3BlockingClient c = connectedV3(gw, u);
    eventually("ONLINE", () -> online(gw, u));
    c.disconnect();
    eventually("OFFLINE", () -> !online(gw, u));
  }

  @Test
  void loginSetsOnlineAndDisconnectSetsOffline_v5() {
    Unit u = provision(gw);
    Mqtt5BlockingClient c = connectedV5(gw, u);
    eventually("ONLINE", () -> online(gw, u));
    c.disconnect();
    eventually("OFFLINE", () -> !online(gw, u));
  }

  @Test
  void badCredentialsAreOneAnswer_v311() {
    Unit u = provision(gw);
    double before = counter(gw, "fleetgate_mqtt_connect_refused_total", "reason", "bad_credentials");
    assertEquals(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD, refusedV3(u.id(), u.id(), "wrong-password-123"));
    assertEquals(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD, refusedV3("UNKNOWNUNIT00001", "UNKNOWNUNIT00001", PASSWORD));
    assertEquals(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD, refusedV3("someone-else", u.id(), PASSWORD));
    assertEquals(before + 3, counter(gw, "fleetgate_mqtt_connect_refused_total", "reason", "bad_credentials"));
    assertFalse(online(gw, u));
    assertServesGoodUnit(gw);
  }

  @Test
  void badCredentialsAreOneAnswer_v5() {
    Unit u = provision(gw);
    assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refusedV5(u.id(), u.id(), "wrong-password-123"));
    assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refusedV5("UNKNOWNUNIT00001", "UNKNOWNUNIT00001", PASSWORD));
    assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refusedV5("someone-else", u.id(), PASSWORD));
    assertFalse(online(gw, u));
    assertServesGoodUnit(gw);
  }

  @Test
  void unitOfARemovedVehicleCannotLogIn() {
    Unit u = provision(gw);
    gw.gateway.registry.remove(u.vehicleId());
    assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refusedV5(u.id(), u.id(), PASSWORD));
  }

  @Test
  void secondConnectionTakesOverAndVehicleStaysOnline() throws Exception {
    Unit u = provision(gw);
    Mqtt3BlockingClient first = connectedV3(gw, u);
    eventually("ONLINE", () -> online(gw, u));
    Mqtt5BlockingClient second = connectedV5(gw, u);
    eventually("first connection closed", () -> !first.getState().isConnected());
    Thread.sleep(200); // the first session's close has run
    assertTrue(online(gw, u), "a taken-over session must not set OFFLINE");
    assertEquals(Mqtt5PubAckReasonCode.SUCCESS,
        publishV5(second, stateTopic(u), MqttTestSupport.CONTRACT_JSON.getBytes(StandardCharsets.UTF_8)));
    second.disconnect();
    eventually("OFFLINE after the current connection closes", () -> !online(gw, u));
  }

  @Test
  void keepAliveIsCappedAndZeroBecomesTheCap() {
    Unit u = provision(gw);
    Mqtt5BlockingClient c = MqttTestSupport.v5(gw, u.id());
    Mqtt5ConnAck ack = c.connectWith().keepAlive(0).simpleAuth().username(u.id())
        .password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    assertEquals(30, ack.getServerKeepAlive().orElse(-1));
    c.disconnect();
    Mqtt5BlockingClient d = MqttTestSupport.v5(gw, u.id());
    Mqtt5ConnAck ack2 = d.connectWith().keepAlive(600).simpleAuth().username(u.id())
        .password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    assertEquals(30, ack2.getServerKeepAlive().orElse(-1));
    assertEquals(1, ack2.getRestrictions().getMaximumQos().getCode());
    d.disconnect();
  }

  @Test
  void silentUnitTimesOutAndGoesOffline() throws Exception {
    Unit u = provision(gw);
    try (Socket s = rawSocket(gw)) {
      s.getOutputStream().write(rawConnect(u.id(), u.id(), PASSWORD, 1));
      InputStream in = s.getInputStream();
      byte[] connack = in.readNBytes(4);
      assertEquals("20020000", java.util.HexFormat.of().formatHex(connack));
      eventually("ONLINE", () -> online(gw, u));
      assertClosedWithin(s, 4_000); // 1.5 × 1 s
    }
    eventually("OFFLINE after keep-alive timeout", () -> !online(gw, u));
    assertServesGoodUnit(gw);
  }

  @Test
  void socketWithoutConnectIsClosedAfterTheConnectTimeout() throws Exception {
    try (TestGateway g = TestGateway.start(Map.of("mqtt.connectTimeoutSeconds", 1))) {
      try (Socket s = rawSocket(g)) {
        assertClosedWithin(s, 3_000);
      }
      assertServesGoodUnit(g);
    }
  }

  @Test
  void connectionsBeyondTheBoundAreRefused() throws Exception {
    try (TestGateway g = TestGateway.start(Map.of("mqtt.maxConnections", 2))) {
      Unit a = provision(g);
      Unit b = provision(g);
      Unit c = provision(g);
      Mqtt3BlockingClient ca = connectedV3(g, a);
      Mqtt5BlockingClient cb = connectedV5(g, b);
      Mqtt3ConnAckException e3 = assertThrows(Mqtt3ConnAckException.class, () -> connectedV3(g, c));
      assertEquals(Mqtt3ConnAckReturnCode.SERVER_UNAVAILABLE, e3.getMqttMessage().getReturnCode());
      Mqtt5ConnAckException e5 = assertThrows(Mqtt5ConnAckException.class, () -> connectedV5(g, c));
      assertEquals(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE, e5.getMqttMessage().getReasonCode());
      assertEquals(2.0, counter(g, "fleetgate_mqtt_connect_refused_total", "reason", "too_many_connections"));
      assertEquals(2.0, g.gateway.metrics.find("fleetgate_mqtt_connections").gauge().value());
      assertFalse(online(g, c));
      ca.disconnect();
      cb.disconnect();
      eventually("slots released", () -> g.gateway.metrics.find("fleetgate_mqtt_connections").gauge().value() == 0);
      assertServesGoodUnit(g);
    }
  }

  private static Mqtt3ConnAckReturnCode refusedV3(String clientId, String username, String password) {
    Mqtt3BlockingClient c = MqttTestSupport.v3(gw, clientId);
    Mqtt3ConnAckException e = assertThrows(Mqtt3ConnAckException.class, () -> c.connectWith().simpleAuth()
        .username(username).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
    return e.getMqttMessage().getReturnCode();
  }

  private static Mqtt5ConnAckReasonCode refusedV5(String clientId, String username, String password) {
    Mqtt5BlockingClient c = MqttTestSupport.v5(gw, clientId);
    Mqtt5ConnAckException e = assertThrows(Mqtt5ConnAckException.class, () -> c.connectWith().simpleAuth()
        .username(username).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
    return e.getMqttMessage().getReasonCode();
  }
}
