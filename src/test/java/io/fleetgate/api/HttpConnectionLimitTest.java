package io.fleetgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * http.maxConnections: a connection over the bound gets 503 problem JSON with Retry-After (a health probe its
 * answer) and is closed; freed slots serve again.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpConnectionLimitTest {

  @Test
  void connectionsOverTheBoundAreRefusedWith503AndFreedSlotsServeAgain() throws Exception {
    try (TestGateway gw = TestGateway.start(Map.of("http.maxConnections", 2))) {
      int port = gw.gateway.httpPort();
      try (Socket a = RawHttp.open("127.0.0.1", port); Socket b = RawHttp.open("127.0.0.1", port)) {
        assertEquals(200, RawHttp.exchange(a, RawHttp.get("/health/live")).status(), "first connection served");
        assertEquals(200, RawHttp.exchange(b, RawHttp.get("/health/live")).status(), "second connection served");
        try (Socket c = RawHttp.open("127.0.0.1", port)) {
          RawHttp.Response r = RawHttp.exchange(c, RawHttp.get("/vehicles"));
          assertEquals(503, r.status(), "third connection is refused: " + r);
          assertTrue(r.body().contains("/problems/service-unavailable"), r.body());
          assertEquals("5", r.header("Retry-After"));
          assertEquals("close", r.header("Connection"));
          assertTrue(RawHttp.endsWithin(c, 3000), "and closed");
        }
        try (Socket probe = RawHttp.open("127.0.0.1", port)) {
          assertEquals(200, RawHttp.exchange(probe, RawHttp.get("/health/live")).status(), "a probe over the bound is answered");
          assertTrue(RawHttp.endsWithin(probe, 3000), "and closed");
        }
      }
      // both slots are free again once their sockets close: keep-alive works again
      TestGateway.eventually("the slots are given back", () -> gw.gateway.metrics.get("fleetgate_http_connections").gauge().value() == 0);
      try (Socket d = RawHttp.open("127.0.0.1", port)) {
        assertEquals(200, RawHttp.exchange(d, RawHttp.get("/health/live")).status());
        assertEquals(200, RawHttp.exchange(d, RawHttp.get("/health/live")).status(), "a new connection is served after others closed");
      }
    }
  }
}
