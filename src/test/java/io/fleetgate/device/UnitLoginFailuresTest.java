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
 * Online guessing of unit passwords is bounded per (remote address, unit id) (hash.unitFailuresPerMinute) and
 * per remote address (hash.unitFailuresPerAddressPerMinute): with keyed verifiers a wrong guess no longer
 * costs an Argon2, so nothing else slows it down. Past a bound the guessing address's logins are refused like
 * a wrong password until the next minute; the unit itself, connecting from another address, is not locked
 * out; unknown ids are bounded alike.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnitLoginFailuresTest {
  static final String PASSWORD = "correct-horse-battery";
  static final int PER_MINUTE = 3;
  static final int PER_ADDRESS = 8;
  static final TestClock CLOCK = TestClock.now();
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.start(Map.of("hash.unitFailuresPerMinute", PER_MINUTE,
        "hash.unitFailuresPerAddressPerMinute", PER_ADDRESS), CLOCK);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  void guessesPastTheBoundAreRefusedToTheGuesserButTheUnitElsewhereGetsIn() throws Exception {
    String attacked = addVehicle(gw, PASSWORD);
    String bystander = addVehicle(gw, PASSWORD);
    String guesser = "127.0.0.61";
    for (int i = 0; i < PER_MINUTE; i++) {
      assertEquals(LoginAck.BAD_CREDENTIALS, tcpLogin(gw, attacked, "guess-number-000" + i, guesser));
    }
    // the right password does not get through from the guesser: it cannot learn that a guess past the bound was right
    assertEquals(LoginAck.BAD_CREDENTIALS, tcpLogin(gw, attacked, PASSWORD, guesser));
    // the unit itself, from an address that has not failed, is never locked out by someone else's guesses
    assertEquals(LoginAck.OK, tcpLogin(gw, attacked, PASSWORD, "127.0.0.62"));
    logInAndOut(gw, attacked, PASSWORD);
    assertEquals(LoginAck.OK, tcpLogin(gw, bystander, PASSWORD, guesser), "the guesser's bound for one id is not one for others");

    CLOCK.advance(Duration.ofMinutes(1));
    assertEquals(LoginAck.OK, tcpLogin(gw, attacked, PASSWORD, guesser));
  }

  @Test
  void anAddressGuessingAcrossManyIdsIsBoundedInAll() throws Exception {
    String unitId = addVehicle(gw, PASSWORD);
    String sprayer = "127.0.0.63";
    for (int i = 0; i < PER_ADDRESS; i++) {
      assertEquals(LoginAck.BAD_CREDENTIALS, tcpLogin(gw, "SPRAYED-" + i + "-" + UUID.randomUUID(), PASSWORD, sprayer));
    }
    assertEquals(LoginAck.BAD_CREDENTIALS, tcpLogin(gw, unitId, PASSWORD, sprayer), "the address has had its failures");
    assertEquals(LoginAck.OK, tcpLogin(gw, unitId, PASSWORD, "127.0.0.64"));
    CLOCK.advance(Duration.ofMinutes(1));
    assertEquals(LoginAck.OK, tcpLogin(gw, unitId, PASSWORD, sprayer));
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
