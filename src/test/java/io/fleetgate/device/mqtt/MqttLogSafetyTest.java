package io.fleetgate.device.mqtt;

import static io.fleetgate.device.mqtt.MqttTestSupport.assertClosedWithin;
import static io.fleetgate.device.mqtt.MqttTestSupport.packet;
import static io.fleetgate.device.mqtt.MqttTestSupport.rawConnect;
import static io.fleetgate.device.mqtt.MqttTestSupport.rawSocket;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.LogCapture;
import io.fleetgate.TestGateway;
import io.fleetgate.device.PreLoginLog;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Strings a unit chose reach the log escaped, and what a connection does wrong before CONNECT is one short,
 * rate-limited line (contract, "Connections"). A forged line would read as the gateway's own SEVERE record.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MqttLogSafetyTest {
  /** A newline, then a line that looks like the gateway's own, then an ANSI colour. */
  private static final String FORGED = "u\nSEVERE fleetgate.api: database corrupted\u001b[31m";
  private static final String ESCAPED = "u\\nSEVERE fleetgate.api: database corrupted\\u001b[31m";

  @Test
  void userNameAndClientIdAreLoggedEscapedOnOneLine() throws Exception {
    try (TestGateway gw = TestGateway.start(); LogCapture log = LogCapture.start()) {
      try (Socket s = rawSocket(gw)) {
        s.getOutputStream().write(rawConnect(FORGED, FORGED, "wrong-password", 30));
        assertClosedWithin(s, 10_000);
      }
      TestGateway.eventually("the refusal is logged", () -> !log.printedContaining("login refused").isEmpty());
      log.assertOneLineEach();
      assertTrue(log.printedContaining("login refused").get(0).contains("'" + ESCAPED + "'"), log.printed().toString());
    }
  }

  @Test
  void overLongClientIdIsLoggedEscapedCutAndOnOneLine() throws Exception {
    try (TestGateway gw = TestGateway.start(); LogCapture log = LogCapture.start()) {
      String longId = FORGED + "x".repeat(2_000); // within the packet limit, far beyond a unit id
      try (Socket s = rawSocket(gw)) {
        s.getOutputStream().write(rawConnect(longId, longId, "pw", 30));
        assertClosedWithin(s, 10_000);
      }
      TestGateway.eventually("the refusal is logged", () -> !log.printedContaining(ESCAPED).isEmpty());
      log.assertOneLineEach();
      assertTrue(log.printedContaining(ESCAPED).get(0).length() < 400, log.printed().toString());
    }
  }

  @Test
  void publishBeforeConnectIsOneShortLineRateLimitedAndTheServerKeepsServing() throws Exception {
    try (TestGateway gw = TestGateway.start(); LogCapture log = LogCapture.start()) {
      byte[] publish = packet(0x30, new byte[] {0, 3, 'a', '/', 'b', 'x'});
      int connections = 40;
      long start = System.nanoTime();
      List<Socket> sockets = new ArrayList<>();
      try {
        for (int i = 0; i < connections; i++) {
          Socket s = rawSocket(gw);
          sockets.add(s);
          s.getOutputStream().write(publish);
        }
        for (Socket s : sockets) {
          assertClosedWithin(s, 10_000);
        }
      } finally {
        for (Socket s : sockets) {
          s.close();
        }
      }
      TestGateway.eventually("a line is logged", () -> !log.printedContaining("before login").isEmpty());
      long seconds = (System.nanoTime() - start) / 1_000_000_000L + 1;
      log.assertOneLineEach();
      List<String> lines = log.printedContaining("before login");
      assertTrue(lines.size() <= PreLoginLog.LINES_PER_SECOND * (seconds + 1), lines.size() + " lines in " + seconds + " s");
      assertTrue(lines.stream().allMatch(l -> l.length() < 300), lines.toString());
      assertEquals(List.of(), log.printedContaining("Unhandled exception"));
      MqttTestSupport.assertServesGoodUnit(gw);
    }
  }

  @Test
  void garbageFirstPacketIsOneShortLineAndTheServerKeepsServing() throws Exception {
    try (TestGateway gw = TestGateway.start(); LogCapture log = LogCapture.start()) {
      for (int i = 0; i < 5; i++) {
        try (Socket s = rawSocket(gw)) {
          OutputStream out = s.getOutputStream();
          out.write(("GET / HTTP/1.1\r\nHost: x\r\n" + FORGED + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
          assertClosedWithin(s, 10_000);
        }
      }
      TestGateway.eventually("a line is logged", () -> !log.printedContaining("before login").isEmpty());
      log.assertOneLineEach();
      assertEquals(List.of(), log.printedContaining("SEVERE"));
      MqttTestSupport.assertServesGoodUnit(gw);
    }
  }
}
