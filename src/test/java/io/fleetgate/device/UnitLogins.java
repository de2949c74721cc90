package io.fleetgate.device;

import static io.fleetgate.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.protocol.tcp.TcpFrame;
import io.fleetgate.protocol.tcp.TcpMessage;
import io.fleetgate.protocol.tcp.TcpMessage.Login;
import io.fleetgate.protocol.tcp.TcpMessage.LoginAck;
import io.fleetgate.protocol.tcp.TcpMessageDecoder;
import io.fleetgate.protocol.tcp.TcpMessageEncoder;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.DataInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/** Units provisioned over REST and logging in over MQTT 5 and raw TCP, for the keyed-verifier tests. */
final class UnitLogins {
  static final String FLEET = "fleet-keyed";

  private UnitLogins() {}

  /** POST /vehicles with a fresh unit and {@code password}; its unit id. */
  static String addVehicle(TestGateway gw, String password) {
    String unitId = "KU-" + UUID.randomUUID().toString().substring(0, 18);
    JsonObject body = new JsonObject()
        .put("telematics_unit", new JsonObject().put("id", unitId).put("brand", "NIU").put("model", "N1")
            .put("manufacturer", "INVERS").put("type", "RETROFIT").put("password", password))
        .put("vehicle_model_id", "niu-nqi-gts");
    HttpResponse<Buffer> r = await(gw.http.post("/vehicles")
        .putHeader("Authorization", "Bearer " + gw.token(FLEET, Permission.VEHICLE_LIFECYCLE, Permission.VEHICLES))
        .sendJsonObject(body));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return unitId;
  }

  static Mqtt5BlockingClient connect(TestGateway gw, String unitId, String password) {
    Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(unitId).serverHost("127.0.0.1")
        .serverPort(gw.gateway.mqttPort()).buildBlocking();
    c.connectWith().simpleAuth().username(unitId).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    return c;
  }

  /** Connects and disconnects at once. */
  static void logInAndOut(TestGateway gw, String unitId, String password) {
    connect(gw, unitId, password).disconnect();
  }

  static Mqtt5ConnAckReasonCode refused(TestGateway gw, String unitId, String password) {
    return assertThrows(Mqtt5ConnAckException.class, () -> connect(gw, unitId, password)).getMqttMessage().getReasonCode();
  }

  /** The LOGIN_ACK status a TCP unit gets for LOGIN. */
  static int tcpLogin(TestGateway gw, String unitId, String password) throws Exception {
    return tcpLogin(gw, unitId, password, "127.0.0.1");
  }

  /** The LOGIN_ACK status a TCP unit connecting from {@code fromAddress} (a 127.0.0.x) gets for LOGIN. */
  static int tcpLogin(TestGateway gw, String unitId, String password, String fromAddress) throws Exception {
    try (Socket s = new Socket("127.0.0.1", gw.gateway.tcpPort(), java.net.InetAddress.getByName(fromAddress), 0)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(TcpMessageEncoder.encode(new Login(unitId, password)));
      DataInputStream in = new DataInputStream(s.getInputStream());
      byte[] header = new byte[TcpFrame.HEADER_LENGTH];
      in.readFully(header);
      int length = ((header[3] & 0xFF) << 8) | (header[4] & 0xFF);
      byte[] rest = new byte[length + TcpFrame.CRC_LENGTH];
      in.readFully(rest);
      TcpMessage m = TcpMessageDecoder.decode(new TcpFrame(header[2] & 0xFF, Arrays.copyOf(rest, length)), System.currentTimeMillis());
      return ((LoginAck) m).status();
    }
  }

  /** {@code fleetgate_unit_logins_total{verifier}}. */
  static double logins(TestGateway gw, String verifier) {
    Counter c = gw.gateway.metrics.find("fleetgate_unit_logins").tags("verifier", verifier).counter();
    return c == null ? 0 : c.count();
  }
}
