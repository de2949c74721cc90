package io.fleetgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** X-Forwarded-For is believed only from a trusted proxy, and only its right-most untrusted entry. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientAddressTest {
  private static final Set<String> PROXIES = Set.of("127.0.0.2", "10.0.0.9");

  @Test
  void theRuleOnItsOwn() {
    assertEquals("198.51.100.7", ClientAddress.resolve("127.0.0.2", List.of("203.0.113.1, 198.51.100.7"), PROXIES),
        "the right-most entry is what the proxy saw");
    assertEquals("198.51.100.7", ClientAddress.resolve("127.0.0.2", List.of("203.0.113.1, 198.51.100.7", "10.0.0.9"), PROXIES),
        "trusted hops are skipped, over several header lines");
    assertEquals("127.0.0.3", ClientAddress.resolve("127.0.0.3", List.of("198.51.100.7"), PROXIES),
        "from an untrusted address the header is ignored");
    assertEquals("127.0.0.2", ClientAddress.resolve("127.0.0.2", List.of(), PROXIES), "a proxy without the header");
    assertEquals("127.0.0.2", ClientAddress.resolve("127.0.0.2", List.of("evil.example, not-an-ip"), PROXIES),
        "names are never resolved; the proxy's address is kept");
    assertEquals("0:0:0:0:0:0:0:1", ClientAddress.resolve("127.0.0.2", List.of("[::1]"), PROXIES), "IPv6, normalized");
  }

  @Test
  void limitsCountIpv4ByAddressAndIpv6ByItsSlash64() {
    assertEquals("198.51.100.7", ClientAddress.limitKey("198.51.100.7"));
    assertEquals("2001:db8:0:1::/64", ClientAddress.limitKey("2001:db8:0:1:0:0:0:5"));
    assertEquals(ClientAddress.limitKey("2001:db8:0:1:ffff:1:2:3"), ClientAddress.limitKey("2001:db8:0:1:0:0:0:5"),
        "one /64, one key");
    assertNotEquals(ClientAddress.limitKey("2001:db8:0:2:0:0:0:5"), ClientAddress.limitKey("2001:db8:0:1:0:0:0:5"));
  }

  @Test
  void overTheWireFromATrustedAndASpoofingAddress() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer server = vertx.createHttpServer()
          .requestHandler(req -> req.response().end(ClientAddress.of(req, PROXIES)))
          .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      int port = server.actualPort();
      String xff = "X-Forwarded-For: 203.0.113.1, 198.51.100.7";
      try (Socket proxy = RawHttp.open("127.0.0.2", port); Socket spoofer = RawHttp.open("127.0.0.3", port)) {
        assertEquals("198.51.100.7", RawHttp.exchange(proxy, RawHttp.get("/", xff)).body());
        assertEquals("127.0.0.3", RawHttp.exchange(spoofer, RawHttp.get("/", xff)).body(), "spoofed header ignored");
        assertEquals("127.0.0.3", RawHttp.exchange(spoofer, RawHttp.get("/")).body());
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
