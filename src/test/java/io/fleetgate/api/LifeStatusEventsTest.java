package io.fleetgate.api;

import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.protocol.tcp.TcpMessage;
import io.fleetgate.protocol.tcp.TcpMessageEncoder;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A unit connecting and disconnecting is a {@code VehicleChanged} event with reason
 * {@code LIFE_STATUS_CHANGED}, whichever protocol it speaks: ONLINE on login, OFFLINE on close.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LifeStatusEventsTest {
  static final String PASSWORD = "life-status-password";

  @Test
  void mqttAndTcpUnitsGoingOnlineAndOfflineAreEvents() throws Exception {
    try (TestGateway gw = TestGateway.start()) {
      String token = gw.token("life-fleet", Permission.VEHICLE_LIFECYCLE, Permission.EVENTS);
      VehicleApi api = new VehicleApi(gw);
      JsonObject mqttVehicle = api.add(token, vehicle("LIFE-MQTT-1"));
      JsonObject tcpVehicle = api.add(token, vehicle("LIFE-TCP-1"));

      try (SseClient events = SseClient.open(gw, token, "types=VehicleChanged")) {
        Mqtt5BlockingClient mqtt = MqttClient.builder().useMqttVersion5().identifier("LIFE-MQTT-1")
            .serverHost("127.0.0.1").serverPort(gw.gateway.mqttPort()).buildBlocking();
        mqtt.connectWith().simpleAuth().username("LIFE-MQTT-1").password(PASSWORD.getBytes(StandardCharsets.UTF_8))
            .applySimpleAuth().send();
        mqtt.disconnect();
        try (Socket tcp = new Socket("127.0.0.1", gw.gateway.tcpPort())) {
          tcp.getOutputStream().write(TcpMessageEncoder.encode(new TcpMessage.Login("LIFE-TCP-1", PASSWORD)));
          tcp.setSoTimeout(5000);
          tcp.getInputStream().read(new byte[7]); // LOGIN_ACK
        }

        for (JsonObject v : List.of(mqttVehicle, tcpVehicle)) {
          String id = v.getString("id");
          eventually(id + " online then offline", () -> lifeStatuses(events, id).equals(List.of("ONLINE", "OFFLINE")));
        }
        assertEquals(List.of("ONLINE", "OFFLINE"), lifeStatuses(events, tcpVehicle.getString("id")));
      }
    }
  }

  static JsonObject vehicle(String unitId) {
    JsonObject v = VehicleApi.newVehicle();
    v.getJsonObject("telematics_unit").put("id", unitId).put("password", PASSWORD);
    return v;
  }

  /** The life status carried by each LIFE_STATUS_CHANGED event of a vehicle, in order. */
  static List<String> lifeStatuses(SseClient events, String vehicleId) {
    return events.ofType("VehicleChanged").stream()
        .filter(e -> vehicleId.equals(e.data().getString("vehicle_id")))
        .filter(e -> e.data().getJsonArray("reasons").contains("LIFE_STATUS_CHANGED"))
        .map(e -> e.data().getJsonObject("vehicle").getJsonObject("life_status").getString("value"))
        .toList();
  }
}
