package io.fleetgate.device.mqtt;

import static io.fleetgate.TestGateway.eventually;
import static io.fleetgate.device.mqtt.MqttTestSupport.PASSWORD;
import static io.fleetgate.device.mqtt.MqttTestSupport.online;
import static io.fleetgate.device.mqtt.MqttTestSupport.provision;
import static io.fleetgate.device.mqtt.MqttTestSupport.publishV5;
import static io.fleetgate.device.mqtt.MqttTestSupport.stateTopic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import io.fleetgate.TestGateway;
import io.fleetgate.device.mqtt.MqttTestSupport.Unit;
import io.fleetgate.tls.TestCertificates;
import io.fleetgate.tls.TestCertificates.Issued;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MQTT on mqtt.tlsPort with certificates made at test time, driven by the HiveMQ client: passwords over
 * server-authenticated TLS (3.1.1 and 5.0), client certificates whose CN is the unit id (no password; a
 * user name, if sent, must be the client id), and the refusals (another unit's id, a removed unit).
 */
@Timeout(60)
class MqttTlsTest {
  static TestCertificates certs;
  static TestGateway gw;

  @BeforeAll
  static void start() {
    certs = TestCertificates.create();
    gw = TestGateway.start(Map.of("tls.cert", certs.serverCertPem.toString(), "tls.key", certs.serverKeyPem.toString(),
        "tls.clientCa", certs.caPem.toString(), "mqtt.tlsPort", 0, "tcp.tlsPort", 0));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private static MqttClientSslConfig ssl(Issued client) {
    return client == null
        ? MqttClientSslConfig.builder().trustManagerFactory(certs.trustManager()).build()
        : MqttClientSslConfig.builder().trustManagerFactory(certs.trustManager())
            .keyManagerFactory(TestCertificates.keyManager(client, certs.ca)).build();
  }

  private static Mqtt5BlockingClient v5(String clientId, Issued client) {
    return MqttClient.builder().useMqttVersion5().identifier(clientId).serverHost("127.0.0.1")
        .serverPort(gw.gateway.mqttTlsPort()).sslConfig(ssl(client)).buildBlocking();
  }

  private static Mqtt3BlockingClient v3(String clientId, Issued client) {
    return MqttClient.builder().useMqttVersion3().identifier(clientId).serverHost("127.0.0.1")
        .serverPort(gw.gateway.mqttTlsPort()).sslConfig(ssl(client)).buildBlocking();
  }

  @Test
  void passwordOverServerAuthenticatedTls() {
    Unit u = provision(gw);
    Mqtt5BlockingClient c = v5(u.id(), null);
    c.connectWith().simpleAuth().username(u.id()).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    eventually("online", () -> online(gw, u));
    assertEquals(Mqtt5PubAckReasonCode.SUCCESS, publishV5(c, stateTopic(u), MqttTestSupport.CONTRACT_JSON.getBytes(StandardCharsets.UTF_8)));
    c.disconnect();

    Mqtt3BlockingClient wrong = v3(u.id(), null);
    Mqtt3ConnAckException e = assertThrows(Mqtt3ConnAckException.class, () -> wrong.connectWith().simpleAuth()
        .username(u.id()).password("wrong-password-123".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
    assertEquals(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD, e.getMqttMessage().getReturnCode());
  }

  @Test
  void clientCertificateWithoutUserNameOrPassword() {
    Unit u = provision(gw);
    Issued cert = certs.client(u.id());
    Mqtt5BlockingClient c = v5(u.id(), cert);
    c.connect();
    eventually("online", () -> online(gw, u));
    assertEquals(Mqtt5PubAckReasonCode.SUCCESS, publishV5(c, stateTopic(u), MqttTestSupport.CONTRACT_JSON.getBytes(StandardCharsets.UTF_8)));
    c.disconnect();

    Mqtt3BlockingClient v3 = v3(u.id(), cert);
    v3.connect();
    v3.disconnect();
  }

  @Test
  void clientCertificateWithItsUnitIdAsUserName() {
    Unit u = provision(gw);
    Mqtt5BlockingClient c = v5(u.id(), certs.client(u.id()));
    // the password is not what authenticates: the certificate is
    c.connectWith().simpleAuth().username(u.id()).password("ignored".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    c.disconnect();
  }

  @Test
  void clientIdOrUserNameOtherThanTheCertificatesCnIsRefused() {
    Unit mine = provision(gw);
    Unit other = provision(gw);
    Issued cert = certs.client(mine.id());
    Mqtt5BlockingClient asOther = v5(other.id(), cert);
    Mqtt5ConnAckException e = assertThrows(Mqtt5ConnAckException.class, () -> asOther.connectWith().simpleAuth()
        .username(other.id()).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
    assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, e.getMqttMessage().getReasonCode());

    Mqtt5BlockingClient otherUser = v5(mine.id(), cert);
    // (a user name without a password never reaches the gateway: Vert.x MQTT hands over both or neither)
    e = assertThrows(Mqtt5ConnAckException.class, () -> otherUser.connectWith().simpleAuth().username(other.id())
        .password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send());
    assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, e.getMqttMessage().getReasonCode());
    assertFalse(online(gw, other));
  }

  @Test
  void removedUnitsCertificateIsRefused() {
    Unit u = provision(gw);
    Issued cert = certs.client(u.id());
    gw.gateway.registry.remove(u.vehicleId());
    Mqtt5ConnAckException e = assertThrows(Mqtt5ConnAckException.class, () -> v5(u.id(), cert).connect());
    assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, e.getMqttMessage().getReasonCode());
    Mqtt3ConnAckException e3 = assertThrows(Mqtt3ConnAckException.class, () -> v3("NEVER-PROVISIONED", certs.client("NEVER-PROVISIONED")).connect());
    assertEquals(Mqtt3ConnAckReturnCode.BAD_USER_NAME_OR_PASSWORD, e3.getMqttMessage().getReturnCode());
  }

  @Test
  void plainPortStillWorks() {
    MqttTestSupport.assertServesGoodUnit(gw);
  }
}
