package io.fleetgate.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, from a chosen loopback source address (Linux routes all of 127.0.0.0/8 to
 * the loopback), for tests that play an attacker: idle connections, heads and bodies trickled byte by byte.
 */
final class RawHttp {
  private RawHttp() {}

  /** A response as read: status, head (lower-cased header names kept as sent) and body. */
  record Response(int status, String head, String body) {
    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  /** A connected socket from {@code source} (e.g. "127.0.0.2") to the gateway's port on 127.0.0.1. */
  static Socket open(String source, int port) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(source, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(10_000);
    return s;
  }

  static String get(String path, String... headers) {
    StringBuilder sb = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: gateway\r\n");
    for (String h : headers) {
      sb.append(h).append("\r\n");
    }
    return sb.append("\r\n").toString();
  }

  /** Sends {@code request} and reads one whole response (Content-Length bodies only). */
  static Response exchange(Socket s, String request) throws IOException {
    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return read(s);
  }

  /** Reads one response; fails with an IOException when the connection ends first. */
  static Response read(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before a response" + (head.size() > 0 ? " (partial: " + head + ")" : ""));
      }
      head.write(b);
    }
    String h = head.toString(StandardCharsets.ISO_8859_1);
    int status = Integer.parseInt(h.substring(9, 12));
    int length = 0;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    return new Response(status, h, new String(body, StandardCharsets.UTF_8));
  }

  /**
   * True when the peer closes the connection within {@code ms} (end of stream or reset) without sending
   * anything; false when it is still open then. Fails if bytes arrive.
   */
  static boolean closedWithin(Socket s, long ms) throws IOException {
    s.setSoTimeout((int) ms);
    try {
      int b = s.getInputStream().read();
      if (b >= 0) {
        byte[] more = new byte[300];
        int n = s.getInputStream().read(more);
        throw new AssertionError("expected no answer, got: " + (char) b + new String(more, 0, Math.max(0, n), StandardCharsets.ISO_8859_1));
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true; // reset
    }
  }

  /** Whether the connection ends (after whatever the peer sent) within {@code ms}. */
  static boolean endsWithin(Socket s, long ms) throws IOException {
    s.setSoTimeout((int) ms);
    long deadline = System.currentTimeMillis() + ms;
    try {
      while (System.currentTimeMillis() < deadline) {
        if (s.getInputStream().read() < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true;
    }
  }
}
