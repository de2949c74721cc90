package io.fleetgate.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.config.ConfigException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VehicleCatalogTest {
  static final String GOOD = """
      {"models": [{"id": "m1", "vehicle_type": "CAR", "brand": "B", "model": "M",
                   "capabilities": {"commands": ["LOCK_CENTRAL_LOCK", "REQUEST_VEHICLE_STATE"], "vehicle_state": ["CENTRAL_LOCK", "POSITION"]}}]}
      """;

  static final String MODEL_M1 = "{\"id\": \"m1\", \"vehicle_type\": \"CAR\", \"brand\": \"B\", \"model\": \"M\", "
      + "\"capabilities\": {\"commands\": [], \"vehicle_state\": []}}";

  @Test
  void bundledCopyEqualsTheConfigFile() throws Exception {
    try (InputStream in = VehicleCatalog.class.getResourceAsStream(VehicleCatalog.RESOURCE)) {
      assertNotNull(in);
      assertEquals(Files.readString(Path.of("config/vehicle-models.json")), new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void bundledCatalogIsUsedWhenTheFileIsAbsent() {
    VehicleCatalog c = VehicleCatalog.load("no/such/vehicle-models.json");
    assertEquals(6, c.models().size());
    assertNotNull(c.model("niu-nqi-gts"));
  }

  @Test
  void capabilitiesAreCanonical() {
    VehicleModel m = VehicleCatalog.parse(GOOD, "t").model("m1");
    assertEquals(java.util.List.of("REQUEST_VEHICLE_STATE", "LOCK_CENTRAL_LOCK"), m.capabilities().commands());
    assertEquals(java.util.List.of(Property.POSITION, Property.CENTRAL_LOCK), m.capabilities().vehicleState());
    assertEquals(Property.POSITION.bit | Property.CENTRAL_LOCK.bit, m.capabilities().stateMask());
  }

  @Test
  void everyFlawIsAConfigErrorNamingTheSetting() {
    Map<String, String> bad = Map.of(
        "not json", "not a JSON object",
        "{\"models\": []}", "non-empty",
        GOOD.replace("\"m1\"", "\"M 1\""), "models[0].id",
        GOOD.replace("CAR", "BOAT"), "models[0].vehicle_type",
        GOOD.replace("\"B\"", "\"\""), "models[0].brand",
        GOOD.replace("LOCK_CENTRAL_LOCK", "SELF_DESTRUCT"), "models[0].capabilities.commands[0]",
        GOOD.replace("\"CENTRAL_LOCK\"", "\"central_lock\""), "models[0].capabilities.vehicle_state[0]",
        GOOD.replace("\"model\": \"M\"", "\"model\": \"M\", \"year\": 1"), "unknown property 'year'",
        "{\"models\": [" + MODEL_M1 + ", " + MODEL_M1 + "]}", "models[1].id: duplicate");
    bad.forEach((json, expected) -> {
      ConfigException e = assertThrows(ConfigException.class, () -> VehicleCatalog.parse(json, "cat.json"), json);
      assertTrue(e.getMessage().startsWith("catalog.file (FLEETGATE_CATALOG_FILE): cat.json: "), e.getMessage());
      assertTrue(e.getMessage().contains(expected), e.getMessage() + " should mention " + expected);
    });
  }

  @Test
  void gatewayRefusesToStartWithABadCatalog(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("models.json");
    Files.writeString(file, GOOD.replace("CAR", "BOAT"));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TestGateway.start(Map.of("catalog.file", file.toString())).close());
    Throwable cause = e.getCause() instanceof java.util.concurrent.ExecutionException x ? x.getCause() : e.getCause();
    assertInstanceOf(ConfigException.class, cause);
    assertTrue(cause.getMessage().startsWith("catalog.file"), cause.getMessage());
  }

  @Test
  void configuredFileWins(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("models.json");
    Files.writeString(file, GOOD);
    VehicleCatalog c = VehicleCatalog.load(file.toString());
    assertEquals(1, c.models().size());
  }
}
