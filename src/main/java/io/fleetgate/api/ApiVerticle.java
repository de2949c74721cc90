package io.fleetgate.api;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.fleetgate.ops.ConnectionBudget;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;

/**
 * The REST API listener. Binds the HTTP server and mounts the route groups; no logic of its own. One
 * instance per event loop, all sharing the port.
 */
public final class ApiVerticle extends VerticleBase implements io.fleetgate.Gateway.PortBound {
  private final String host;
  private final int port;
  private final int bodyLimit;
  private final ApiSupport support;
  private final List<RouteGroup> groups;
  private final ConnectionBudget connections;
  /** Null for plain HTTP; else HTTPS with the gateway's certificate (http.tls). */
  private final io.fleetgate.tls.ServerTls tls;
  private HttpServer server;

  public ApiVerticle(String host, int port, int bodyLimit, ApiSupport support, List<RouteGroup> groups,
      ConnectionBudget connections) {
    this(host, port, bodyLimit, support, groups, connections, null);
  }

  public ApiVerticle(String host, int port, int bodyLimit, ApiSupport support, List<RouteGroup> groups,
      ConnectionBudget connections, io.fleetgate.tls.ServerTls tls) {
    this.tls = tls;
    this.host = host;
    this.port = port;
    this.bodyLimit = bodyLimit;
    this.support = support;
    this.groups = groups;
    this.connections = connections;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(FlowIds::assign);
    router.route().handler(ApiVerticle::requireJsonBody);
    router.route().handler(FormInput::checkQuery);
    router.route().handler(BodyHandler.create(false).setBodyLimit(bodyLimit).setHandleFileUploads(false));
    for (RouteGroup g : groups) {
      g.mount(router, support);
    }
    FailureHandler failures = new FailureHandler(bodyLimit);
    router.route().failureHandler(failures::handle);
    router.errorHandler(404, ctx -> FailureHandler.send(ctx, Problems.notFound("resource")));
    router.errorHandler(405, ctx -> FailureHandler.send(ctx, Problems.methodNotAllowed()));
    router.errorHandler(500, failures::handle);
    HttpServerOptions options = new HttpServerOptions()
        .setHost(host)
        .setPort(port)
        .setIdleTimeout(120)
        .setMaxHeaderSize(16 * 1024)
        .setCompressionSupported(true);
    if (tls != null) {
      tls.apply(options, false);
    }
    server = vertx.createHttpServer(options);
    server.connectionHandler(this::admit);
    server.invalidRequestHandler(new InvalidRequests());
    return server.requestHandler(router).listen();
  }

  /** Bounds concurrent HTTP connections (http.maxConnections): over the bound a new connection is closed at once. */
  private void admit(HttpConnection conn) {
    if (!connections.tryAcquire()) {
      conn.close();
      return;
    }
    conn.closeHandler(v -> connections.release());
  }

  /** The port actually bound (useful with port 0). */
  @Override
  public int actualPort() {
    return server.actualPort();
  }

  /**
   * Bodies must be JSON (the token endpoint also takes a form). Checked before the body is read, so a wrong
   * type costs nothing.
   */
  private static void requireJsonBody(RoutingContext ctx) {
    HttpMethod m = ctx.request().method();
    boolean hasBody = m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH;
    String length = ctx.request().getHeader("Content-Length");
    if (!hasBody || "0".equals(length) || (length == null && ctx.request().getHeader("Transfer-Encoding") == null)) {
      ctx.next();
      return;
    }
    String type = ctx.request().getHeader("Content-Type");
    String base = type == null ? "" : type.split(";")[0].trim().toLowerCase();
    boolean json = base.equals("application/json") || base.equals("application/merge-patch+json");
    boolean form = base.equals("application/x-www-form-urlencoded") && ctx.request().path().equals("/auth/oauth/token");
    if (json || form) {
      ctx.next();
    } else {
      ctx.fail(Problems.unsupportedMediaType());
    }
  }
}
