package io.fleetgate.device;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static io.fleetgate.device.UnitLogins.FLEET;
import static io.fleetgate.device.UnitLogins.addVehicle;
import static io.fleetgate.device.UnitLogins.connect;
import static io.fleetgate.device.UnitLogins.logins;
import static io.fleetgate.device.UnitLogins.refused;
import static io.fleetgate.device.UnitLogins.tcpLogin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.protocol.tcp.TcpMessage.LoginAck;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.TelematicsUnit;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unit logins checked by the keyed verifier (issue 13): a unit provisioned over REST logs in over MQTT and TCP
 * without a single Argon2 verification; a wrong password and an unknown unit are refused alike, at HMAC cost,
 * without Argon2 either; a unit whose row has no verifier pays Argon2 once and is fast from then on; a password
 * change makes the old password fail at once. Argon2 runs are counted by {@code SecretVerifier#argon2Checks}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class UnitKeyedLoginTest {
    static final String PASSWORD = "correct-horse-battery";
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.start(Map.of());
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  void unitProvisionedOverRestLogsInOverMqttAndTcpWithoutArgon2() throws Exception {
    String unitId = addVehicle(gw, PASSWORD);
    long argon2 = gw.gateway.secrets.argon2Checks();
    double keyed = logins(gw, "keyed");

    Mqtt5BlockingClient c = connect(gw, unitId, PASSWORD);
    c.disconnect();
    assertEquals(LoginAck.OK, tcpLogin(gw, unitId, PASSWORD));
    Mqtt5BlockingClient again = connect(gw, unitId, PASSWORD);
    again.disconnect();

    assertEquals(argon2, gw.gateway.secrets.argon2Checks(), "no Argon2 for a unit whose verifier was made with its password");
    assertEquals(keyed + 3, logins(gw, "keyed"));
  }

  @Test
  void wrongPasswordAndUnknownUnitAreRefusedAlikeWithoutArgon2() throws Exception {
    String unitId = addVehicle(gw, PASSWORD);
    long argon2 = gw.gateway.secrets.argon2Checks();

    assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refused(gw, unitId, "wrong-password-1234"));
    assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refused(gw, "NO-SUCH-UNIT-" + UUID.randomUUID(), PASSWORD));
    assertEquals(LoginAck.BAD_CREDENTIALS, tcpLogin(gw, unitId, "wrong-password-1234"));
    assertEquals(LoginAck.BAD_CREDENTIALS, tcpLogin(gw, "NO-SUCH-UNIT-" + UUID.randomUUID(), PASSWORD));

    // a wrong guess never falls back to Argon2 when a verifier exists: guesses cannot queue slow work
    assertEquals(argon2, gw.gateway.secrets.argon2Checks());
    connect(gw, unitId, PASSWORD).disconnect(); // and the right password still works
  }

  @Test
  void aRowWithoutVerifierPaysArgon2OnceThenLogsInFast() throws Exception {
    // provisionUnit stores only the Argon2 hash: a row written before verifiers existed
    String unitId = "LEGACY-" + UUID.randomUUID().toString().substring(0, 12);
    gw.provisionUnit(FLEET, unitId, PASSWORD, Capabilities.ALL_COMMANDS, Arrays.asList(Property.values()));
    long argon2 = gw.gateway.secrets.argon2Checks();
    double slow = logins(gw, "argon2");

    assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refused(gw, unitId, "wrong-password-1234"));
    assertEquals(argon2 + 1, gw.gateway.secrets.argon2Checks(), "without a verifier only Argon2 can tell");
    connect(gw, unitId, PASSWORD).disconnect();
    assertEquals(argon2 + 2, gw.gateway.secrets.argon2Checks());
    assertEquals(slow + 1, logins(gw, "argon2"));

    TelematicsUnit derived = gw.gateway.registry.unit(unitId);
    assertNotNull(derived.keyedVerifier(), "derived after the slow verification");
    eventually("verifier stored", () -> await(gw.gateway.stores.vehicles().loadUnits()).stream()
        .anyMatch(u -> u.id().equals(unitId) && derived.keyedVerifier().equals(u.keyedVerifier())));

    assertEquals(LoginAck.OK, tcpLogin(gw, unitId, PASSWORD));
    assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refused(gw, unitId, "wrong-password-1234"));
    assertEquals(argon2 + 2, gw.gateway.secrets.argon2Checks(), "fast from then on, for right and wrong passwords");
  }

  @Test
  void passwordChangeInvalidatesTheOldVerifierAtOnce() throws Exception {
    String unitId = addVehicle(gw, PASSWORD);
    String token = gw.token(FLEET, Permission.VEHICLE_LIFECYCLE, Permission.VEHICLES);
    Mqtt5BlockingClient live = connect(gw, unitId, PASSWORD);
    String newPassword = "a-new-unit-password-5678";
    HttpResponse<Buffer> r = await(gw.http.put("/telematics-units/" + unitId + "/password")
        .putHeader("Authorization", "Bearer " + token).sendJsonObject(new JsonObject().put("password", newPassword)));
    assertTrue(r.statusCode() / 100 == 2, r.bodyAsString());
    eventually("the live session revoked", () -> !live.getState().isConnected());
    long argon2 = gw.gateway.secrets.argon2Checks();

    assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, refused(gw, unitId, PASSWORD));
    assertEquals(LoginAck.BAD_CREDENTIALS, tcpLogin(gw, unitId, PASSWORD));
    connect(gw, unitId, newPassword).disconnect();
    assertEquals(argon2, gw.gateway.secrets.argon2Checks(), "the new password came with its verifier");
  }
}
