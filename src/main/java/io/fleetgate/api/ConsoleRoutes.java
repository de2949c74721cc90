package io.fleetgate.api;

import io.fleetgate.config.GatewayConfig;
import io.fleetgate.problem.Problems;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /console/}: the operator console, a page app of plain ES modules that uses only the public API,
 * served entirely from the jar. Only the files listed here are served (a test checks each is on the class
 * path); everything else under {@code /console/} is a 404. Our own files are revalidated on every load (they
 * change with the jar); the vendored Leaflet sits under a versioned path and may be cached for a year.
 */
public final class ConsoleRoutes implements RouteGroup {
  static final String PREFIX = "/console/";
  static final String LEAFLET_ROOT = "META-INF/resources/webjars/leaflet/1.9.4/dist/";
  /** Served name → class-path location. */
  static final Map<String, String> ASSETS = assets();
  /** Our files: revalidated; the rest (versioned vendor paths): cached. */
  private static final String OWN_CACHE = "no-cache";
  private static final String VENDOR_CACHE = "public, max-age=31536000, immutable";

  private final Map<String, CachedResource> files = new LinkedHashMap<>();
  private final CachedResource page;
  private final String csp;
  private final Buffer settings;

  public ConsoleRoutes(Vertx vertx, GatewayConfig.Console console) {
    ASSETS.forEach((name, path) -> files.put(name, new CachedResource(vertx, path)));
    this.page = new CachedResource(vertx, "console/index.html");
    this.csp = contentSecurityPolicy(console.tileOrigin());
    this.settings = new JsonObject().put("tile_url", console.tileUrl())
        .put("tile_attribution", console.tileAttribution()).toBuffer();
  }

  /** The allow-list: served name under {@code /console/} → class-path location. */
  public static Map<String, String> assetNames() {
    return ASSETS;
  }

  private static Map<String, String> assets() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String own : new String[] {"console.css", "app.js", "api.js", "dom.js", "stream.js", "labels.js",
        "views/signin.js", "views/nav.js", "views/vehicles.js", "views/vehicle.js", "views/map.js",
        "views/sharing.js", "views/archive.js", "views/events.js", "views/fleets.js", "favicon.svg"}) {
      m.put(own, "console/" + own);
    }
    m.put("vendor/leaflet-1.9.4/leaflet.js", LEAFLET_ROOT + "leaflet.js");
    m.put("vendor/leaflet-1.9.4/leaflet.css", LEAFLET_ROOT + "leaflet.css");
    return Map.copyOf(m);
  }

  /**
   * Scripts, styles and connections from this origin only; no inline script or style elements (style
   * attributes set from script, which Leaflet uses to place markers, are CSSOM and allowed); no framing;
   * images from the tile server only when one is configured.
   */
  public static String contentSecurityPolicy(String tileOrigin) {
    String tiles = tileOrigin == null ? "" : " " + tileOrigin;
    return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:" + tiles
        + "; connect-src 'self'" + tiles + "; font-src 'self'; manifest-src 'self'; frame-ancestors 'none'; "
        + "base-uri 'none'; form-action 'self'; object-src 'none'";
  }

  @Override
  public void mount(Router router, ApiSupport api) {
    router.get(PREFIX).handler(ctx -> send(ctx, page, "text/html; charset=utf-8", "no-store"));
    router.get(PREFIX + "*")
        .putMetadata(DocsRoutes.UNDOCUMENTED, "the operator console's assets")
        .handler(this::asset);
  }

  private void asset(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (path.length() < PREFIX.length()) {
      ctx.redirect(PREFIX); // "/console" (the wildcard route matches it too)
      return;
    }
    String name = path.substring(PREFIX.length());
    if (name.equals("settings.json")) {
      headers(ctx, "application/json", "no-store").end(settings);
      return;
    }
    CachedResource file = files.get(name);
    if (file == null) {
      ctx.fail(Problems.notFound("resource"));
      return;
    }
    send(ctx, file, contentType(name), name.startsWith("vendor/") ? VENDOR_CACHE : OWN_CACHE);
  }

  static String contentType(String name) {
    if (name.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    }
    if (name.endsWith(".css")) {
      return "text/css; charset=utf-8";
    }
    if (name.endsWith(".svg")) {
      return "image/svg+xml";
    }
    return "text/html; charset=utf-8";
  }

  private void send(RoutingContext ctx, CachedResource resource, String contentType, String cache) {
    resource.get().onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else {
        headers(ctx, contentType, cache).end(ar.result());
      }
    });
  }

  private io.vertx.core.http.HttpServerResponse headers(RoutingContext ctx, String contentType, String cache) {
    return ctx.response()
        .putHeader("Content-Type", contentType)
        .putHeader("Cache-Control", cache)
        .putHeader("Content-Security-Policy", csp)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer");
  }
}
