package io.fleetgate.device.mqtt;

import static io.fleetgate.device.mqtt.MqttTestSupport.CONTRACT_JSON;
import static io.fleetgate.device.mqtt.MqttTestSupport.assertServesGoodUnit;
import static io.fleetgate.device.mqtt.MqttTestSupport.connectedV3;
import static io.fleetgate.device.mqtt.MqttTestSupport.connectedV5;
import static io.fleetgate.device.mqtt.MqttTestSupport.counter;
import static io.fleetgate.TestGateway.eventually;
import static io.fleetgate.device.mqtt.MqttTestSupport.provision;
import static io.fleetgate.device.mqtt.MqttTestSupport.publishV5;
import static io.fleetgate.device.mqtt.MqttTestSupport.reading;
import static io.fleetgate.device.mqtt.MqttTestSupport.stateTopic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.fleetgate.TestGateway;
import io.fleetgate.device.mqtt.MqttTestSupport.Unit;
import io.fleetgate.vehicle.Property;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MqttRejectionTest {
  static final int INVALID_LIMIT = 3;
  static final int MAX_FRAME = 1024;
  /** Valid JSON whose second property is out of range: the whole frame is invalid, nothing applies. */
  static final String HALF_BAD = """
      {"ts": "2026-11-21T10:15:30Z", "state": {"central_lock": "UNLOCKED", "cellular_signal_quality": 9}}""";
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.start(Map.of("mqtt.invalidFramesPerMinute", INVALID_LIMIT, "mqtt.maxFrameBytes", MAX_FRAME));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static double rejected(String reason) {
    return counter(gw, "fleetgate_frames_rejected_total", "protocol", "mqtt", "reason", reason);
  }

  @Test
  void invalidFramesAreAcknowledgedCountedAndCloseAfterTheLimit_v311() {
    Unit u = provision(gw);
    Mqtt3BlockingClient c = connectedV3(gw, u);
    c.publishWith().topic(stateTopic(u)).qos(MqttQos.AT_LEAST_ONCE).payload(utf8(CONTRACT_JSON)).send();
    double outOfRange = rejected("out_of_range");
    double malformed = rejected("malformed_json");
    // each of these returns only once PUBACK'd
    c.publishWith().topic(stateTopic(u)).qos(MqttQos.AT_LEAST_ONCE).payload(utf8(HALF_BAD)).send();
    c.publishWith().topic(stateTopic(u)).qos(MqttQos.AT_LEAST_ONCE).payload(utf8("{\"ts\": ")).send();
    assertTrue(c.getState().isConnected());
    assertEquals(outOfRange + 1, rejected("out_of_range"));
    assertEquals(malformed + 1, rejected("malformed_json"));
    assertEquals("LOCKED", reading(gw, u, Property.CENTRAL_LOCK).value(), "nothing of an invalid frame is applied");
    assertNull(reading(gw, u, Property.CELLULAR_SIGNAL_QUALITY));
    c.toAsync().publishWith().topic(stateTopic(u)).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {9, 9}).send();
    eventually("closed after " + INVALID_LIMIT + " invalid frames in a minute", () -> !c.getState().isConnected());
    assertEquals("LOCKED", reading(gw, u, Property.CENTRAL_LOCK).value());
    assertServesGoodUnit(gw);
  }

  @Test
  void invalidFramesGetPayloadFormatInvalid_v5() {
    Unit u = provision(gw);
    Mqtt5BlockingClient c = connectedV5(gw, u);
    assertEquals(Mqtt5PubAckReasonCode.SUCCESS, publishV5(c, stateTopic(u), utf8(CONTRACT_JSON)));
    double unsupported = rejected("unsupported_version");
    for (int i = 0; i < INVALID_LIMIT + 2; i++) {
      assertEquals(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID, publishV5(c, stateTopic(u), utf8(HALF_BAD)));
    }
    assertEquals(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID, publishV5(c, stateTopic(u), new byte[] {2, 0}));
    assertEquals(unsupported + 1, rejected("unsupported_version"));
    assertEquals(Mqtt5PubAckReasonCode.PAYLOAD_FORMAT_INVALID,
        publishV5(c, "units/" + u.id() + "/command-results", utf8("{\"id\": \"not-a-uuid\", \"status\": \"FAILED\"}")));
    assertTrue(c.getState().isConnected(), "a 5.0 unit is told about each invalid frame instead of being disconnected");
    assertEquals("LOCKED", reading(gw, u, Property.CENTRAL_LOCK).value());
    c.disconnect();
    assertServesGoodUnit(gw);
  }

  @Test
  void foreignTopicsCloseTheConnection_v311() {
    Unit u = provision(gw);
    Unit other = provision(gw);
    double before = rejected("not_authorized");
    for (String topic : List.of(stateTopic(other), "units/" + other.id() + "/command-results", "something/else", "units/" + u.id() + "/commands")) {
      Mqtt3BlockingClient c = connectedV3(gw, u);
      c.toAsync().publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(utf8(CONTRACT_JSON)).send();
      eventually("closed after PUBLISH to " + topic, () -> !c.getState().isConnected());
    }
    Mqtt3BlockingClient c = connectedV3(gw, u);
    c.toAsync().subscribeWith().topicFilter("units/" + other.id() + "/commands").qos(MqttQos.AT_LEAST_ONCE).send();
    eventually("closed after SUBSCRIBE to another unit's commands", () -> !c.getState().isConnected());
    Mqtt3BlockingClient w = connectedV3(gw, u);
    w.toAsync().subscribeWith().topicFilter("units/+/commands").qos(MqttQos.AT_LEAST_ONCE).send();
    eventually("closed after a wildcard SUBSCRIBE", () -> !w.getState().isConnected());
    assertEquals(before + 6, rejected("not_authorized"));
    assertNull(reading(gw, other, Property.CENTRAL_LOCK), "nothing applied to the other unit's vehicle");
    assertNull(reading(gw, u, Property.CENTRAL_LOCK), "nor to the publisher's");
    assertServesGoodUnit(gw);
  }

  @Test
  void foreignTopicsAreNotAuthorized_v5() {
    Unit u = provision(gw);
    Unit other = provision(gw);
    Mqtt5BlockingClient c = connectedV5(gw, u);
    assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED, publishV5(c, stateTopic(other), utf8(CONTRACT_JSON)));
    assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED, publishV5(c, "fleet/" + u.id() + "/state", utf8(CONTRACT_JSON)));
    assertEquals(Mqtt5PubAckReasonCode.NOT_AUTHORIZED, publishV5(c, "units/" + u.id() + "/commands", utf8(CONTRACT_JSON)));
    assertEquals(List.of(Mqtt5SubAckReasonCode.NOT_AUTHORIZED), subscribe(c, "units/" + other.id() + "/commands"));
    assertEquals(List.of(Mqtt5SubAckReasonCode.NOT_AUTHORIZED), subscribe(c, "units/" + u.id() + "/state"));
    assertTrue(c.getState().isConnected());
    assertNull(reading(gw, other, Property.CENTRAL_LOCK));
    assertNull(reading(gw, u, Property.CENTRAL_LOCK));
    assertEquals(Mqtt5PubAckReasonCode.SUCCESS, publishV5(c, stateTopic(u), utf8(CONTRACT_JSON)));
    assertEquals("LOCKED", reading(gw, u, Property.CENTRAL_LOCK).value());
    c.disconnect();
    assertServesGoodUnit(gw);
  }

  @Test
  void frameOverMaxFrameBytesClosesTheConnection() {
    Unit u = provision(gw);
    double before = rejected("too_large");
    // within the MQTT packet bound but over the frame bound: refused by the session
    Mqtt3BlockingClient c = connectedV3(gw, u);
    c.toAsync().publishWith().topic(stateTopic(u)).qos(MqttQos.AT_LEAST_ONCE).payload(paddedJson(MAX_FRAME + 1)).send();
    eventually("closed after an over-long frame", () -> !c.getState().isConnected());
    // over the MQTT packet bound: refused by the decoder
    Mqtt3BlockingClient d = connectedV3(gw, u);
    d.toAsync().publishWith().topic(stateTopic(u)).qos(MqttQos.AT_MOST_ONCE).payload(paddedJson(4 * MAX_FRAME)).send();
    eventually("closed after an over-long packet", () -> !d.getState().isConnected());
    eventually("both counted", () -> rejected("too_large") == before + 2);
    assertNull(reading(gw, u, Property.CENTRAL_LOCK));
    Mqtt3BlockingClient ok = connectedV3(gw, u);
    ok.publishWith().topic(stateTopic(u)).qos(MqttQos.AT_LEAST_ONCE).payload(paddedJson(MAX_FRAME)).send();
    assertEquals("LOCKED", reading(gw, u, Property.CENTRAL_LOCK).value(), "a frame of exactly maxFrameBytes is fine");
    ok.disconnect();
    assertServesGoodUnit(gw);
  }

  @Test
  void qos2IsNotSupported_v311() {
    Unit u = provision(gw);
    Mqtt3BlockingClient c = connectedV3(gw, u);
    c.toAsync().publishWith().topic(stateTopic(u)).qos(MqttQos.EXACTLY_ONCE).payload(utf8(CONTRACT_JSON)).send();
    eventually("closed after a QoS 2 PUBLISH", () -> !c.getState().isConnected());
    assertNull(reading(gw, u, Property.CENTRAL_LOCK));
    assertServesGoodUnit(gw);
  }

  private static List<Mqtt5SubAckReasonCode> subscribe(Mqtt5BlockingClient c, String filter) {
    try {
      Mqtt5SubAck ack = c.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
      return ack.getReasonCodes();
    } catch (Mqtt5SubAckException e) {
      return e.getMqttMessage().getReasonCodes();
    }
  }

  /** A valid JSON frame (central_lock LOCKED) padded with spaces to exactly {@code size} bytes. */
  private static byte[] paddedJson(int size) {
    String head = "{\"ts\": \"2026-11-21T10:15:30Z\", \"state\": {\"central_lock\": \"LOCKED\"}";
    return utf8(head + " ".repeat(size - head.length() - 1) + "}");
  }
}
