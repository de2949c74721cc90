package io.fleetgate.device.mqtt;

import io.fleetgate.Gateway;
import io.fleetgate.config.GatewayConfig;
import io.fleetgate.device.ConnectionBudget;
import io.fleetgate.device.DeviceServices;
import io.fleetgate.vehicle.TelematicsUnit;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.util.logging.Logger;

/**
 * The MQTT device listener (3.1.1 and 5.0): binds the server with bounded packets and a CONNECT timeout and
 * gives every connection its own {@link MqttUnitSession}. One instance per event loop, sharing the port.
 */
public final class MqttDeviceVerticle extends VerticleBase implements Gateway.PortBound {
  private static final Logger LOG = Logger.getLogger("fleetgate.mqtt");

  private final String host;
  private final int port;
  private final GatewayConfig.Mqtt config;
  private final ConnectionBudget budget;
  private final DeviceServices services;
  private MqttServer server;

  public MqttDeviceVerticle(String host, int port, GatewayConfig.Mqtt config, ConnectionBudget budget, DeviceServices services) {
    this.host = host;
    this.port = port;
    this.config = config;
    this.budget = budget;
    this.services = services;
  }

  @Override
  public Future<?> start() {
    MqttServerOptions options = new MqttServerOptions()
        .setMaxMessageSize(MqttUnitSession.maxMessageSize(config))
        .setTimeoutOnConnect(config.connectTimeoutSeconds())
        .setMaxClientIdLength(TelematicsUnit.ID_MAX)
        .setAutoClientId(false);
    server = MqttServer.create(vertx, options)
        .endpointHandler(this::onEndpoint)
        .exceptionHandler(e -> LOG.fine(() -> "MQTT connection error: " + e));
    return server.listen(port, host);
  }

  private void onEndpoint(MqttEndpoint endpoint) {
    new MqttUnitSession(endpoint, context, config, budget, services).start();
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
