package io.fleetgate.api;

import io.fleetgate.problem.Problems;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.Set;

/**
 * {@code GET /docs}: the API reference, rendered by Swagger UI from {@code /openapi.yaml}, entirely from the jar
 * (no CDN, no validator badge, nothing fetched from another host). Our page and initializer replace the
 * webjar's own, which point at a demo API on the internet; of the webjar only the few assets the page loads
 * are served.
 */
public final class DocsRoutes implements RouteGroup {
  /** Route metadata marking routes that are not API operations (so the OpenAPI description omits them). */
  public static final String UNDOCUMENTED = "fleetgate.undocumented";
  static final String SWAGGER_UI_ROOT = "META-INF/resources/webjars/swagger-ui/5.34.1";
  static final Set<String> SWAGGER_ASSETS = Set.of("swagger-ui.css", "swagger-ui-bundle.js", "favicon-16x16.png",
      "favicon-32x32.png");
  static final String INITIALIZER = "fleetgate-docs.js";
  /** The page loads only from this origin; Swagger UI's "try it out" calls the API on this origin too. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
      + "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  private final CachedResource page;
  private final CachedResource initializer;

  public DocsRoutes(Vertx vertx) {
    this.page = new CachedResource(vertx, "docs/index.html");
    this.initializer = new CachedResource(vertx, "docs/" + INITIALIZER);
  }

  @Override
  public void mount(Router router, ApiSupport api) {
    router.get("/docs").handler(ctx -> send(ctx, page, "text/html; charset=utf-8"));
    router.get("/docs/*")
        .putMetadata(UNDOCUMENTED, "static assets of the /docs page")
        .handler(this::asset)
        .handler(StaticHandler.create(SWAGGER_UI_ROOT).setDirectoryListing(false).setMaxAgeSeconds(86_400));
  }

  private void asset(RoutingContext ctx) {
    String name = ctx.normalizedPath().substring("/docs/".length());
    if (name.isEmpty()) {
      ctx.redirect("/docs");
    } else if (name.equals(INITIALIZER)) {
      send(ctx, initializer, "text/javascript; charset=utf-8");
    } else if (SWAGGER_ASSETS.contains(name)) {
      ctx.next();
    } else {
      ctx.fail(Problems.notFound("resource"));
    }
  }

  private static void send(RoutingContext ctx, CachedResource resource, String contentType) {
    resource.get().onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      ctx.response()
          .putHeader("Content-Type", contentType)
          .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
          .putHeader("X-Content-Type-Options", "nosniff")
          .end(ar.result());
    });
  }
}
