package io.fleetgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slowloris: a header byte every few seconds kept a connection open past 160 s. A request head must now be
 * complete within http.requestHeaderTimeoutSeconds (2 s here) of accept or of the previous response, and a
 * body must average http.minBodyBytesPerSecond once that much time has passed; slow but honest clients pass.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HttpSlowClientTest {
  private static final long TIMEOUT_MS = 2000;
  /** The sweep runs every 250 ms; a busy machine adds some. */
  private static final long SLACK_MS = 1500;

  private static TestGateway gateway() {
    return TestGateway.start(Map.of("http.requestHeaderTimeoutSeconds", 2, "http.minBodyBytesPerSecond", 1024));
  }

  @Test
  void aHeadTrickledByteByByteIsClosedWithinTheTimeout() throws Exception {
    try (TestGateway gw = gateway(); Socket s = RawHttp.open("127.0.0.2", gw.gateway.httpPort())) {
      byte[] head = RawHttp.get("/health/live").getBytes(StandardCharsets.US_ASCII);
      long start = System.currentTimeMillis();
      boolean closed = false;
      for (int i = 0; i < head.length - 2 && !closed; i++) {
        try {
          s.getOutputStream().write(head[i]);
          s.getOutputStream().flush();
        } catch (IOException e) {
          closed = true; // the gateway closed it and our write was reset
          break;
        }
        closed = RawHttp.closedWithin(s, 500);
      }
      long took = System.currentTimeMillis() - start;
      assertTrue(closed, "the slowloris connection was closed");
      assertTrue(took < TIMEOUT_MS + SLACK_MS, "closed after " + took + " ms");
      assertTrue(took >= TIMEOUT_MS - 300, "not before the timeout: " + took + " ms");
      assertEquals(1.0, gw.gateway.metrics.get("fleetgate_http_connections_closed").tag("reason", "header_timeout")
          .counter().count());
    }
  }

  @Test
  void anIdleConnectionIsClosedButASlowCompleteHeadIsServed() throws Exception {
    try (TestGateway gw = gateway()) {
      int port = gw.gateway.httpPort();
      try (Socket idle = RawHttp.open("127.0.0.2", port)) {
        assertTrue(RawHttp.closedWithin(idle, TIMEOUT_MS + SLACK_MS), "a connection that sends nothing is closed");
      }
      try (Socket slow = RawHttp.open("127.0.0.3", port)) {
        byte[] head = RawHttp.get("/health/live").getBytes(StandardCharsets.US_ASCII);
        int third = head.length / 3;
        OutputStream out = slow.getOutputStream();
        out.write(head, 0, third);
        out.flush();
        assertFalse(RawHttp.closedWithin(slow, 400));
        out.write(head, third, third);
        out.flush();
        assertFalse(RawHttp.closedWithin(slow, 400));
        out.write(head, 2 * third, head.length - 2 * third);
        out.flush();
        slow.setSoTimeout(5000);
        assertEquals(200, RawHttp.read(slow).status(), "a head completed within the timeout is served");
        // keep-alive: the next head is due within the timeout of that response, not sooner
        assertFalse(RawHttp.closedWithin(slow, TIMEOUT_MS / 2));
        assertEquals(200, RawHttp.exchange(slow, RawHttp.get("/health/live")).status());
        assertTrue(RawHttp.closedWithin(slow, TIMEOUT_MS + SLACK_MS), "an idle keep-alive connection is closed");
      }
    }
  }

  @Test
  void aSlowBodyIsClosedAndAnHonestSlowBodyIsRead() throws Exception {
    try (TestGateway gw = gateway()) {
      int port = gw.gateway.httpPort();
      try (Socket s = RawHttp.open("127.0.0.2", port)) {
        OutputStream out = s.getOutputStream();
        out.write(post(8000, gw.adminToken()).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        long start = System.currentTimeMillis();
        boolean closed = false;
        while (!closed && System.currentTimeMillis() - start < TIMEOUT_MS + 2 * SLACK_MS) {
          try {
            out.write("          ".getBytes(StandardCharsets.US_ASCII)); // 20 bytes/s
            out.flush();
          } catch (IOException e) {
            closed = true;
            break;
          }
          closed = RawHttp.closedWithin(s, 500);
        }
        long took = System.currentTimeMillis() - start;
        assertTrue(closed, "a body at 20 bytes/s is closed");
        assertTrue(took < TIMEOUT_MS + 1000 + SLACK_MS, "closed after " + took + " ms");
        assertEquals(1.0, gw.gateway.metrics.get("fleetgate_http_connections_closed").tag("reason", "slow_body")
            .counter().count());
      }
      try (Socket s = RawHttp.open("127.0.0.3", port)) {
        // 6,000 bytes at 2,000 bytes/s: longer than the grace (the timeout), faster than the minimum rate
        OutputStream out = s.getOutputStream();
        out.write(post(6000, gw.adminToken()).getBytes(StandardCharsets.US_ASCII));
        byte[] chunk = " ".repeat(500).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 12; i++) {
          if (i > 0) {
            assertFalse(RawHttp.closedWithin(s, 250), "an honest slow body is not cut");
          }
          out.write(chunk);
          out.flush();
        }
        s.setSoTimeout(5000);
        RawHttp.Response r = RawHttp.read(s);
        assertEquals(400, r.status(), "the whole body was read and judged (blanks are not JSON): " + r);
      }
    }
  }

  /** An authenticated POST whose body the gateway reads before it answers. */
  private static String post(int length, String token) {
    return "POST /fleets HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer " + token
        + "\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n";
  }
}
