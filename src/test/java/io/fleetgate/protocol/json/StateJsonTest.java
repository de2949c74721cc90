package io.fleetgate.protocol.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateJsonTest {
  static final long TS = 1_795_256_130_250L; // 2026-11-21T10:15:30.250Z
  static final long T0 = 1_795_255_200_000L; // 2026-11-21T10:00:00Z

  @Test
  void restRepresentation() {
    String json = StateJson.toJson(List.of(
        new Reading(Property.CENTRAL_LOCK, TS, "LOCKED"),
        new Reading(Property.POSITION, T0, new Position(52.52, 13.0)),
        new Reading(Property.SPEED_IN_KILOMETERS_PER_HOUR, TS, 12.0),
        new Reading(Property.BOARD_VOLTAGE_IN_VOLTS, TS, 12.45),
        new Reading(Property.DRIVING_ENABLED, TS, true))).encode();
    assertEquals("{\"central_lock\":{\"timestamp\":\"2026-11-21T10:15:30.250Z\",\"value\":\"LOCKED\"},"
        + "\"position\":{\"timestamp\":\"2026-11-21T10:00:00Z\",\"value\":{\"lat\":52.52,\"lon\":13}},"
        + "\"speed_in_kilometers_per_hour\":{\"timestamp\":\"2026-11-21T10:15:30.250Z\",\"value\":12},"
        + "\"board_voltage_in_volts\":{\"timestamp\":\"2026-11-21T10:15:30.250Z\",\"value\":12.45},"
        + "\"driving_enabled\":{\"timestamp\":\"2026-11-21T10:15:30.250Z\",\"value\":true}}", json);
  }

  /** The streamed answer of a synchronous command is byte for byte what the JsonObject form would encode to. */
  @Test
  void commandAnswerStreamedEqualsTheTreeForm() {
    List<Reading> state = List.of(
        new Reading(Property.CENTRAL_LOCK, TS, "UNLOCKED"),
        new Reading(Property.POSITION, T0, new Position(-33.8688, 151.2093)),
        new Reading(Property.SPEED_IN_KILOMETERS_PER_HOUR, TS, 0.0),
        new Reading(Property.BOARD_VOLTAGE_IN_VOLTS, TS, 12.45),
        new Reading(Property.ALTITUDE_IN_METERS, TS, -3.5),
        new Reading(Property.MILEAGE_IN_KILOMETERS, TS, 9.007199254740993E15),
        new Reading(Property.DRIVING_ENABLED, TS, false));
    String tree = new io.vertx.core.json.JsonObject().put("command_id", "0b5c0b1e-1c1a-4c2e-9a55-2f7d2f6b8f10")
        .put("status", "SUCCEEDED").put("state", StateJson.toJson(state)).encode();
    assertEquals(tree, new String(StateJson.commandAnswer("0b5c0b1e-1c1a-4c2e-9a55-2f7d2f6b8f10", "SUCCEEDED", state), UTF_8));
    assertEquals("{\"command_id\":\"x\",\"status\":\"SUCCEEDED\",\"state\":{}}",
        new String(StateJson.commandAnswer("x", "SUCCEEDED", List.of()), UTF_8));
  }

  @Test
  void stateFrameByExactBytes() {
    StateFrame f = new StateFrame(TS, 1842, List.of(
        new Reading(Property.POSITION, TS, new Position(52.52, 13.405)),
        new Reading(Property.CENTRAL_LOCK, TS, "LOCKED"),
        new Reading(Property.MILEAGE_IN_KILOMETERS, TS - 1_250, 10234.5),
        new Reading(Property.ALTITUDE_IN_METERS, TS, -3.0)), 0);
    assertEquals("{\"ts\":\"2026-11-21T10:15:30.250Z\",\"seq\":1842,\"state\":{"
        + "\"position\":{\"lat\":52.52,\"lon\":13.405},\"central_lock\":\"LOCKED\","
        + "\"mileage_in_kilometers\":{\"value\":10234.5,\"timestamp\":\"2026-11-21T10:15:29Z\"},"
        + "\"altitude_in_meters\":-3}}", new String(StateJson.encodeFrame(f), UTF_8));
  }

  @Test
  void frameWithoutSeqOmitsIt() {
    StateFrame f = new StateFrame(T0, StateFrame.NO_SEQ, List.of(), 0);
    assertEquals("{\"ts\":\"2026-11-21T10:00:00Z\",\"state\":{}}", new String(StateJson.encodeFrame(f), UTF_8));
  }
}
