package io.fleetgate.device;

import static io.fleetgate.device.UnitLogins.addVehicle;
import static io.fleetgate.device.UnitLogins.logInAndOut;
import static io.fleetgate.device.UnitLogins.logins;
import static io.fleetgate.device.UnitLogins.refused;
import static io.fleetgate.device.UnitLogins.tcpLogin;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.fleetgate.TestGateway;
import io.fleetgate.TestKeys;
import io.fleetgate.protocol.tcp.TcpMessage.LoginAck;
import io.fleetgate.store.PgTestDatabase;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.Property;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyed verifiers across a restart on the same PostgreSQL database (issue 13): with the same key every unit
 * is admitted at HMAC cost, none pays Argon2, whether the key is hash.verifierKey or derived from jwt.key;
 * with another key each unit pays Argon2 once, its verifier is derived again and stored, and the next
 * restart is fast again. Always on PostgreSQL, so it runs once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnitVerifierRestartTest {
  static final String PASSWORD = "correct-horse-battery";
  static final String WRONG = "wrong-password-1234";

  @TempDir
  Path dir;
  PgTestDatabase database;

  @BeforeEach
  void setUp() {
    Assumptions.assumeFalse(PgTestDatabase.selected(), "always on PostgreSQL: runs in the default suite");
    database = PgTestDatabase.create();
  }

  @AfterEach
  void tearDown() {
    if (database != null) {
      database.close();
    }
  }

  @Test
  void withTheSameVerifierKeyNoUnitPaysArgon2AfterARestart() throws Exception {
    admittedAfterRestartWithoutArgon2(Map.of("hash.verifierKey", key("k").toString()));
  }

  @Test
  void withTheKeyDerivedFromJwtKeyNoUnitPaysArgon2AfterARestart() throws Exception {
    admittedAfterRestartWithoutArgon2(Map.of("jwt.key", TestKeys.write(dir, "jwt.pem", TestKeys.ecP256()).toString()));
  }

  private void admittedAfterRestartWithoutArgon2(Map<String, Object> keySetting) throws Exception {
    Map<String, Object> settings = settings(keySetting);
    String fromRest;
    String legacy = "LEGACY-" + UUID.randomUUID().toString().substring(0, 12);
    try (TestGateway gw = TestGateway.start(settings)) {
      fromRest = addVehicle(gw, PASSWORD);
      gw.provisionUnit(UnitLogins.FLEET, legacy, PASSWORD, Capabilities.ALL_COMMANDS, Arrays.asList(Property.values()));
      logInAndOut(gw, legacy, PASSWORD); // Argon2 once: its verifier is derived and stored
      verifierStored(legacy); // written behind the login (best effort): wait for it before the restart
    }
    try (TestGateway gw = TestGateway.start(settings)) {
      long argon2 = gw.gateway.secrets.argon2Checks();
      logInAndOut(gw, fromRest, PASSWORD);
      logInAndOut(gw, legacy, PASSWORD);
      assertEquals(LoginAck.OK, tcpLogin(gw, fromRest, PASSWORD));
      assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refused(gw, fromRest, WRONG));
      assertEquals(argon2, gw.gateway.secrets.argon2Checks());
      assertEquals(3, logins(gw, "keyed"));
    }
  }

  @Test
  void anotherKeyCostsOneArgon2PerUnitThenTheNewVerifierIsStored() throws Exception {
    String unitId;
    try (TestGateway gw = TestGateway.start(settings(Map.of("hash.verifierKey", key("old").toString())))) {
      unitId = addVehicle(gw, PASSWORD);
    }
    Map<String, Object> rotated = settings(Map.of("hash.verifierKey", key("new").toString()));
    try (TestGateway gw = TestGateway.start(rotated)) {
      long argon2 = gw.gateway.secrets.argon2Checks();
      // the stored verifier is under the old key: not a mismatch (that would refuse the right password) but unknown
      assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refused(gw, unitId, WRONG));
      logInAndOut(gw, unitId, PASSWORD);
      assertEquals(argon2 + 2, gw.gateway.secrets.argon2Checks());
      assertEquals(1, logins(gw, "argon2"));
      logInAndOut(gw, unitId, PASSWORD);
      assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refused(gw, unitId, WRONG));
      assertEquals(argon2 + 2, gw.gateway.secrets.argon2Checks(), "re-derived under the new key");
      verifierStored(unitId);
    }
    try (TestGateway gw = TestGateway.start(rotated)) {
      long argon2 = gw.gateway.secrets.argon2Checks();
      logInAndOut(gw, unitId, PASSWORD);
      assertEquals(argon2, gw.gateway.secrets.argon2Checks(), "the re-derived verifier was stored");
      assertEquals(1, logins(gw, "keyed"));
    }
  }

  /** The unit's row has a keyed verifier (derived after a slow login, written behind it). */
  private void verifierStored(String unitId) {
    TestGateway.eventually("the keyed verifier of " + unitId + " is stored", () -> database.count(
        "SELECT count(*) FROM telematics_units WHERE id = '" + unitId + "' AND keyed_verifier IS NOT NULL") == 1);
  }

  private Map<String, Object> settings(Map<String, Object> keySetting) {
    Map<String, Object> s = new HashMap<>(keySetting);
    s.put("db.url", database.url);
    return s;
  }

  /** A file with 32 random bytes in base64, as {@code openssl rand -base64 32} writes it. */
  private Path key(String name) throws Exception {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    return Files.writeString(dir.resolve(name), Base64.getEncoder().encodeToString(raw) + "\n");
  }
}
