package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.fleet.ApiClient;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behind a reverse proxy listed in http.trustedProxies, the token endpoint counts failures under the address
 * the proxy forwarded (X-Forwarded-For): one failing client behind the proxy does not lock out another; the
 * same header from an address that is not a trusted proxy is ignored.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TokenLockoutBehindProxyTest {
  static final String PROXY = "127.0.0.40";
  static final String SECRET = "the-right-secret-0123456789";

  @Test
  void failuresAreCountedUnderTheForwardedAddressOnlyFromATrustedProxy() {
    try (TestGateway gw = TestGateway.start(Map.of("rate.tokenFailuresPerMinute", 4,
        "rate.tokenFailuresPerClientPerMinute", 4, "http.trustedProxies", PROXY))) {
      gw.fleet("proxied");
      String clientId = "cl_" + UUID.randomUUID();
      gw.gateway.directory.put(new ApiClient(clientId, "proxied", "t", EnumSet.of(Permission.VEHICLES_RO),
          await(gw.gateway.secrets.hash(SECRET)), Instant.now()));
      WebClient proxy = client(gw, PROXY);
      WebClient direct = client(gw, "127.0.0.41");
      for (int i = 0; i < 6; i++) {
        token(proxy, "198.51.100.7", clientId, "wrong-" + i);
      }
      assertEquals(429, token(proxy, "198.51.100.7", clientId, SECRET), "the failing client behind the proxy is limited");
      assertEquals(200, token(proxy, "198.51.100.8", clientId, SECRET), "another client behind the same proxy is not");
      // a direct caller claiming to be the limited address is counted under its own socket address
      assertEquals(200, token(direct, "198.51.100.7", clientId, SECRET));
      proxy.close();
      direct.close();
    }
  }

  private static WebClient client(TestGateway gw, String from) {
    return WebClient.create(gw.vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(gw.gateway.httpPort()).setLocalAddress(from));
  }

  private static int token(WebClient from, String forwardedFor, String clientId, String secret) {
    return await(from.post(AuthRoutes.TOKEN_PATH).putHeader("X-Forwarded-For", forwardedFor)
        .basicAuthentication(clientId, secret)
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials"))).statusCode();
  }
}
