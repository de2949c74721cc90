package io.fleetgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** http.maxConnections: connections over the bound are closed at once; freed slots serve again. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpConnectionLimitTest {

  @Test
  void connectionsOverTheBoundAreClosedAndFreedSlotsServeAgain() throws Exception {
    try (TestGateway gw = TestGateway.start(Map.of("http.maxConnections", 2))) {
      int port = gw.gateway.httpPort();
      try (Socket a = new Socket("127.0.0.1", port); Socket b = new Socket("127.0.0.1", port)) {
        assertTrue(get(a).startsWith("HTTP/1.1 200"), "first connection served");
        assertTrue(get(b).startsWith("HTTP/1.1 200"), "second connection served");
        try (Socket c = new Socket("127.0.0.1", port)) {
          c.setSoTimeout(5000);
          c.getOutputStream().write(request());
          assertEquals(-1, c.getInputStream().read(), "third connection is closed without an answer");
        }
      }
      // both slots are free again once their sockets close
      long deadline = System.currentTimeMillis() + 5000;
      String answer = "";
      while (System.currentTimeMillis() < deadline && !answer.startsWith("HTTP/1.1 200")) {
        try (Socket d = new Socket("127.0.0.1", port)) {
          answer = get(d);
        } catch (java.io.IOException e) {
          Thread.sleep(50);
        }
      }
      assertTrue(answer.startsWith("HTTP/1.1 200"), "a new connection is served after others closed");
    }
  }

  private static byte[] request() {
    return "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  }

  /** One keep-alive request on the socket; returns the start of the answer ("" when closed). */
  private static String get(Socket s) throws Exception {
    s.setSoTimeout(5000);
    OutputStream out = s.getOutputStream();
    out.write(request());
    out.flush();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[512];
    int n = in.read(buf);
    return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
  }
}
