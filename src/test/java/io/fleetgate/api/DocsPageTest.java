package io.fleetgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /docs}: an HTML page whose every asset comes from the gateway itself. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DocsPageTest {
  private static final Pattern ASSET = Pattern.compile("(?:src|href)=\"([^\"]+)\"");
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static HttpResponse<Buffer> get(String path) throws Exception {
    Future<HttpResponse<Buffer>> f = gw.http.get(path).send();
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void pageIsHtmlAndEveryAssetLoadsFromTheGateway() throws Exception {
    HttpResponse<Buffer> page = get("/docs");
    assertEquals(200, page.statusCode());
    assertEquals("text/html; charset=utf-8", page.getHeader("Content-Type"));
    assertTrue(page.getHeader("Content-Security-Policy").startsWith("default-src 'self'"));
    String html = page.bodyAsString();
    List<String> assets = new ArrayList<>();
    Matcher m = ASSET.matcher(html);
    while (m.find()) {
      assets.add(m.group(1));
    }
    assertTrue(assets.containsAll(List.of("/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/fleetgate-docs.js")), assets.toString());
    for (String asset : assets) {
      assertTrue(asset.startsWith("/docs/"), "an asset from elsewhere: " + asset);
      HttpResponse<Buffer> r = get(asset);
      assertEquals(200, r.statusCode(), asset);
      assertTrue(r.body().length() > 0, asset);
      String type = r.getHeader("Content-Type");
      if (asset.endsWith(".js")) {
        assertTrue(type.contains("javascript"), asset + " " + type);
      } else if (asset.endsWith(".css")) {
        assertTrue(type.startsWith("text/css"), asset + " " + type);
      }
    }
  }

  @Test
  void nothingOfOursReferencesAnotherHost() throws Exception {
    String html = get("/docs").bodyAsString();
    String init = get("/docs/fleetgate-docs.js").bodyAsString();
    for (String text : List.of(html, init)) {
      assertFalse(text.contains("http://") || text.contains("https://") || text.contains("//cdn"), text);
    }
    assertTrue(init.contains("url: \"/openapi.yaml\""), init);
    // Swagger UI's default validator badge would send the description to an external service
    assertTrue(init.contains("validatorUrl: null"), init);
  }

  @Test
  void onlyTheAssetsThePageNeedsAreServed() throws Exception {
    // the webjar's own page and initializer load a demo API from the internet: never served
    for (String path : List.of("/docs/index.html", "/docs/swagger-initializer.js", "/docs/oauth2-redirect.html",
        "/docs/nope.js")) {
      HttpResponse<Buffer> r = get(path);
      assertEquals(404, r.statusCode(), path);
      assertEquals("application/problem+json", r.getHeader("Content-Type"), path);
    }
  }
}
