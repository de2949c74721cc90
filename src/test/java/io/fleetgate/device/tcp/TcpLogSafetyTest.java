package io.fleetgate.device.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.LogCapture;
import io.fleetgate.TestGateway;
import io.fleetgate.device.PreLoginLog;
import io.fleetgate.protocol.tcp.TcpMessage.Login;
import io.fleetgate.protocol.tcp.TcpMessage.LoginAck;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The TCP side of the contract's log rules: a LOGIN's unit id is logged escaped; garbage before LOGIN is one short, rate-limited line. */
@Timeout(60)
class TcpLogSafetyTest {
  private static final String FORGED = "u\nSEVERE fleetgate.api: database corrupted\u001b[31m";
  private static final String ESCAPED = "u\\nSEVERE fleetgate.api: database corrupted\\u001b[31m";

  @Test
  void loginUnitIdIsLoggedEscapedOnOneLine() {
    try (TestGateway gw = TestGateway.start(); LogCapture log = LogCapture.start()) {
      try (RawUnit unit = new RawUnit(gw.gateway.tcpPort()).send(new Login(FORGED, "wrong-password"))) {
        assertEquals(new LoginAck(1), unit.read());
        assertTrue(unit.closedByGateway());
      }
      TestGateway.eventually("the refusal is logged", () -> !log.printedContaining("login refused").isEmpty());
      log.assertOneLineEach();
      assertTrue(log.printedContaining("login refused").get(0).contains("'" + ESCAPED + "'"), log.printed().toString());
    }
  }

  @Test
  void garbageBeforeLoginIsOneShortLineRateLimitedAndTheServerKeepsServing() {
    try (TestGateway gw = TestGateway.start(); LogCapture log = LogCapture.start()) {
      int connections = 40;
      long start = System.nanoTime();
      List<RawUnit> units = new ArrayList<>();
      try {
        for (int i = 0; i < connections; i++) {
          units.add(new RawUnit(gw.gateway.tcpPort()).write(("GET / HTTP/1.1\r\n" + FORGED + "\r\n\r\n").getBytes(StandardCharsets.UTF_8)));
        }
        for (RawUnit u : units) {
          u.read(); // ERROR 1 (bad frame)
          assertTrue(u.closedByGateway());
        }
      } finally {
        units.forEach(RawUnit::close);
      }
      TestGateway.eventually("a line is logged", () -> !log.printedContaining("before login").isEmpty());
      long seconds = (System.nanoTime() - start) / 1_000_000_000L + 1;
      log.assertOneLineEach();
      List<String> lines = log.printedContaining("before login");
      assertTrue(lines.size() <= PreLoginLog.LINES_PER_SECOND * (seconds + 1), lines.size() + " lines in " + seconds + " s");
      assertTrue(lines.stream().allMatch(l -> l.length() < 300), lines.toString());
      TcpDeviceTest.Unit good = TcpDeviceTest.provision(gw);
      TcpDeviceTest.loggedIn(gw, good).close(); // LOGIN_ACK 0: still serving
    }
  }
}
