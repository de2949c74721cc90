package io.fleetgate.device.tcp;

import io.fleetgate.config.GatewayConfig;
import io.fleetgate.device.DeviceServices;
import io.fleetgate.device.PreLoginLog;
import io.fleetgate.support.PortBound;
import io.fleetgate.tls.ServerTls;
import io.fleetgate.ops.ConnectionBudget;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.logging.Logger;

/**
 * The TCP binary device listener, plain or TLS: binds the server and gives every connection its
 * own {@link TcpUnitSession}. One instance per event loop, sharing the port.
 */
public final class TcpDeviceVerticle extends VerticleBase implements PortBound {
  private static final Logger LOG = Logger.getLogger("fleetgate.tcp");

  private final String host;
  private final int port;
  private final GatewayConfig.Tcp config;
  private final ConnectionBudget budget;
  private final DeviceServices services;
  private final PreLoginLog preLogin;
  /** Null for the plain listener. */
  private final ServerTls tls;
  private NetServer server;

  public TcpDeviceVerticle(String host, int port, GatewayConfig.Tcp config, ConnectionBudget budget, PreLoginLog preLogin,
      DeviceServices services) {
    this(host, port, config, budget, preLogin, services, null);
  }

  /** With {@code tls}: the TLS listener, asking for client certificates when a client CA is configured. */
  public TcpDeviceVerticle(String host, int port, GatewayConfig.Tcp config, ConnectionBudget budget, PreLoginLog preLogin,
      DeviceServices services, ServerTls tls) {
    this.preLogin = preLogin;
    this.tls = tls;
    this.host = host;
    this.port = port;
    this.config = config;
    this.budget = budget;
    this.services = services;
  }

  @Override
  public Future<?> start() {
    NetServerOptions options = new NetServerOptions().setTcpNoDelay(true);
    if (tls != null) {
      tls.apply(options, true);
    }
    server = vertx.createNetServer(options)
        .connectHandler(this::onConnect)
        .exceptionHandler(e -> LOG.fine(() -> "TCP connection error: " + e));
    return server.listen(port, host);
  }

  private void onConnect(NetSocket socket) {
    io.fleetgate.device.FlushCoalescing.install(socket); // one write for the STATE_ACKs a commit releases
    new TcpUnitSession(socket, context, config, budget, preLogin, services).start();
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
