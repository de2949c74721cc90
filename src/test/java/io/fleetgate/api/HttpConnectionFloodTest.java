package io.fleetgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 12: one address opened thousands of idle HTTP connections and every other caller, health probes
 * included, got connection resets. Idle connections now count from accept, per address and in all; over a
 * cap a connection is answered 503 (a probe its answer) or closed at accept, and everyone else is served.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HttpConnectionFloodTest {
  private static final String ATTACKER = "127.0.0.2";
  private static final String OTHER = "127.0.0.3";

  /** Idle connections stay for the test (the header timeout is long); small caps. */
  private static TestGateway gateway() {
    return TestGateway.start(Map.of("http.maxConnections", 30, "http.maxConnectionsPerAddress", 20,
        "http.requestHeaderTimeoutSeconds", 60));
  }

  @Test
  void oneAddressHoldingItsCapCostsOthersNothing() throws Exception {
    try (TestGateway gw = gateway()) {
      int port = gw.gateway.httpPort();
      // the JVM's one-time warm-up client may still hold a connection for an instant: counted in the caps, it
      // would let one of ours be closed at accept and then free its slot, so a probe below would be served
      // on a keep-alive slot instead of on probation
      TestGateway.eventually("no connection left from the start-up", () -> open(gw) == 0);
      List<Socket> idle = new ArrayList<>();
      try {
        for (int i = 0; i < 20; i++) {
          idle.add(RawHttp.open(ATTACKER, port)); // connect, send nothing
        }
        TestGateway.eventually("20 idle connections counted from accept", () -> open(gw) == 20);

        // over its cap, the attacker's next connection is refused with a 503, then closed
        try (Socket over = RawHttp.open(ATTACKER, port)) {
          RawHttp.Response r = RawHttp.exchange(over, RawHttp.get("/vehicles"));
          assertEquals(503, r.status(), r.toString());
          assertTrue(r.body().contains("\"type\":\"/problems/service-unavailable\""), r.body());
          assertTrue(r.body().contains("maxConnectionsPerAddress"), r.body());
          assertEquals("5", r.header("Retry-After"));
          assertTrue(RawHttp.endsWithin(over, 3000), "closed after the 503");
        }
        // a flood of further idle connections from it is closed (at accept, or after a short probation)
        List<Socket> flood = new ArrayList<>();
        try {
          for (int i = 0; i < 100; i++) {
            flood.add(RawHttp.open(ATTACKER, port));
          }
          for (Socket s : flood) {
            assertTrue(RawHttp.closedWithin(s, 4000), "an idle connection over the cap is closed");
          }
        } finally {
          closeAll(flood);
        }
        TestGateway.eventually("the attacker still holds only its cap", () -> open(gw) == 20);

        // everyone else: REST and both probes, on one keep-alive connection
        String token = gw.token("fleet-a", Permission.VEHICLES_RO);
        try (Socket other = RawHttp.open(OTHER, port)) {
          assertEquals(200, RawHttp.exchange(other, RawHttp.get("/health/live")).status());
          assertEquals(200, RawHttp.exchange(other, RawHttp.get("/health/ready")).status());
          assertEquals(200, RawHttp.exchange(other, RawHttp.get("/vehicles", "Authorization: Bearer " + token)).status());
        }
        assertTrue(gw.gateway.metrics.get("fleetgate_http_connections_refused").tag("reason", "max_connections_per_address")
            .counter().count() >= 101, "refusals are counted");

        // slots free up when the attacker closes: its next connection is served again
        closeAll(idle.subList(0, 5));
        TestGateway.eventually("freed slots", () -> open(gw) == 15);
        try (Socket again = RawHttp.open(ATTACKER, port)) {
          assertEquals(200, RawHttp.exchange(again, RawHttp.get("/health/live")).status());
          assertEquals(200, RawHttp.exchange(again, RawHttp.get("/health/live")).status(), "kept alive: a served slot");
        }
      } finally {
        closeAll(idle);
      }
    }
  }

  @Test
  void whenEverySlotIsTakenProbesAreStillAnsweredAndOthersGet503() throws Exception {
    try (TestGateway gw = gateway()) {
      int port = gw.gateway.httpPort();
      // the JVM's one-time warm-up client may still hold a connection for an instant: counted in the caps, it
      // would let one of ours be closed at accept and then free its slot, so a probe below would be served
      // on a keep-alive slot instead of on probation
      TestGateway.eventually("no connection left from the start-up", () -> open(gw) == 0);
      List<Socket> idle = new ArrayList<>();
      try {
        for (int i = 0; i < 20; i++) {
          idle.add(RawHttp.open(ATTACKER, port));
        }
        for (int i = 0; i < 10; i++) {
          idle.add(RawHttp.open("127.0.0.4", port));
        }
        TestGateway.eventually("30 idle connections: the total cap", () -> open(gw) == 30);

        try (Socket probe = RawHttp.open(OTHER, port)) {
          RawHttp.Response r = RawHttp.exchange(probe, RawHttp.get("/health/ready"));
          assertEquals(200, r.status(), "the readiness probe is answered: " + r);
          assertTrue(RawHttp.endsWithin(probe, 3000), "then closed");
        }
        try (Socket probe = RawHttp.open(OTHER, port)) {
          assertEquals(200, RawHttp.exchange(probe, RawHttp.get("/health/live")).status(), "liveness too");
        }
        try (Socket rest = RawHttp.open("127.0.0.5", port)) {
          RawHttp.Response r = RawHttp.exchange(rest, RawHttp.get("/vehicles"));
          assertEquals(503, r.status(), r.toString());
          assertTrue(r.body().contains("http.maxConnections reached"), r.body());
          assertEquals("5", r.header("Retry-After"));
        }
        assertTrue(gw.gateway.metrics.get("fleetgate_http_connections_refused").tag("reason", "max_connections")
            .counter().count() >= 3);

        closeAll(idle.subList(20, 30));
        TestGateway.eventually("freed slots", () -> open(gw) == 20);
        try (Socket rest = RawHttp.open("127.0.0.5", port)) {
          assertEquals(401, RawHttp.exchange(rest, RawHttp.get("/vehicles")).status(), "served again (no token: 401)");
          assertEquals(200, RawHttp.exchange(rest, RawHttp.get("/health/live")).status(), "kept alive");
        }
      } finally {
        closeAll(idle);
      }
    }
  }

  private static double open(TestGateway gw) {
    return gw.gateway.metrics.get("fleetgate_http_connections").gauge().value();
  }

  private static void closeAll(List<Socket> sockets) {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
