package io.fleetgate.device.mqtt;

import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import java.util.ArrayDeque;
import java.util.function.BiConsumer;

/**
 * The QoS 1 PUBLISHes of a connection that wait for their PUBACK. MQTT requires PUBACKs in the order the
 * PUBLISHes arrived (3.1.1 §4.6), while their hand-offs may finish in any order: a PUBACK is sent once its
 * own hand-off and those of every earlier PUBLISH are done. Event-loop confined.
 */
final class OrderedAcks {
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final BiConsumer<Integer, MqttPubAckReasonCode> send;

  OrderedAcks(BiConsumer<Integer, MqttPubAckReasonCode> send) {
    this.send = send;
  }

  /** Registers a PUBLISH in arrival order; complete the returned slot when its outcome is known. */
  Pending add(int messageId) {
    Pending p = new Pending(messageId);
    queue.addLast(p);
    return p;
  }

  int size() {
    return queue.size();
  }

  private void flush() {
    Pending head;
    while ((head = queue.peekFirst()) != null && head.code != null) {
      queue.pollFirst();
      send.accept(head.messageId, head.code);
    }
  }

  /** One awaited PUBACK. */
  final class Pending {
    private final int messageId;
    private MqttPubAckReasonCode code;

    private Pending(int messageId) {
      this.messageId = messageId;
    }

    void complete(MqttPubAckReasonCode reasonCode) {
      if (code == null) {
        code = reasonCode;
        flush();
      }
    }
  }
}
