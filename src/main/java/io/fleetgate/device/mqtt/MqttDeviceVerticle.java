package io.fleetgate.device.mqtt;

import io.fleetgate.config.GatewayConfig;
import io.fleetgate.ops.ConnectionBudget;
import io.fleetgate.device.DeviceServices;
import io.fleetgate.device.PreLoginLog;
import io.fleetgate.support.PortBound;
import io.fleetgate.tls.ServerTls;
import io.fleetgate.vehicle.TelematicsUnit;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.util.List;
import java.util.logging.Logger;

/**
 * The MQTT device listener (3.1.1 and 5.0), plain or TLS: binds the server with bounded packets and a CONNECT timeout and
 * gives every connection its own {@link MqttUnitSession}. One instance per event loop, sharing the port.
 */
public final class MqttDeviceVerticle extends VerticleBase implements PortBound {
  private static final Logger LOG = Logger.getLogger("fleetgate.mqtt");

  private final String host;
  private final int port;
  private final GatewayConfig.Mqtt config;
  private final ConnectionBudget budget;
  private final DeviceServices services;
  private final PreLoginLog preLogin;
  /** Null for the plain listener. */
  private final ServerTls tls;
  private MqttServer server;

  public MqttDeviceVerticle(String host, int port, GatewayConfig.Mqtt config, ConnectionBudget budget, PreLoginLog preLogin,
      DeviceServices services) {
    this(host, port, config, budget, preLogin, services, null);
  }

  /** With {@code tls}: the TLS listener, asking for client certificates when a client CA is configured. */
  public MqttDeviceVerticle(String host, int port, GatewayConfig.Mqtt config, ConnectionBudget budget, PreLoginLog preLogin,
      DeviceServices services, ServerTls tls) {
    this.preLogin = preLogin;
    this.tls = tls;
    this.host = host;
    this.port = port;
    this.config = config;
    this.budget = budget;
    this.services = services;
  }

  /**
   * One-time JVM work that must not be charged to an event loop: loads and initialises the codecs (Jackson
   * included) and the session's classes by decoding sample frames. Call it once before deploying, from a
   * thread that may block.
   */
  public static void warmUp() {
    long ts = 1_700_000_000_000L;
    byte[] json = ("{\"ts\": " + ts + ", \"seq\": 1, \"state\": {\"central_lock\": \"LOCKED\", "
        + "\"position\": {\"lat\": 1, \"lon\": 2}, \"ignition\": {\"value\": \"ON\", \"timestamp\": \"2023-11-14T22:13:20Z\"}}}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    io.fleetgate.protocol.json.JsonStateDecoder.decode(json, ts);
    io.fleetgate.protocol.binary.BinaryStateDecoder.decode(new byte[] {1, 0, 0, 1, -117, -49, -27, 104, 0, 0, 0, 0, 1, 0}, ts);
    io.fleetgate.protocol.json.CommandResultDecoder.decode(("{\"id\": \"8d7f6a3e-52b1-4c8e-9a51-3f1c2b7e9d10\", "
        + "\"status\": \"FAILED\", \"detail\": \"x\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8), ts);
    for (Class<?> c : List.of(MqttUnitSession.class, io.fleetgate.device.UnitConnection.class,
        io.fleetgate.device.UnitConnection.CloseReason.class, io.fleetgate.device.OrderedAcks.class, InvalidFrameWindow.class, MqttCodes.class,
        EndpointReading.class, MqttTopics.class, io.fleetgate.protocol.FrameException.class,
        io.vertx.mqtt.messages.codes.MqttPubAckReasonCode.class, io.vertx.mqtt.messages.codes.MqttSubAckReasonCode.class,
        io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode.class, io.vertx.mqtt.messages.codes.MqttUnsubAckReasonCode.class)) {
      try {
        Class.forName(c.getName(), true, c.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public Future<?> start() {
    MqttServerOptions options = new MqttServerOptions()
        .setMaxMessageSize(MqttUnitSession.maxMessageSize(config))
        .setTimeoutOnConnect(config.connectTimeoutSeconds())
        .setMaxClientIdLength(TelematicsUnit.ID_MAX)
        .setAutoClientId(false);
    if (tls != null) {
      tls.apply(options, true);
    }
    server = MqttServer.create(vertx, options)
        .endpointHandler(this::onEndpoint)
        .exceptionHandler(e -> LOG.fine(() -> "MQTT connection error: " + e));
    // vertx-mqtt throws out of its read handler when a packet other than CONNECT comes first; unhandled, Vert.x
    // logs that with a stack trace for every such connection. It has closed the socket already: one line is enough.
    context.exceptionHandler(this::uncaught);
    return server.listen(port, host);
  }

  private void onEndpoint(MqttEndpoint endpoint) {
    new MqttUnitSession(endpoint, context, config, budget, preLogin, services).start();
  }

  private void uncaught(Throwable t) {
    String m = t.getMessage();
    if (t instanceof IllegalArgumentException && m != null && m.contains("CONNECT not sent yet")) {
      preLogin.violation(null, "a packet other than CONNECT came first");
    } else {
      LOG.log(java.util.logging.Level.SEVERE, "unexpected failure on the MQTT listener: " + PreLoginLog.describe(t), t);
    }
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  @Override
  public int actualPort() {
    return server.actualPort();
  }
}
