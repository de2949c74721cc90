package io.fleetgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Requests the HTTP codec refuses before any route (too long a URI, too large headers, a malformed request
 * line) get problem JSON like every other error, with a flow id, and the server goes on serving.
 */
@Timeout(60)
class InvalidRequestsTest {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** A raw response: status, headers (lower-case names), body. */
  record Raw(int status, java.util.Map<String, String> headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** Sends {@code request} on a fresh socket and reads until the gateway closes it. */
  static Raw exchange(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", gw.gateway.httpPort())) {
      s.setSoTimeout(10_000);
      try {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
      } catch (SocketException closedEarly) {
        // the gateway may answer and close before the whole request is written: the answer is still there
      }
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = in.read(buf)) >= 0;) {
          got.write(buf, 0, n);
        }
      } catch (SocketException reset) {
        // a reset after the response (unread request bytes): what was read counts
      }
      String text = got.toString(StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      assertTrue(split > 0, "no response head: " + text);
      String[] head = text.substring(0, split).split("\r\n");
      java.util.Map<String, String> headers = new java.util.HashMap<>();
      for (int i = 1; i < head.length; i++) {
        int c = head[i].indexOf(':');
        headers.put(head[i].substring(0, c).trim().toLowerCase(Locale.ROOT), head[i].substring(c + 1).trim());
      }
      return new Raw(Integer.parseInt(head[0].split(" ")[1]), headers, text.substring(split + 4));
    }
  }

  private static void assertProblem(Raw r, int status, String type) {
    assertEquals(status, r.status(), r.body());
    assertEquals("application/problem+json", r.headers().get("content-type"));
    JsonObject body = r.json();
    assertEquals("/problems/" + type, body.getString("type"));
    assertEquals(status, body.getInteger("status"));
    assertNotNull(body.getString("title"));
    assertNotNull(body.getString("detail"));
    assertEquals(r.headers().get("x-flow-id"), body.getString("flow_id"));
    assertNotNull(body.getString("flow_id"));
  }

  private static void assertStillServing() {
    assertEquals(200, TestGateway.await(gw.http.get("/health/live").send()).statusCode());
  }

  @Test
  void twentyKilobyteUriIs414ProblemJson() throws IOException {
    Raw r = exchange("GET /vehicles?x=" + "a".repeat(20 * 1024) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertProblem(r, 414, "uri-too-long");
    assertStillServing();
  }

  @Test
  void fortyKilobyteHeaderIs431ProblemJson() throws IOException {
    Raw r = exchange("GET /vehicles HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(40 * 1024) + "\r\n\r\n");
    assertProblem(r, 431, "request-header-fields-too-large");
    assertStillServing();
  }

  @Test
  void malformedRequestLineIs400ValidationError() throws IOException {
    Raw r = exchange("GET\u0001 /vehicles HTTP/1.1 extra\r\nHost: localhost\r\n\r\n");
    assertProblem(r, 400, "validation-error");
    assertStillServing();
  }

  @Test
  void malformedHeaderIs400ValidationError() throws IOException {
    Raw r = exchange("GET /vehicles HTTP/1.1\r\nHost: localhost\r\nno colon here\r\n\r\n");
    assertProblem(r, 400, "validation-error");
    assertStillServing();
  }
}
