package io.fleetgate.command;

import static io.fleetgate.TestGateway.await;
import static org.junit.jupiter.api.Assertions.fail;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.fleetgate.TestGateway;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.Property;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Vehicles with units, HiveMQ clients playing the unit, HTTP calls and a clock the test moves. */
final class CommandFixture {
  static final String FLEET = "fleet-cmd";
  static final String PASSWORD = "unit-password-0123";
  private static final AtomicInteger NEXT = new AtomicInteger(20_000);

  private CommandFixture() {}

  record Unit(String id, String vehicleId) {}

  static Unit provision(TestGateway gw, List<String> commands) {
    String unitId = String.format("CMDU%08X", NEXT.incrementAndGet());
    TestGateway.ProvisionedUnit p = gw.provisionUnit(FLEET, unitId, PASSWORD, commands, Arrays.asList(Property.values()));
    return new Unit(p.unitId(), p.vehicleId());
  }

  static Unit provision(TestGateway gw) {
    return provision(gw, Capabilities.ALL_COMMANDS);
  }

  /**
   * A HiveMQ MQTT 5 client as the unit: records every command it receives (PUBACK'd after the callback) and
   * answers each with what {@code answer} returns (null: no answer).
   */
  static final class FakeUnit implements AutoCloseable {
    final Unit unit;
    final Mqtt5BlockingClient client;
    final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
    volatile Function<JsonObject, JsonObject> answer;

    FakeUnit(TestGateway gw, Unit unit, Function<JsonObject, JsonObject> answer) {
      this.unit = unit;
      this.answer = answer;
      this.client = MqttClient.builder().useMqttVersion5().identifier(unit.id()).serverHost("127.0.0.1")
          .serverPort(gw.gateway.mqttPort()).buildBlocking();
      client.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> {
        JsonObject command = new JsonObject(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
        received.add(command);
        Function<JsonObject, JsonObject> a = this.answer;
        JsonObject result = a == null ? null : a.apply(command);
        if (result != null) {
          publishResult(result);
        }
      });
      client.connectWith().simpleAuth().username(unit.id()).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
    }

    FakeUnit subscribe() {
      client.subscribeWith().topicFilter("units/" + unit.id() + "/commands").qos(MqttQos.AT_LEAST_ONCE).send();
      return this;
    }

    void publishResult(JsonObject result) {
      client.toAsync().publishWith().topic("units/" + unit.id() + "/command-results").qos(MqttQos.AT_LEAST_ONCE)
          .payload(result.toBuffer().getBytes()).send();
    }

    @Override
    public void close() {
      if (client.getState().isConnected()) {
        client.disconnect();
      }
    }
  }

  static Function<JsonObject, JsonObject> answering(String status, JsonObject state) {
    return cmd -> {
      JsonObject r = new JsonObject().put("id", cmd.getString("id")).put("status", status);
      if (state != null) {
        r.put("state", state);
      }
      if (!status.equals("SUCCEEDED")) {
        r.put("detail", "the unit says no");
      }
      return r;
    };
  }

  static HttpResponse<Buffer> post(TestGateway gw, String token, String path, String body, boolean async) {
    HttpRequest<Buffer> req = gw.http.post(path).putHeader("Authorization", "Bearer " + token);
    if (async) {
      req.putHeader("Prefer", "respond-async");
    }
    if (body == null) {
      return await(req.send());
    }
    return await(req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)));
  }

  static HttpResponse<Buffer> get(TestGateway gw, String token, String path) {
    return await(gw.http.get(path).putHeader("Authorization", "Bearer " + token).send());
  }

  static HttpResponse<Buffer> delete(TestGateway gw, String token, String path) {
    return await(gw.http.delete(path).putHeader("Authorization", "Bearer " + token).send());
  }
}
