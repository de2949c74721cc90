package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.config.ConfigException;
import io.fleetgate.config.ConfigLoader;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code http.publicBaseUrl}: what the discovery document names, whatever {@code Host} a request carries. */
@Timeout(60)
class PublicBaseUrlTest {

  @Test
  void configuredBaseUrlIsServedWhateverTheHostHeader() {
    try (TestGateway gw = TestGateway.start(Map.of("http.publicBaseUrl", "https://api.fleet.example/gw/"))) {
      for (String host : new String[] {"evil.example", "api.fleet.example", "evil.example:443"}) {
        HttpResponse<Buffer> r = await(gw.http.get("/.well-known/openid-configuration").putHeader("Host", host).send());
        assertEquals(200, r.statusCode());
        JsonObject c = r.bodyAsJsonObject();
        assertEquals("https://api.fleet.example/gw/auth/oauth/token", c.getString("token_endpoint"));
        assertEquals("https://api.fleet.example/gw/.well-known/jwks.json", c.getString("jwks_uri"));
      }
    }
  }

  @Test
  void wildcardBindNamesLocalhostAndIpv6LiteralsAreBracketed() {
    assertEquals("localhost", PublicBaseUrl.hostOf("0.0.0.0"));
    assertEquals("localhost", PublicBaseUrl.hostOf("::"));
    assertEquals("localhost", PublicBaseUrl.hostOf("[::]"));
    assertEquals("[::1]", PublicBaseUrl.hostOf("::1"));
    assertEquals("gw.internal", PublicBaseUrl.hostOf("gw.internal"));
  }

  @Test
  void badValuesStopStartUpNamingTheSetting(@TempDir Path dir) throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.json"), "{}");
    for (String bad : new String[] {"api.fleet.example", "ftp://api.fleet.example", "https://api.fleet.example/?x=1",
        "https://api.fleet.example/#top", "https://user:pw@api.fleet.example", "https:///no-host", "not a url"}) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> ConfigLoader.load(empty, Map.of("FLEETGATE_HTTP_PUBLIC_BASE_URL", bad)), bad);
      assertTrue(e.getMessage().startsWith("http.publicBaseUrl (FLEETGATE_HTTP_PUBLIC_BASE_URL): "), e.getMessage());
      assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
    assertEquals("https://api.fleet.example:8443",
        ConfigLoader.load(empty, Map.of("FLEETGATE_HTTP_PUBLIC_BASE_URL", "https://api.fleet.example:8443")).http().publicBaseUrl());
  }
}
