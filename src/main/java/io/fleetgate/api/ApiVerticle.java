package io.fleetgate.api;

import io.fleetgate.problem.Problems;
import io.fleetgate.support.PortBound;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;

/**
 * The REST API listener. Binds the HTTP server and mounts the route groups; no logic of its own. One
 * instance per event loop, all sharing the port.
 */
public final class ApiVerticle extends VerticleBase implements PortBound {
  private final String host;
  private final int port;
  private final int bodyLimit;
  private final ApiSupport support;
  private final List<RouteGroup> groups;
  private final HttpConnectionPolicy connections;
  private HttpConnectionGuard guard;
  /** Null for plain HTTP; else HTTPS with the gateway's certificate (http.tls). */
  private final io.fleetgate.tls.ServerTls tls;
  private HttpServer server;

  public ApiVerticle(String host, int port, int bodyLimit, ApiSupport support, List<RouteGroup> groups,
      HttpConnectionPolicy connections) {
    this(host, port, bodyLimit, support, groups, connections, null);
  }

  public ApiVerticle(String host, int port, int bodyLimit, ApiSupport support, List<RouteGroup> groups,
      HttpConnectionPolicy connections, io.fleetgate.tls.ServerTls tls) {
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
    guard = new HttpConnectionGuard(vertx, connections);
    Router router = Router.router(vertx);
    router.route().handler(FlowIds::assign);
    router.route().handler(guard::onRequest);
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
        .setCompressionSupported(true)
        // HTTP/1.1 only. With h2c detection on, Vert.x waits for a connection's first bytes before it calls the
        // connection handler, so idle connections were never counted; and one protocol keeps the limits simple.
        .setHttp2ClearTextEnabled(false)
        .setAlpnVersions(List.of(HttpVersion.HTTP_1_1))
        // a TLS connection is counted once its handshake is done (Vert.x offers no earlier hook): bound that time
        .setSslHandshakeTimeout(connections.headerTimeoutMs())
        .setSslHandshakeTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
    if (tls != null) {
      tls.apply(options, false);
    }
    server = vertx.createHttpServer(options);
    server.connectionHandler(guard::admit);
    server.invalidRequestHandler(new InvalidRequests());
    guard.start();
    return server.requestHandler(router).listen();
  }

  @Override
  public Future<?> stop() {
    guard.stop();
    return Future.succeededFuture();
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
