package io.fleetgate.device.mqtt;

import io.vertx.core.net.NetSocket;
import io.vertx.mqtt.MqttEndpoint;
import java.lang.reflect.Field;
import java.util.logging.Logger;

/**
 * Pauses and resumes reading from an MQTT endpoint's socket. vertx-mqtt 5.0 has no pause/resume on
 * {@link MqttEndpoint}, so this reaches the endpoint's socket (its private {@code conn} field) once per
 * connection. If a future vertx-mqtt renames the field, back-pressure degrades to a no-op (logged once at
 * start-up) instead of failing connections; MQTT 5 units are still bounded by the Receive Maximum the
 * gateway announces in CONNACK.
 */
final class EndpointReading {
  private static final Logger LOG = Logger.getLogger("fleetgate.mqtt");
  private static final Field CONN = connField();

  private final NetSocket socket;

  EndpointReading(MqttEndpoint endpoint) {
    this.socket = socketOf(endpoint);
    if (socket != null) {
      io.fleetgate.device.FlushCoalescing.install(socket); // one write for the PUBACKs a commit releases
    }
  }

  void pause() {
    if (socket != null) {
      socket.pause();
    }
  }

  void resume() {
    if (socket != null) {
      socket.resume();
    }
  }

  private static NetSocket socketOf(MqttEndpoint endpoint) {
    if (CONN == null || !CONN.getDeclaringClass().isInstance(endpoint)) {
      return null;
    }
    try {
      return (NetSocket) CONN.get(endpoint);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static Field connField() {
    try {
      Field f = Class.forName("io.vertx.mqtt.impl.MqttEndpointImpl").getDeclaredField("conn");
      if (!NetSocket.class.isAssignableFrom(f.getType())) {
        throw new NoSuchFieldException("conn is a " + f.getType());
      }
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warning("MQTT back-pressure unavailable (vertx-mqtt internals changed: " + e + "); in-flight frames are not bounded by pausing");
      return null;
    }
  }
}
