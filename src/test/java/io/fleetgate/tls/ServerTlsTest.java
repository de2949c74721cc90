package io.fleetgate.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.Gateway;
import io.fleetgate.TestGateway;
import io.fleetgate.config.ConfigException;
import io.fleetgate.config.ConfigLoader;
import io.fleetgate.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** tls.* start-up checks (one clear line naming the setting) and HTTPS on the API port (http.tls). */
@Timeout(60)
class ServerTlsTest {
  static TestCertificates certs;
  static Vertx vertx;

  @BeforeAll
  static void setUp() {
    certs = TestCertificates.create();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void tearDown() {
    vertx.close();
  }

  private static Map<String, Object> tls(Path cert, Path key, Path ca) {
    Map<String, Object> m = new HashMap<>();
    m.put("tls.cert", cert.toString());
    m.put("tls.key", key.toString());
    if (ca != null) {
      m.put("tls.clientCa", ca.toString());
    }
    return m;
  }

  private static String refusal(Map<String, Object> settings) {
    ConfigException e = assertThrows(ConfigException.class, () -> ServerTls.load(vertx, ConfigLoader.of(settings).tls()));
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void goodFilesLoad() {
    ServerTls tls = ServerTls.load(vertx, ConfigLoader.of(tls(certs.serverCertPem, certs.serverKeyPem, certs.caPem)).tls());
    assertTrue(tls.clientCertificates());
    assertTrue(tls.engineName().equals("openssl") || tls.engineName().equals("jdk"));
    assertEquals("jdk", ServerTls.load(vertx, ConfigLoader.of(with(tls(certs.serverCertPem, certs.serverKeyPem, null),
        "tls.engine", "jdk")).tls()).engineName());
    assertEquals(null, ServerTls.load(vertx, ConfigLoader.of(Map.of()).tls()), "no tls.cert, no TLS");
  }

  @Test
  void badFilesNameTheirSetting() throws Exception {
    Path garbage = Files.writeString(certs.dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----\n");
    Path empty = Files.writeString(certs.dir.resolve("empty.pem"), "");
    assertTrue(refusal(tls(garbage, certs.serverKeyPem, null)).startsWith("tls.cert (FLEETGATE_TLS_CERT)"));
    assertTrue(refusal(tls(empty, certs.serverKeyPem, null)).startsWith("tls.cert (FLEETGATE_TLS_CERT)"));
    assertTrue(refusal(tls(certs.serverCertPem, garbage, null)).startsWith("tls.key (FLEETGATE_TLS_KEY)"));
    assertTrue(refusal(tls(certs.serverCertPem, certs.serverCertPem, null)).startsWith("tls.key (FLEETGATE_TLS_KEY)"));
    Path otherKey = certs.write("other-key.pem", certs.client("x").keys().getPrivate());
    String mismatch = refusal(tls(certs.serverCertPem, otherKey, null));
    assertTrue(mismatch.startsWith("tls.key (FLEETGATE_TLS_KEY)") && mismatch.contains("not the private key"), mismatch);
    assertTrue(refusal(tls(certs.serverCertPem, certs.serverKeyPem, empty)).startsWith("tls.clientCa (FLEETGATE_TLS_CLIENT_CA)"));
    assertTrue(refusal(tls(certs.serverCertPem, certs.serverKeyPem, garbage)).startsWith("tls.clientCa (FLEETGATE_TLS_CLIENT_CA)"));
    assertTrue(refusal(tls(certs.dir.resolve("missing.pem"), certs.serverKeyPem, null)).startsWith("tls.cert (FLEETGATE_TLS_CERT)"));
  }

  @Test
  void inconsistentSettingsAreRefused() {
    assertTrue(refusal(Map.of("tls.key", certs.serverKeyPem.toString())).startsWith("tls.key"));
    assertTrue(refusal(Map.of("tls.clientCa", certs.caPem.toString())).startsWith("tls.clientCa"));
    assertTrue(refusal(Map.of("http.tls", true)).startsWith("http.tls (FLEETGATE_HTTP_TLS)"));
    assertTrue(refusal(with(tls(certs.serverCertPem, certs.serverKeyPem, null), "tls.engine", "gnutls")).startsWith("tls.engine"));
    assertTrue(refusal(with(tls(certs.serverCertPem, certs.serverKeyPem, null), "http.tls", "maybe")).startsWith("http.tls"));
  }

  @Test
  void gatewayRefusesToStartWithABadKey() {
    GatewayConfig config = ConfigLoader.of(tls(certs.serverCertPem, certs.caPem, null));
    Vertx v = Vertx.vertx();
    try {
      Throwable failure = v.executeBlocking(() -> Gateway.start(v, config, Gateway.newMetrics())).compose(f -> f)
          .toCompletionStage().toCompletableFuture().handle((g, e) -> e).get(20, TimeUnit.SECONDS);
      assertTrue(failure != null && failure.getMessage().contains("tls.key"), String.valueOf(failure));
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      v.close();
    }
  }

  @Test
  void httpsOnTheApiPortWithTheJdkEngine() throws Exception {
    Map<String, Object> settings = with(tls(certs.serverCertPem, certs.serverKeyPem, null), "http.tls", true);
    settings.put("tls.engine", "jdk");
    settings.put("mqtt.tlsPort", 0);
    settings.put("tcp.tlsPort", 0);
    try (TestGateway gw = TestGateway.start(settings)) {
      WebClient https = WebClient.create(gw.vertx, new WebClientOptions().setSsl(true)
          .setTrustOptions(new PemTrustOptions().addCertPath(certs.caPem.toString())).setVerifyHost(true));
      HttpResponse<Buffer> r = https.get(gw.gateway.httpPort(), "localhost", "/health/live").send()
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode());
      assertEquals("UP", new JsonObject(r.bodyAsString()).getString("status"));
      // plain HTTP on that port gets nowhere
      WebClient plain = WebClient.create(gw.vertx);
      assertThrows(Exception.class, () -> plain.get(gw.gateway.httpPort(), "127.0.0.1", "/health/live").send()
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS).statusCode());
    }
  }

  private static Map<String, Object> with(Map<String, Object> m, String key, Object value) {
    Map<String, Object> copy = new HashMap<>(m);
    copy.put(key, value);
    return copy;
  }
}
