package io.fleetgate.console;

import static io.fleetgate.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.api.ConsoleRoutes;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /console/}: the page, its allow-listed assets (each really on the class path), the security headers a
 * browser enforces, and a token endpoint that does not make the browser pop its own password dialog.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConsoleServingTest {
  private static final Pattern ASSET = Pattern.compile("(?:src|href)=\"(/[^\"]+)\"");
  private static final Pattern IMPORT = Pattern.compile("from '(\\.{1,2}/[^']+)'");
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static HttpResponse<Buffer> get(String path) {
    return await(gw.http.get(path).send());
  }

  @Test
  void everyAllowListedAssetIsServedFromTheClassPath() {
    for (var e : ConsoleRoutes.assetNames().entrySet()) {
      assertNotNull(getClass().getClassLoader().getResource(e.getValue()), "not on the class path: " + e.getValue());
      HttpResponse<Buffer> r = get("/console/" + e.getKey());
      assertEquals(200, r.statusCode(), e.getKey());
      assertTrue(r.body().length() > 0, e.getKey());
      String cache = r.getHeader("Cache-Control");
      assertEquals(e.getKey().startsWith("vendor/") ? "public, max-age=31536000, immutable" : "no-cache", cache, e.getKey());
    }
  }

  @Test
  void pageAndScriptsReferenceOnlyServedAssets() {
    HttpResponse<Buffer> page = get("/console/");
    assertEquals(200, page.statusCode());
    assertEquals("no-store", page.getHeader("Cache-Control"));
    assertEquals("text/html; charset=utf-8", page.getHeader("Content-Type"));
    Matcher m = ASSET.matcher(page.bodyAsString());
    int found = 0;
    while (m.find()) {
      assertEquals(200, get(m.group(1)).statusCode(), m.group(1));
      found++;
    }
    assertEquals(5, found);
    // every relative import of every module resolves to a served file
    for (String name : ConsoleRoutes.assetNames().keySet()) {
      if (!name.endsWith(".js") || name.startsWith("vendor/")) {
        continue;
      }
      String text = get("/console/" + name).bodyAsString();
      assertFalse(text.contains("innerHTML") || text.contains("insertAdjacentHTML") || text.contains("localStorage")
          || text.contains("document.cookie") || text.contains("bindPopup") || text.contains("access_token="), name);
      Matcher im = IMPORT.matcher(text);
      while (im.find()) {
        String target = java.net.URI.create("http://x/console/" + name).resolve(im.group(1)).getPath();
        assertEquals(200, get(target).statusCode(), name + " imports " + target);
      }
    }
  }

  @Test
  void strictSecurityHeadersOnEveryConsoleResponse() {
    for (String path : List.of("/console/", "/console/app.js", "/console/vendor/leaflet-1.9.4/leaflet.js",
        "/console/settings.json")) {
      HttpResponse<Buffer> r = get(path);
      String csp = r.getHeader("Content-Security-Policy");
      assertTrue(csp.startsWith("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"), csp);
      assertTrue(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'") && !csp.contains("unsafe"), csp);
      assertEquals("nosniff", r.getHeader("X-Content-Type-Options"), path);
      assertEquals("no-referrer", r.getHeader("Referrer-Policy"), path);
      assertEquals("DENY", r.getHeader("X-Frame-Options"), path);
    }
    assertEquals("{\"tile_url\":null,\"tile_attribution\":null}", get("/console/settings.json").bodyAsString());
  }

  @Test
  void aConfiguredTileServerIsTheOnlyOtherOriginAllowed() {
    String csp = ConsoleRoutes.contentSecurityPolicy("https://*.tile.example.org");
    assertTrue(csp.contains("img-src 'self' data: https://*.tile.example.org;"), csp);
    assertTrue(csp.contains("connect-src 'self' https://*.tile.example.org;"), csp);
    assertTrue(csp.contains("script-src 'self';"), csp);
  }

  @Test
  void anythingElseUnderConsoleIs404ProblemJson() {
    for (String path : List.of("/console/index.html.bak", "/console/../console/nope.js", "/console/vendor/leaflet-1.9.4/leaflet-src.js",
        "/console/vendor/leaflet-1.9.4/images/marker-icon.png", "/console/views/", "/console/axe.min.js")) {
      HttpResponse<Buffer> r = get(path);
      assertEquals(404, r.statusCode(), path);
      assertEquals("application/problem+json", r.getHeader("Content-Type"), path);
    }
    HttpResponse<Buffer> bare = await(gw.http.get("/console").followRedirects(false).send());
    assertEquals(302, bare.statusCode());
    assertEquals("/console/", bare.getHeader("Location"));
  }

  @Test
  void aWrongSecretInTheFormGetsNoBasicChallengeButBasicStillDoes() {
    HttpResponse<Buffer> form = await(gw.http.post("/auth/oauth/token").sendForm(MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "client_credentials").add("client_id", TestGateway.ADMIN_ID).add("client_secret", "wrong-secret")));
    assertEquals(401, form.statusCode());
    assertEquals("Unauthorized", form.bodyAsJsonObject().getString("title"));
    assertNull(form.getHeader("WWW-Authenticate"), "a form login must not trigger the browser's Basic dialog");
    HttpResponse<Buffer> unknown = await(gw.http.post("/auth/oauth/token").sendForm(MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "client_credentials").add("client_id", "nobody").add("client_secret", "")));
    assertEquals(401, unknown.statusCode());
    assertNull(unknown.getHeader("WWW-Authenticate"));
    String basic = "Basic " + java.util.Base64.getEncoder().encodeToString((TestGateway.ADMIN_ID + ":wrong").getBytes());
    HttpResponse<Buffer> viaBasic = await(gw.http.post("/auth/oauth/token").putHeader("Authorization", basic)
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")));
    assertEquals(401, viaBasic.statusCode());
    assertEquals("Basic realm=\"fleetgate\"", viaBasic.getHeader("WWW-Authenticate"));
  }
}
