package io.fleetgate.device.mqtt;

import io.fleetgate.device.ConnectRefusedException;
import io.fleetgate.protocol.FrameException;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;

/**
 * The one place where fleetgate outcomes become MQTT answers, per protocol version. 3.1.1 has no reason
 * codes beyond CONNACK; where the contract wants a 5.0 reason code, 3.1.1 gets either a plain PUBACK or a
 * closed connection (decided by the session).
 */
final class MqttCodes {
  private MqttCodes() {}

  static MqttConnectReturnCode connack(ConnectRefusedException.Reason reason, boolean v5) {
    return switch (reason) {
      case BAD_CREDENTIALS -> v5
          ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
          : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD;
      case TOO_MANY_CONNECTIONS -> v5
          ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
          : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
      case SERVER_BUSY -> v5
          ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY
          : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
      case SERVER_UNAVAILABLE -> v5
          ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
          : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE;
    };
  }

  /** PUBACK reason of a frame the gateway could decode or not; 3.1.1 acknowledges an invalid frame plainly. */
  static MqttPubAckReasonCode puback(Throwable failure, boolean v5) {
    if (failure == null || !v5) {
      return MqttPubAckReasonCode.SUCCESS;
    }
    return failure instanceof FrameException ? MqttPubAckReasonCode.PAYLOAD_FORMAT_INVALID : MqttPubAckReasonCode.UNSPECIFIED_ERROR;
  }
}
