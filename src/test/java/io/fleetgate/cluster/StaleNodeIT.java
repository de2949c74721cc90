package io.fleetgate.cluster;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.protocol.tcp.TcpFrame;
import io.fleetgate.protocol.tcp.TcpMessage;
import io.fleetgate.protocol.tcp.TcpMessageDecoder;
import io.fleetgate.protocol.tcp.TcpMessageEncoder;
import io.fleetgate.store.pg.CuttableProxy;
import io.fleetgate.vehicle.Capabilities;
import io.vertx.core.Vertx;
import java.io.DataInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Contract point 8: a node cut off from PostgreSQL (its working set no longer confirmed current) refuses unit
 * logins with each protocol's "unavailable" answer and ends its event streams; a unit session it already holds
 * stays; once it has caught up again it admits units.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class StaleNodeIT {
  private static final String FLEET = "fleet-stale";
  private static final String PASSWORD = "unit-password-0123";

  @Test
  void aStaleNodeRefusesUnitLoginsAndEndsItsEventStreams() throws Exception {
    Vertx helper = Vertx.vertx();
    try (TestCluster c = TestCluster.start(1)) {
      CuttableProxy proxy = CuttableProxy.before(helper, c.database.url);
      c.add(Map.of("db.url", proxy.url));
      TestGateway n1 = c.node(1);
      eventually("node 1 ready", 20_000, () -> n1.gateway.cluster.members().size() == 2 && WorkingSetBarrierIT.ready(n1) == 200);
      TestGateway.ProvisionedUnit held = c.provisionUnit(FLEET, "STALE001", PASSWORD, Capabilities.ALL_COMMANDS);
      TestGateway.ProvisionedUnit late = c.provisionUnit(FLEET, "STALE002", PASSWORD, Capabilities.ALL_COMMANDS);
      TestGateway.ProvisionedUnit tcp = c.provisionUnit(FLEET, "STALE003", PASSWORD, Capabilities.ALL_COMMANDS);
      String token = c.token(FLEET, Permission.VEHICLES_RO, Permission.EVENTS);
      Mqtt5BlockingClient session = mqtt5(n1, held.unitId());
      session.connectWith().simpleAuth().username(held.unitId()).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
      try (StreamReader stream = StreamReader.open(n1, token, null)) {
        assertEquals(200, stream.status);
        assertEquals(TcpMessage.LoginAck.OK, ((TcpMessage.LoginAck) tcpLogin(n1, tcp.unitId())).status(), "TCP logins work while current");

        proxy.cut();
        long cut = System.nanoTime();
        eventually("node 1 is not ready", 5_000, () -> WorkingSetBarrierIT.ready(n1) == 503);
        eventually("node 1's event stream ended", 5_000, stream.ended::get);
        System.out.println("stream ended " + (System.nanoTime() - cut) / 1_000_000 + " ms after the cut");

        Mqtt5ConnAckReasonCode v5 = assertThrows(Mqtt5ConnAckException.class, () -> mqtt5(n1, late.unitId()).connectWith().simpleAuth()
            .username(late.unitId()).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send()).getMqttMessage().getReasonCode();
        assertEquals(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE, v5);
        Mqtt3BlockingClient v3client = MqttClient.builder().useMqttVersion3().identifier(late.unitId()).serverHost("127.0.0.1")
            .serverPort(n1.gateway.mqttPort()).buildBlocking();
        Mqtt3ConnAckReturnCode v3 = assertThrows(Mqtt3ConnAckException.class, () -> v3client.connectWith().simpleAuth()
            .username(late.unitId()).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send()).getMqttMessage().getReturnCode();
        assertEquals(Mqtt3ConnAckReturnCode.SERVER_UNAVAILABLE, v3);
        TcpMessage refused = tcpLogin(n1, tcp.unitId());
        assertEquals(new TcpMessage.Error(TcpMessage.Error.RATE_LIMITED), refused, "TCP: come back later, then close");
        assertTrue(session.getState().isConnected(), "a session held before stays");
        assertEquals(503, StreamReader.open(n1, token, null).status, "no new stream either");

        proxy.restore();
        eventually("node 1 ready again", 20_000, () -> WorkingSetBarrierIT.ready(n1) == 200);
        Mqtt5BlockingClient again = mqtt5(n1, late.unitId());
        again.connectWith().simpleAuth().username(late.unitId()).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
        assertTrue(again.getState().isConnected());
        again.disconnect();
      } finally {
        if (session.getState().isConnected()) {
          session.disconnect();
        }
        await(proxy.close());
      }
    } finally {
      helper.close();
    }
  }

  private static Mqtt5BlockingClient mqtt5(TestGateway gw, String unitId) {
    return MqttClient.builder().useMqttVersion5().identifier(unitId).serverHost("127.0.0.1").serverPort(gw.gateway.mqttPort()).buildBlocking();
  }

  /** The first message a TCP unit gets for LOGIN. */
  private static TcpMessage tcpLogin(TestGateway gw, String unitId) throws Exception {
    try (Socket s = new Socket("127.0.0.1", gw.gateway.tcpPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(TcpMessageEncoder.encode(new TcpMessage.Login(unitId, PASSWORD)));
      DataInputStream in = new DataInputStream(s.getInputStream());
      byte[] header = new byte[TcpFrame.HEADER_LENGTH];
      in.readFully(header);
      int length = ((header[3] & 0xFF) << 8) | (header[4] & 0xFF);
      byte[] rest = new byte[length + TcpFrame.CRC_LENGTH];
      in.readFully(rest);
      return TcpMessageDecoder.decode(new TcpFrame(header[2] & 0xFF, Arrays.copyOf(rest, length)), System.currentTimeMillis());
    }
  }
}
