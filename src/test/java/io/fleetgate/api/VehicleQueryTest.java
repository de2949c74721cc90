package io.fleetgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /vehicles?q=}: a case-insensitive substring of the vehicle id, license plate, VIN, custom name,
 * brand, model or telematics unit id, each alone finding exactly its vehicle, never another fleet's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VehicleQueryTest {
  static TestGateway gw;
  static VehicleApi api;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
    api = new VehicleApi(gw);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static List<String> found(String token, String q) throws Exception {
    HttpResponse<Buffer> r = api.get(token, "/vehicles?q=" + java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    List<String> out = new ArrayList<>();
    r.bodyAsJsonObject().getJsonArray("items").forEach(o -> out.add(((JsonObject) o).getString("id")));
    return out;
  }

  @Test
  void eachSearchableFieldFindsItsVehicleInAnyCase() throws Exception {
    String tag = UUID.randomUUID().toString().substring(0, 6).toUpperCase(Locale.ROOT);
    String fleet = "q-" + tag.toLowerCase(Locale.ROOT);
    String token = gw.token(fleet, Permission.VEHICLE_LIFECYCLE, Permission.VEHICLES);
    String otherToken = gw.token("q-other-" + tag.toLowerCase(Locale.ROOT), Permission.VEHICLE_LIFECYCLE, Permission.VEHICLES);
    JsonObject plain = api.add(token);
    JsonObject rich = api.add(token, VehicleApi.newVehicle().put("master_data", new JsonObject()
        .put("license_plate", "HH-PL" + tag).put("vin", "WVWZZZ1KZ" + tag + "XY").put("custom_name", "Blue Cus" + tag)
        .put("brand", "Brandy" + tag).put("model", "Modelo" + tag)));
    // another fleet's vehicle with the same values is never found
    api.add(otherToken, VehicleApi.newVehicle().put("master_data", new JsonObject().put("license_plate", "HH-PL" + tag)
        .put("brand", "Brandy" + tag)));
    String richId = rich.getString("id");
    String unitId = rich.getJsonObject("telematics_unit").getString("id");
    String plainUnit = plain.getJsonObject("telematics_unit").getString("id");

    assertEquals(List.of(richId), found(token, "pl" + tag.toLowerCase(Locale.ROOT)), "license plate, lower case");
    assertEquals(List.of(richId), found(token, "1kz" + tag), "VIN");
    assertEquals(List.of(richId), found(token, "CUS" + tag), "custom name, upper case");
    assertEquals(List.of(richId), found(token, "ANDY" + tag), "brand");
    assertEquals(List.of(richId), found(token, "delo" + tag.toLowerCase(Locale.ROOT)), "model");
    assertEquals(List.of(richId), found(token, unitId.substring(2).toLowerCase(Locale.ROOT)), "telematics unit id");
    assertEquals(List.of(plain.getString("id")), found(token, plainUnit.toUpperCase(Locale.ROOT)), "unit id of a vehicle without master data");
    assertEquals(List.of(richId), found(token, richId.toLowerCase(Locale.ROOT)), "vehicle id, lower case");
    assertTrue(found(token, richId.substring(1, 4).toLowerCase(Locale.ROOT)).contains(richId), "part of the vehicle id");
    assertEquals(List.of(), found(token, "nothing-" + tag), "no field matches");
  }
}
