package io.fleetgate.device.mqtt;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.device.mqtt.MqttTestSupport.FLEET;
import static io.fleetgate.device.mqtt.MqttTestSupport.PASSWORD;
import static io.fleetgate.device.mqtt.MqttTestSupport.connectedV3;
import static io.fleetgate.device.mqtt.MqttTestSupport.connectedV5;
import static io.fleetgate.TestGateway.eventually;
import static io.fleetgate.device.mqtt.MqttTestSupport.online;
import static io.fleetgate.device.mqtt.MqttTestSupport.provision;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.device.mqtt.MqttTestSupport.Unit;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What removing, restoring and re-keying a vehicle's unit does to a real MQTT client (HiveMQ): its session
 * is closed at once, and only the credentials that hold now let it back in.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MqttLifecycleTest {
  static final String NEW_PASSWORD = "a-brand-new-unit-password";
  static TestGateway gw;
  static String token;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
    token = gw.token(FLEET, Permission.VEHICLE_LIFECYCLE);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static HttpResponse<Buffer> delete(String uri) {
    return await(gw.http.delete(uri).putHeader("Authorization", "Bearer " + token).send());
  }

  private static HttpResponse<Buffer> post(String uri) {
    return await(gw.http.post(uri).putHeader("Authorization", "Bearer " + token).send());
  }

  private static HttpResponse<Buffer> put(String uri, JsonObject body) {
    return await(gw.http.put(uri).putHeader("Authorization", "Bearer " + token).sendJsonObject(body));
  }

  private static void assertRefusedV5(Unit u, String password) {
    Mqtt5BlockingClient c = MqttTestSupport.v5(gw, u.id());
    Mqtt5ConnAckException e = assertThrows(Mqtt5ConnAckException.class, () -> c.connectWith().simpleAuth().username(u.id())
        .password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
    assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, e.getMqttMessage().getReasonCode());
  }

  private static Mqtt5BlockingClient connectV5(Unit u, String password) {
    Mqtt5BlockingClient c = MqttTestSupport.v5(gw, u.id());
    c.connectWith().simpleAuth().username(u.id()).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    return c;
  }

  @Test
  void removingTheVehicleDisconnectsItsUnitAndLocksItOutUntilRestored_v5() {
    Unit u = provision(gw);
    Mqtt5BlockingClient c = connectedV5(gw, u);
    eventually("ONLINE", () -> online(gw, u));

    assertEquals(204, delete("/vehicles/" + u.vehicleId()).statusCode());
    eventually("the unit's session closed", () -> !c.getState().isConnected());
    assertRefusedV5(u, PASSWORD);

    HttpResponse<Buffer> restored = post("/archived-vehicles/" + u.vehicleId() + "/restore");
    assertEquals(200, restored.statusCode(), restored.bodyAsString());
    Mqtt5BlockingClient again = connectedV5(gw, u);
    eventually("ONLINE after restore", () -> online(gw, u));
    again.disconnect();
  }

  @Test
  void removingTheVehicleDisconnectsItsUnit_v311() {
    Unit u = provision(gw);
    Mqtt3BlockingClient c = connectedV3(gw, u);
    eventually("ONLINE", () -> online(gw, u));

    assertEquals(204, delete("/vehicles/" + u.vehicleId()).statusCode());
    eventually("the unit's session closed", () -> !c.getState().isConnected());
    Mqtt3BlockingClient retry = MqttTestSupport.v3(gw, u.id());
    Mqtt3ConnAckException e = assertThrows(Mqtt3ConnAckException.class, () -> retry.connectWith().simpleAuth().username(u.id())
        .password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
    assertEquals(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD, e.getMqttMessage().getReturnCode());
  }

  @Test
  void aNewPasswordClosesTheSessionAndOnlyTheNewOneWorks() {
    Unit u = provision(gw);
    Mqtt5BlockingClient c = connectedV5(gw, u);
    eventually("ONLINE", () -> online(gw, u));

    HttpResponse<Buffer> changed = put("/telematics-units/" + u.id() + "/password", new JsonObject().put("password", NEW_PASSWORD));
    assertEquals(204, changed.statusCode(), changed.bodyAsString());
    eventually("the unit's session closed", () -> !c.getState().isConnected());
    assertRefusedV5(u, PASSWORD);
    Mqtt5BlockingClient renewed = connectV5(u, NEW_PASSWORD);
    eventually("ONLINE with the new password", () -> online(gw, u));
    renewed.disconnect();
  }
}
