package io.fleetgate.device.mqtt;

import static io.fleetgate.device.mqtt.MqttTestSupport.CONTRACT_BINARY;
import static io.fleetgate.device.mqtt.MqttTestSupport.CONTRACT_BINARY_TS;
import static io.fleetgate.device.mqtt.MqttTestSupport.CONTRACT_JSON;
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

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.fleetgate.TestGateway;
import io.fleetgate.device.mqtt.MqttTestSupport.Unit;
import io.fleetgate.protocol.binary.BinaryStateEncoder;
import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MqttStateTest {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static void assertContractJsonApplied(Unit u) {
    Reading lock = reading(gw, u, Property.CENTRAL_LOCK);
    assertEquals("LOCKED", lock.value());
    assertEquals(Instant.parse("2026-11-21T10:15:30.250Z").toEpochMilli(), lock.timestampMs());
    assertEquals(new Position(52.52, 13.405), reading(gw, u, Property.POSITION).value());
    Reading mileage = reading(gw, u, Property.MILEAGE_IN_KILOMETERS);
    assertEquals(10234.5, mileage.value());
    assertEquals(Instant.parse("2026-11-21T10:15:29Z").toEpochMilli(), mileage.timestampMs());
  }

  static void assertContractBinaryApplied(Unit u) {
    Reading lock = reading(gw, u, Property.CENTRAL_LOCK);
    assertEquals("LOCKED", lock.value());
    assertEquals(CONTRACT_BINARY_TS, lock.timestampMs());
    assertEquals(80.0, reading(gw, u, Property.STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT).value());
  }

  @Test
  void contractFramesAtQos1AreAppliedBeforeThePuback_v311() {
    Unit json = provision(gw);
    Mqtt3BlockingClient c = connectedV3(gw, json);
    double before = counter(gw, "fleetgate_frames_accepted_total", "protocol", "mqtt", "format", "json");
    c.publishWith().topic(stateTopic(json)).qos(MqttQos.AT_LEAST_ONCE).payload(utf8(CONTRACT_JSON)).send();
    assertContractJsonApplied(json);
    assertEquals(before + 1, counter(gw, "fleetgate_frames_accepted_total", "protocol", "mqtt", "format", "json"));
    c.disconnect();

    Unit bin = provision(gw);
    Mqtt3BlockingClient b = connectedV3(gw, bin);
    b.publishWith().topic(stateTopic(bin)).qos(MqttQos.AT_LEAST_ONCE).payload(CONTRACT_BINARY).send();
    assertContractBinaryApplied(bin);
    b.disconnect();
  }

  @Test
  void contractFramesAtQos1AreAppliedBeforeThePuback_v5() {
    Unit json = provision(gw);
    Mqtt5BlockingClient c = connectedV5(gw, json);
    assertEquals(Mqtt5PubAckReasonCode.SUCCESS, publishV5(c, stateTopic(json), utf8(CONTRACT_JSON)));
    assertContractJsonApplied(json);
    c.disconnect();

    Unit bin = provision(gw);
    Mqtt5BlockingClient b = connectedV5(gw, bin);
    double before = counter(gw, "fleetgate_frames_accepted_total", "protocol", "mqtt", "format", "binary");
    assertEquals(Mqtt5PubAckReasonCode.SUCCESS, publishV5(b, stateTopic(bin), CONTRACT_BINARY));
    assertContractBinaryApplied(bin);
    assertEquals(before + 1, counter(gw, "fleetgate_frames_accepted_total", "protocol", "mqtt", "format", "binary"));
    b.disconnect();
  }

  @Test
  void contractFramesAtQos0AreApplied_bothVersions() {
    Unit u3 = provision(gw);
    Mqtt3BlockingClient c3 = connectedV3(gw, u3);
    c3.publishWith().topic(stateTopic(u3)).qos(MqttQos.AT_MOST_ONCE).payload(utf8(CONTRACT_JSON)).send();
    eventually("JSON at QoS 0 over 3.1.1", () -> reading(gw, u3, Property.MILEAGE_IN_KILOMETERS) != null);
    assertContractJsonApplied(u3);
    c3.disconnect();

    Unit u5 = provision(gw);
    Mqtt5BlockingClient c5 = connectedV5(gw, u5);
    c5.publishWith().topic(stateTopic(u5)).qos(MqttQos.AT_MOST_ONCE).payload(CONTRACT_BINARY).send();
    eventually("binary at QoS 0 over 5.0", () -> reading(gw, u5, Property.STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT) != null);
    assertContractBinaryApplied(u5);
    c5.disconnect();
  }

  @Test
  void olderReadingNeverOverwritesANewerOne() {
    Unit u = provision(gw);
    Mqtt5BlockingClient c = connectedV5(gw, u);
    assertEquals(Mqtt5PubAckReasonCode.SUCCESS, publishV5(c, stateTopic(u), utf8(CONTRACT_JSON))); // LOCKED at 10:15:30.250
    long older = CONTRACT_BINARY_TS; // 10:00:00
    byte[] olderUnlock = BinaryStateEncoder.encode(new StateFrame(older, 8, List.of(
        new Reading(Property.CENTRAL_LOCK, older, "UNLOCKED"),
        new Reading(Property.DOORS, older, "CLOSED")), 0));
    double staleBefore = counter(gw, "fleetgate_properties_dropped_total", "reason", "stale");
    assertEquals(Mqtt5PubAckReasonCode.SUCCESS, publishV5(c, stateTopic(u), olderUnlock));
    assertEquals("LOCKED", reading(gw, u, Property.CENTRAL_LOCK).value(), "the older reading must not win");
    assertEquals("CLOSED", reading(gw, u, Property.DOORS).value(), "a property the newer frame lacked is merged");
    assertEquals(staleBefore + 1, counter(gw, "fleetgate_properties_dropped_total", "reason", "stale"));
    // a per-property timestamp newer than the frame's own wins for that property only
    String mixed = """
        {"ts": "2026-11-21T10:05:00Z", "state": {"central_lock": "UNLOCKED",
          "mileage_in_kilometers": {"value": 10300, "timestamp": "2026-11-21T10:20:00Z"}}}""";
    assertEquals(Mqtt5PubAckReasonCode.SUCCESS, publishV5(c, stateTopic(u), utf8(mixed)));
    assertEquals("LOCKED", reading(gw, u, Property.CENTRAL_LOCK).value());
    assertEquals(10300.0, reading(gw, u, Property.MILEAGE_IN_KILOMETERS).value());
    c.disconnect();
  }

  @Test
  void propertiesWithoutCapabilityAreDroppedAndCounted() {
    Unit u = provision(gw, List.of(Property.POSITION, Property.MILEAGE_IN_KILOMETERS));
    Mqtt3BlockingClient c = connectedV3(gw, u);
    double before = counter(gw, "fleetgate_properties_dropped_total", "reason", "not_capable");
    c.publishWith().topic(stateTopic(u)).qos(MqttQos.AT_LEAST_ONCE).payload(utf8(CONTRACT_JSON)).send();
    assertEquals(new Position(52.52, 13.405), reading(gw, u, Property.POSITION).value());
    assertNull(reading(gw, u, Property.CENTRAL_LOCK), "central_lock is not a capability of this vehicle");
    assertEquals(before + 1, counter(gw, "fleetgate_properties_dropped_total", "reason", "not_capable"));
    c.disconnect();
  }

  @Test
  void commandResultStateIsAppliedAndOwnCommandsTopicIsGranted() {
    Unit u = provision(gw);
    Mqtt5BlockingClient c = connectedV5(gw, u);
    assertEquals(List.of(Mqtt5SubAckReasonCode.GRANTED_QOS_1),
        c.subscribeWith().topicFilter("units/" + u.id() + "/commands").qos(MqttQos.AT_LEAST_ONCE).send().getReasonCodes());
    String result = """
        {"id": "8d7f6a3e-52b1-4c8e-9a51-3f1c2b7e9d10", "status": "SUCCEEDED",
         "state": {"central_lock": {"value": "UNLOCKED", "timestamp": "2026-11-21T10:30:00Z"}}}""";
    double before = counter(gw, "fleetgate_command_results_total", "protocol", "mqtt", "status", "succeeded");
    assertEquals(Mqtt5PubAckReasonCode.SUCCESS, publishV5(c, "units/" + u.id() + "/command-results", utf8(result)));
    assertEquals("UNLOCKED", reading(gw, u, Property.CENTRAL_LOCK).value());
    assertEquals(before + 1, counter(gw, "fleetgate_command_results_total", "protocol", "mqtt", "status", "succeeded"));
    c.disconnect();
  }

  @Test
  void manyQos1FramesInFlightAreAllAppliedAndAcknowledged() {
    Unit u = provision(gw);
    Mqtt5BlockingClient c = connectedV5(gw, u);
    long base = System.currentTimeMillis() - 60_000;
    List<java.util.concurrent.CompletableFuture<?>> sent = new java.util.ArrayList<>();
    for (int i = 0; i < 300; i++) {
      long ts = base + i;
      byte[] frame = BinaryStateEncoder.encode(new StateFrame(ts, i, List.of(
          new Reading(Property.MILEAGE_IN_KILOMETERS, ts, (double) i)), 0));
      sent.add(c.toAsync().publishWith().topic(stateTopic(u)).qos(MqttQos.AT_LEAST_ONCE).payload(frame).send());
    }
    sent.forEach(java.util.concurrent.CompletableFuture::join);
    assertEquals(299.0, reading(gw, u, Property.MILEAGE_IN_KILOMETERS).value());
    c.disconnect();
  }
}
