package io.fleetgate.device.mqtt;

import io.fleetgate.device.OrderedAcks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The session's small parts, without a network. */
class MqttSessionPartsTest {

  @Test
  void pubacksLeaveInArrivalOrderWhateverOrderHandOffsFinish() {
    List<String> sent = new ArrayList<>();
    OrderedAcks<MqttPubAckReasonCode> acks = new OrderedAcks<>((id, code) -> sent.add(id + ":" + code.value()));
    OrderedAcks<MqttPubAckReasonCode>.Pending a = acks.add(1);
    OrderedAcks<MqttPubAckReasonCode>.Pending b = acks.add(2);
    OrderedAcks<MqttPubAckReasonCode>.Pending c = acks.add(3);
    c.complete(MqttPubAckReasonCode.SUCCESS);
    b.complete(MqttPubAckReasonCode.PAYLOAD_FORMAT_INVALID);
    assertEquals(List.of(), sent, "nothing overtakes PUBLISH 1");
    a.complete(MqttPubAckReasonCode.SUCCESS);
    assertEquals(List.of("1:0", "2:-103", "3:0"), sent);
    assertEquals(0, acks.size());
  }

  @Test
  void invalidFrameLimitCountsWithinASlidingMinute() {
    InvalidFrameWindow w = new InvalidFrameWindow(3);
    assertFalse(w.record(0));
    assertFalse(w.record(10_000));
    assertTrue(w.record(59_999), "three within a minute");
    InvalidFrameWindow slow = new InvalidFrameWindow(3);
    assertFalse(slow.record(0));
    assertFalse(slow.record(30_000));
    assertFalse(slow.record(60_000), "the first fell out of the minute");
    assertTrue(slow.record(61_000));
  }

  @Test
  void keepAliveIsTheClientsCappedAndZeroIsTheCap() {
    assertEquals(60, MqttUnitSession.effectiveKeepAlive(60, 300));
    assertEquals(300, MqttUnitSession.effectiveKeepAlive(0, 300));
    assertEquals(300, MqttUnitSession.effectiveKeepAlive(65535, 300));
  }

  @Test
  void aUnitMayUseOnlyItsOwnTopics() {
    MqttTopics t = MqttTopics.of("U1");
    assertEquals(MqttTopics.Publish.STATE, t.publish("units/U1/state"));
    assertEquals(MqttTopics.Publish.COMMAND_RESULTS, t.publish("units/U1/command-results"));
    for (String other : List.of("units/U2/state", "units/U1/commands", "units/U1/state/x", "units/+/state", "units/U1", "")) {
      assertEquals(MqttTopics.Publish.FORBIDDEN, t.publish(other), other);
    }
    assertTrue(t.maySubscribe("units/U1/commands"));
    for (String other : List.of("units/+/commands", "units/#", "#", "units/U2/commands", "units/U1/state")) {
      assertFalse(t.maySubscribe(other), other);
    }
  }
}
