package io.fleetgate.device;

import static io.fleetgate.device.UnitLogins.addVehicle;
import static io.fleetgate.device.UnitLogins.logInAndOut;
import static io.fleetgate.device.UnitLogins.refused;
import static io.fleetgate.device.UnitLogins.tcpLogin;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.fleetgate.TestClock;
import io.fleetgate.TestGateway;
import io.fleetgate.protocol.tcp.TcpMessage.LoginAck;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Online guessing of unit passwords is bounded per unit id (hash.unitFailuresPerMinute): with keyed verifiers
 * a wrong guess no longer costs an Argon2, so nothing else slows it down. Past the bound the id's logins are
 * refused like a wrong password until the next minute; other units are not affected; unknown ids are bounded
 * alike.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnitLoginFailuresTest {
  static final String PASSWORD = "correct-horse-battery";
  static final int PER_MINUTE = 3;
  static final TestClock CLOCK = TestClock.now();
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.start(Map.of("hash.unitFailuresPerMinute", PER_MINUTE), CLOCK);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  void guessesPastTheBoundAreRefusedEvenWithTheRightPasswordUntilTheNextMinute() throws Exception {
    String attacked = addVehicle(gw, PASSWORD);
    String bystander = addVehicle(gw, PASSWORD);
    for (int i = 0; i < PER_MINUTE; i++) {
      assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refused(gw, attacked, "guess-number-000" + i));
    }
    // the right password does not get through: a guesser cannot learn that a guess past the bound was right
    assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refused(gw, attacked, PASSWORD));
    assertEquals(LoginAck.BAD_CREDENTIALS, tcpLogin(gw, attacked, PASSWORD));
    logInAndOut(gw, bystander, PASSWORD);

    CLOCK.advance(Duration.ofMinutes(1));
    logInAndOut(gw, attacked, PASSWORD);
    assertEquals(LoginAck.OK, tcpLogin(gw, attacked, PASSWORD));
  }

  @Test
  void rightPasswordsAreNeverCountedAndUnknownIdsAreBoundedAlike() throws Exception {
    String unitId = addVehicle(gw, PASSWORD);
    for (int i = 0; i < PER_MINUTE * 3; i++) {
      logInAndOut(gw, unitId, PASSWORD);
    }
    String unknown = "NO-SUCH-UNIT-" + UUID.randomUUID();
    for (int i = 0; i <= PER_MINUTE; i++) {
      assertEquals(LoginAck.BAD_CREDENTIALS, tcpLogin(gw, unknown, PASSWORD));
    }
    assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refused(gw, unknown, PASSWORD));
    logInAndOut(gw, unitId, PASSWORD);
  }
}
