package io.fleetgate.api;

import static io.fleetgate.api.VehicleApi.assertInvalid;
import static io.fleetgate.api.VehicleApi.assertProblem;
import static io.fleetgate.api.VehicleApi.newVehicle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.vehicle.TelematicsUnit;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** POST /vehicles, GET /vehicles/{id}, PATCH /vehicles/{id}, the model catalog and the units, over real HTTP. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VehicleResourceTest {
  static TestGateway gw;
  static VehicleApi api;
  static String lifecycle;
  static String writer;
  static String reader;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
    api = new VehicleApi(gw);
    lifecycle = gw.token("acme", Permission.VEHICLE_LIFECYCLE, Permission.VEHICLES);
    writer = gw.token("acme", Permission.VEHICLES);
    reader = gw.token("acme", Permission.VEHICLES_RO);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  // ---- the resource

  @Test
  void addedVehicleHasEveryContractField() throws Exception {
    JsonObject body = newVehicle()
        .put("master_data", new JsonObject().put("license_plate", "B-FG 1234").put("vin", "WVWZZZ1KZAW000001")
            .put("year_of_production", "2021").put("fuel_type", "ELECTRIC").put("gear_box", "AUTOMATIC")
            .put("custom_name", "Scoot 7").put("remark", "new"))
        .put("custom_fields", new JsonObject().put("depot", "north"))
        .put("tags", new JsonArray().add("airport").add("airport").add("night"))
        .put("operation_status", new JsonObject().put("value", "GARAGE"));
    HttpResponse<Buffer> r = api.post(lifecycle, "/vehicles", body);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject v = r.bodyAsJsonObject();
    assertEquals("/vehicles/" + v.getString("id"), r.getHeader("Location"));
    assertEquals(Set.of("id", "fleet_id", "status", "created_at", "modified_at", "attached_at", "last_contact_at",
        "master_data", "custom_fields", "tags", "life_status", "operation_status", "capabilities", "telematics_unit",
        "latest_state", "sharing"), v.fieldNames());
    assertEquals("acme", v.getString("fleet_id"));
    assertEquals("CONNECTED_VEHICLE", v.getString("status"));
    for (String t : List.of("created_at", "modified_at", "attached_at")) {
      assertTrue(v.getString(t).endsWith("Z"), t);
      Instant.parse(v.getString(t));
    }
    assertTrue(v.containsKey("last_contact_at"));
    assertNull(v.getValue("last_contact_at"));
    JsonObject md = v.getJsonObject("master_data");
    assertEquals(Set.of("vin", "license_plate", "brand", "model", "custom_name", "fuel_type", "year_of_production",
        "gear_box", "vehicle_type", "remark"), md.fieldNames());
    assertEquals("B-FG 1234", md.getString("license_plate"));
    assertEquals("2021", md.getString("year_of_production"));
    // the model fills what master_data leaves open
    assertEquals("MOPED", md.getString("vehicle_type"));
    assertEquals("NIU", md.getString("brand"));
    assertEquals("NQi GTS", md.getString("model"));
    assertEquals(new JsonObject().put("depot", "north"), v.getJsonObject("custom_fields"));
    assertEquals(new JsonArray().add("airport").add("night"), v.getJsonArray("tags"));
    assertEquals("OFFLINE", v.getJsonObject("life_status").getString("value"));
    assertNotNull(v.getJsonObject("life_status").getString("modified_at"));
    assertEquals("GARAGE", v.getJsonObject("operation_status").getString("value"));
    assertNotNull(v.getJsonObject("operation_status").getString("modified_at"));
    JsonObject caps = v.getJsonObject("capabilities");
    assertTrue(caps.getJsonArray("commands").contains("UNLOCK_TOP_CASE"));
    assertTrue(caps.getJsonArray("vehicle_state").contains("TOP_CASE_LID"));
    JsonObject unit = v.getJsonObject("telematics_unit");
    assertEquals(Set.of("id", "brand", "model", "manufacturer", "type", "fleet_id", "created_at", "modified_at"), unit.fieldNames());
    assertEquals(body.getJsonObject("telematics_unit").getString("id"), unit.getString("id"));
    assertEquals("RETROFIT", unit.getString("type"));
    assertEquals("acme", unit.getString("fleet_id"));
    assertEquals(new JsonObject(), v.getJsonObject("latest_state"));
    assertTrue(v.containsKey("sharing"));
    assertNull(v.getValue("sharing"));
    assertFalse(r.bodyAsString().contains("argon2"), "never the password hash");
    assertFalse(r.bodyAsString().contains("correct-horse"), "never the password");

    HttpResponse<Buffer> again = api.get(reader, "/vehicles/" + v.getString("id"));
    assertEquals(200, again.statusCode());
    assertEquals(v, again.bodyAsJsonObject());
    // ids are case-insensitive (Crockford)
    assertEquals(200, api.get(reader, "/vehicles/" + v.getString("id").toLowerCase()).statusCode());
  }

  @Test
  void customCapabilitiesAreStoredCanonicallyAndPasswordIsHashed() throws Exception {
    JsonObject body = newVehicle();
    body.remove("vehicle_model_id");
    body.put("capabilities", new JsonObject()
        .put("commands", new JsonArray().add("LOCK_CENTRAL_LOCK").add("UNLOCK_CENTRAL_LOCK"))
        .put("vehicle_state", new JsonArray().add("CENTRAL_LOCK").add("POSITION")));
    body.put("master_data", new JsonObject().put("vehicle_type", "DEV_KIT"));
    JsonObject v = api.add(lifecycle, body);
    assertEquals(new JsonArray().add("UNLOCK_CENTRAL_LOCK").add("LOCK_CENTRAL_LOCK"), v.getJsonObject("capabilities").getJsonArray("commands"));
    assertEquals(new JsonArray().add("POSITION").add("CENTRAL_LOCK"), v.getJsonObject("capabilities").getJsonArray("vehicle_state"));
    assertEquals("OPERATING", v.getJsonObject("operation_status").getString("value"), "the default");
    TelematicsUnit unit = gw.gateway.registry.unit(v.getJsonObject("telematics_unit").getString("id"));
    assertTrue(unit.passwordHash().startsWith("$argon2id$"));
    assertTrue(gw.gateway.secrets.verify(unit.id(), "correct-horse-battery", unit.passwordHash())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
  }

  @Test
  void idsAreFiveCrockfordCharactersAndUniqueOverManyAdds() throws Exception {
    String token = gw.token("many-ids", Permission.VEHICLE_LIFECYCLE);
    Set<String> ids = new HashSet<>();
    for (int batch = 0; batch < 30; batch++) { // 300 adds, 10 at a time (a small CI box hashes 2 at once)
      List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        calls.add(gw.http.post("/vehicles").putHeader("Authorization", "Bearer " + token).sendJsonObject(newVehicle()));
      }
      for (Future<HttpResponse<Buffer>> call : calls) {
        HttpResponse<Buffer> r = io.fleetgate.TestGateway.await(call);
        assertEquals(201, r.statusCode(), r.bodyAsString());
        String id = r.bodyAsJsonObject().getString("id");
        assertTrue(id.matches("[0123456789ABCDEFGHJKMNPQRSTVWXYZ]{5}"), id);
        assertTrue(ids.add(id), "duplicate " + id);
      }
    }
    assertEquals(300, ids.size());
  }

  @Test
  void unitAlreadyAttachedIs409EvenWhenRacing() throws Exception {
    JsonObject body = newVehicle();
    api.add(lifecycle, body);
    assertProblem(api.post(lifecycle, "/vehicles", body), 409, "conflict");
    // another fleet cannot take it either
    assertProblem(api.post(gw.token("other", Permission.VEHICLE_LIFECYCLE), "/vehicles", body), 409, "conflict");
    // concurrent adds of one new unit: exactly one wins (the store's duplicate key decides)
    JsonObject raced = newVehicle();
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(gw.http.post("/vehicles").putHeader("Authorization", "Bearer " + lifecycle).sendJsonObject(raced));
    }
    int created = 0;
    for (Future<HttpResponse<Buffer>> call : calls) {
      HttpResponse<Buffer> r = io.fleetgate.TestGateway.await(call);
      if (r.statusCode() == 201) {
        created++;
      } else {
        assertProblem(r, 409, "conflict");
      }
    }
    assertEquals(1, created);
  }

  // ---- POST validation, one test per rule family

  @Test
  void bodyMustBeAJsonObjectWithKnownProperties() throws Exception {
    assertInvalid(api.post(lifecycle, "/vehicles", newVehicle().put("colour", "red")), "/colour");
    HttpResponse<Buffer> r = io.fleetgate.TestGateway.await(gw.http.post("/vehicles").putHeader("Authorization", "Bearer " + lifecycle)
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{nope")));
    assertProblem(r, 400, "validation-error");
  }

  @Test
  void telematicsUnitIsRequiredAndChecked() throws Exception {
    JsonObject noUnit = newVehicle();
    noUnit.remove("telematics_unit");
    assertInvalid(api.post(lifecycle, "/vehicles", noUnit), "/telematics_unit");
    assertInvalid(api.post(lifecycle, "/vehicles", newVehicle().put("telematics_unit", "x")), "/telematics_unit");
    for (String badId : List.of("", "has space", "x".repeat(65), "ümlaut")) {
      JsonObject b = newVehicle();
      b.getJsonObject("telematics_unit").put("id", badId);
      assertInvalid(api.post(lifecycle, "/vehicles", b), "/telematics_unit/id");
    }
    JsonObject longest = newVehicle();
    longest.getJsonObject("telematics_unit").put("id", "A1_.:-".repeat(10) + "Zz09");
    api.add(lifecycle, longest);
    JsonObject noId = newVehicle();
    noId.getJsonObject("telematics_unit").remove("id");
    assertInvalid(api.post(lifecycle, "/vehicles", noId), "/telematics_unit/id");
    JsonObject badType = newVehicle();
    badType.getJsonObject("telematics_unit").put("type", "AFTERMARKET");
    assertInvalid(api.post(lifecycle, "/vehicles", badType), "/telematics_unit/type");
    JsonObject longBrand = newVehicle();
    longBrand.getJsonObject("telematics_unit").put("brand", "b".repeat(101));
    assertInvalid(api.post(lifecycle, "/vehicles", longBrand), "/telematics_unit/brand");
    JsonObject extra = newVehicle();
    extra.getJsonObject("telematics_unit").put("imei", "1");
    assertInvalid(api.post(lifecycle, "/vehicles", extra), "/telematics_unit/imei");
  }

  @Test
  void passwordIsTwelveTo256Characters() throws Exception {
    for (String bad : List.of("short", "elevenchars", "p".repeat(257))) {
      JsonObject b = newVehicle();
      b.getJsonObject("telematics_unit").put("password", bad);
      assertInvalid(api.post(lifecycle, "/vehicles", b), "/telematics_unit/password");
    }
    JsonObject missing = newVehicle();
    missing.getJsonObject("telematics_unit").remove("password");
    assertInvalid(api.post(lifecycle, "/vehicles", missing), "/telematics_unit/password");
    JsonObject ok = newVehicle();
    ok.getJsonObject("telematics_unit").put("password", "twelve-chars");
    api.add(lifecycle, ok);
  }

  @Test
  void eitherModelOrCapabilities() throws Exception {
    JsonObject neither = newVehicle();
    neither.remove("vehicle_model_id");
    assertInvalid(api.post(lifecycle, "/vehicles", neither), "/vehicle_model_id");
    JsonObject both = newVehicle().put("capabilities",
        new JsonObject().put("commands", new JsonArray()).put("vehicle_state", new JsonArray()));
    assertInvalid(api.post(lifecycle, "/vehicles", both), "/capabilities");
    assertInvalid(api.post(lifecycle, "/vehicles", newVehicle().put("vehicle_model_id", "no-such-model")), "/vehicle_model_id");
  }

  @Test
  void capabilitiesMustNameKnownCommandsAndProperties() throws Exception {
    JsonObject b = newVehicle();
    b.remove("vehicle_model_id");
    b.put("capabilities", new JsonObject()
        .put("commands", new JsonArray().add("LOCK_CENTRAL_LOCK").add("SELF_DESTRUCT"))
        .put("vehicle_state", new JsonArray().add("position").add("POSITION")));
    HttpResponse<Buffer> r = api.post(lifecycle, "/vehicles", b);
    assertInvalid(r, "/capabilities/commands/1");
    assertInvalid(r, "/capabilities/vehicle_state/0");
    b.put("capabilities", new JsonObject().put("commands", new JsonArray()).put("colour", "red"));
    r = api.post(lifecycle, "/vehicles", b);
    assertInvalid(r, "/capabilities/colour");
    assertInvalid(r, "/capabilities/vehicle_state");
    b.put("capabilities", new JsonObject().put("commands", "LOCK").put("vehicle_state", new JsonArray()));
    assertInvalid(api.post(lifecycle, "/vehicles", b), "/capabilities/commands");
  }

  @Test
  void masterDataLengthsEnumsAndYearOnCreate() throws Exception {
    JsonObject md = new JsonObject()
        .put("license_plate", "x".repeat(31)).put("vin", "x".repeat(18)).put("custom_name", "x".repeat(101))
        .put("remark", "x".repeat(501)).put("brand", "x".repeat(101)).put("model", "x".repeat(101))
        .put("fuel_type", "COAL").put("gear_box", "CVT").put("vehicle_type", "BOAT").put("year_of_production", "20")
        .put("colour", "red");
    HttpResponse<Buffer> r = api.post(lifecycle, "/vehicles", newVehicle().put("master_data", md));
    for (String f : List.of("license_plate", "vin", "custom_name", "remark", "brand", "model", "fuel_type", "gear_box",
        "vehicle_type", "year_of_production", "colour")) {
      assertInvalid(r, "/master_data/" + f);
    }
    assertInvalid(api.post(lifecycle, "/vehicles", newVehicle().put("master_data",
        new JsonObject().put("year_of_production", 2020))), "/master_data/year_of_production");
    JsonObject atLimits = new JsonObject()
        .put("license_plate", "x".repeat(30)).put("vin", "x".repeat(17)).put("custom_name", "x".repeat(100))
        .put("remark", "x".repeat(500)).put("year_of_production", "1999");
    api.add(lifecycle, newVehicle().put("master_data", atLimits));
  }

  @Test
  void customFieldsTagsAndOperationStatusOnCreate() throws Exception {
    JsonObject many = new JsonObject();
    for (int i = 0; i < 51; i++) {
      many.put("k" + i, "v");
    }
    assertInvalid(api.post(lifecycle, "/vehicles", newVehicle().put("custom_fields", many)), "/custom_fields");
    assertInvalid(api.post(lifecycle, "/vehicles", newVehicle().put("custom_fields",
        new JsonObject().put("k".repeat(65), "v"))), "/custom_fields/" + "k".repeat(65));
    assertInvalid(api.post(lifecycle, "/vehicles", newVehicle().put("custom_fields",
        new JsonObject().put("depot", "v".repeat(501)))), "/custom_fields/depot");
    assertInvalid(api.post(lifecycle, "/vehicles", newVehicle().put("custom_fields",
        new JsonObject().put("depot", 7))), "/custom_fields/depot");
    JsonArray tags = new JsonArray();
    for (int i = 0; i < 51; i++) {
      tags.add("t" + i);
    }
    assertInvalid(api.post(lifecycle, "/vehicles", newVehicle().put("tags", tags)), "/tags");
    assertInvalid(api.post(lifecycle, "/vehicles", newVehicle().put("tags", new JsonArray().add("ok").add("t".repeat(65)))), "/tags/1");
    assertInvalid(api.post(lifecycle, "/vehicles", newVehicle().put("operation_status",
        new JsonObject().put("value", "FLYING"))), "/operation_status/value");
    assertInvalid(api.post(lifecycle, "/vehicles", newVehicle().put("operation_status",
        new JsonObject().put("value", "GARAGE").put("since", "now"))), "/operation_status/since");
  }

  // ---- PATCH

  @Test
  void mergePatchSetsClearsAndReplaces() throws Exception {
    JsonObject v = api.add(lifecycle, newVehicle()
        .put("master_data", new JsonObject().put("license_plate", "B-1").put("remark", "keep"))
        .put("custom_fields", new JsonObject().put("depot", "north").put("zone", "a"))
        .put("tags", new JsonArray().add("one").add("two")));
    String uri = "/vehicles/" + v.getString("id");
    Thread.sleep(5);
    HttpResponse<Buffer> r = api.patch(writer, uri, new JsonObject()
        .put("master_data", new JsonObject().put("license_plate", null).put("vin", "VIN123").put("fuel_type", "ELECTRIC"))
        .put("custom_fields", new JsonObject().put("zone", null).put("bay", "7"))
        .put("tags", new JsonArray().add("three")));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject p = r.bodyAsJsonObject();
    JsonObject md = p.getJsonObject("master_data");
    assertNull(md.getValue("license_plate"), "null clears");
    assertEquals("VIN123", md.getString("vin"));
    assertEquals("ELECTRIC", md.getString("fuel_type"));
    assertEquals("keep", md.getString("remark"), "absent fields stay");
    assertEquals("MOPED", md.getString("vehicle_type"));
    assertEquals(new JsonObject().put("depot", "north").put("bay", "7"), p.getJsonObject("custom_fields"), "custom fields merge");
    assertEquals(new JsonArray().add("three"), p.getJsonArray("tags"), "tags replace");
    assertNotEquals(v.getString("modified_at"), p.getString("modified_at"));
    assertEquals(v.getJsonObject("operation_status"), p.getJsonObject("operation_status"), "untouched");
    // persisted in the store before the answer
    assertEquals("VIN123", gw.gateway.stores.vehicles().loadVehicles().toCompletionStage().toCompletableFuture().get()
        .stream().filter(x -> x.id().equals(v.getString("id"))).findFirst().orElseThrow().masterData().get("vin"));
    assertEquals(p, api.get(reader, uri).bodyAsJsonObject());

    Thread.sleep(5);
    JsonObject s = api.patch(writer, uri, new JsonObject().put("operation_status", new JsonObject().put("value", "MAINTENANCE")))
        .bodyAsJsonObject();
    assertEquals("MAINTENANCE", s.getJsonObject("operation_status").getString("value"));
    assertNotEquals(p.getJsonObject("operation_status").getString("modified_at"), s.getJsonObject("operation_status").getString("modified_at"));
    assertEquals(p.getJsonObject("custom_fields"), s.getJsonObject("custom_fields"));

    JsonObject cleared = api.patch(writer, uri, new JsonObject().put("master_data", null).put("custom_fields", null)
        .put("tags", null)).bodyAsJsonObject();
    cleared.getJsonObject("master_data").forEach(e -> assertNull(e.getValue(), e.getKey()));
    assertEquals(new JsonObject(), cleared.getJsonObject("custom_fields"));
    assertEquals(new JsonArray(), cleared.getJsonArray("tags"));

    JsonObject empty = api.patch(writer, uri, new JsonObject()).bodyAsJsonObject();
    assertEquals(cleared.getJsonObject("master_data"), empty.getJsonObject("master_data"));
  }

  @Test
  void patchValidationNamesEveryPointer() throws Exception {
    String uri = "/vehicles/" + api.add(lifecycle).getString("id");
    HttpResponse<Buffer> r = api.patch(writer, uri, new JsonObject()
        .put("master_data", new JsonObject().put("license_plate", "x".repeat(31)).put("vin", "x".repeat(18))
            .put("custom_name", "x".repeat(101)).put("remark", "x".repeat(501)).put("brand", "").put("model", 5)
            .put("fuel_type", "COAL").put("gear_box", "CVT").put("vehicle_type", "BOAT")
            .put("year_of_production", "2k20").put("wheels", 3))
        .put("tags", new JsonArray().add(""))
        .put("operation_status", new JsonObject().put("value", "PARKED"))
        .put("status", "x"));
    for (String f : List.of("license_plate", "vin", "custom_name", "remark", "brand", "model", "fuel_type", "gear_box",
        "vehicle_type", "year_of_production", "wheels")) {
      assertInvalid(r, "/master_data/" + f);
    }
    assertInvalid(r, "/tags/0");
    assertInvalid(r, "/operation_status/value");
    assertInvalid(r, "/status");
    assertInvalid(api.patch(writer, uri, new JsonObject().put("operation_status", null)), "/operation_status");
    assertInvalid(api.patch(writer, uri, new JsonObject().put("operation_status", new JsonObject())), "/operation_status/value");
    assertInvalid(api.patch(writer, uri, new JsonObject().put("custom_fields", new JsonObject().put("k".repeat(65), "v"))),
        "/custom_fields/" + "k".repeat(65));
    assertInvalid(api.patch(writer, uri, new JsonObject().put("custom_fields", new JsonObject().put("k", "v".repeat(501)))),
        "/custom_fields/k");
    // the bound holds after the merge as well
    for (int i = 0; i < 50; i += 25) {
      JsonObject part = new JsonObject();
      for (int k = i; k < i + 25; k++) {
        part.put("f" + k, "v");
      }
      assertEquals(200, api.patch(writer, uri, new JsonObject().put("custom_fields", part)).statusCode());
    }
    assertInvalid(api.patch(writer, uri, new JsonObject().put("custom_fields", new JsonObject().put("one-more", "v"))), "/custom_fields");
    assertEquals(200, api.patch(writer, uri, new JsonObject().put("custom_fields", new JsonObject().put("f0", null).put("new", "v"))).statusCode());
    // nothing of a rejected patch was applied
    assertEquals("OPERATING", api.get(reader, uri).bodyAsJsonObject().getJsonObject("operation_status").getString("value"));
  }

  // ---- isolation and permissions

  @Test
  void anotherFleetsVehicleIsNotFoundOnEveryRoute() throws Exception {
    JsonObject v = api.add(lifecycle);
    String id = v.getString("id");
    String unitId = v.getJsonObject("telematics_unit").getString("id");
    String stranger = gw.token("stranger", Permission.VEHICLES, Permission.VEHICLE_LIFECYCLE);
    assertProblem(api.get(stranger, "/vehicles/" + id), 404, "resource-not-found");
    assertProblem(api.patch(stranger, "/vehicles/" + id, new JsonObject().put("tags", new JsonArray())), 404, "resource-not-found");
    assertProblem(api.patch(stranger, "/vehicles/" + id, new JsonObject().put("bogus", 1)), 404, "resource-not-found");
    assertProblem(api.get(stranger, "/vehicles/" + id + "/state"), 404, "resource-not-found");
    assertProblem(api.get(stranger, "/vehicles/" + id + "/states"), 404, "resource-not-found");
    assertProblem(api.get(stranger, "/telematics-units/" + unitId), 404, "resource-not-found");
    assertFalse(api.get(stranger, "/vehicles").bodyAsString().contains(id));
    assertFalse(api.get(stranger, "/telematics-units").bodyAsString().contains(unitId));
    // and the answer is the same as for an id that does not exist at all
    assertProblem(api.get(stranger, "/vehicles/ZZZZZ"), 404, "resource-not-found");
    assertProblem(api.get(stranger, "/vehicles/not-an-id"), 404, "resource-not-found");
    assertProblem(api.get(stranger, "/telematics-units/no-such-unit"), 404, "resource-not-found");
    // a platform client owns no vehicles
    String platform = gw.token(null, Permission.VEHICLES, Permission.VEHICLE_LIFECYCLE);
    assertProblem(api.get(platform, "/vehicles/" + id), 404, "resource-not-found");
    assertEquals(0, api.get(platform, "/vehicles").bodyAsJsonObject().getJsonArray("items").size());
  }

  @Test
  void missingPermissionIs403OnEveryRoute() throws Exception {
    JsonObject v = api.add(lifecycle);
    String id = v.getString("id");
    String unitId = v.getJsonObject("telematics_unit").getString("id");
    String nothing = gw.token("acme", Permission.VEHICLE_COMMANDS, Permission.EVENTS);
    for (String uri : List.of("/vehicle-models", "/vehicles", "/vehicles/" + id, "/vehicles/" + id + "/state",
        "/vehicles/" + id + "/states", "/telematics-units", "/telematics-units/" + unitId)) {
      assertProblem(api.get(nothing, uri), 403, "missing-permissions");
    }
    assertProblem(api.post(nothing, "/vehicles", newVehicle()), 403, "missing-permissions");
    assertProblem(api.patch(nothing, "/vehicles/" + id, new JsonObject()), 403, "missing-permissions");
    // read-only may not change or add; writer may not add
    assertProblem(api.patch(reader, "/vehicles/" + id, new JsonObject()), 403, "missing-permissions");
    assertProblem(api.post(reader, "/vehicles", newVehicle()), 403, "missing-permissions");
    assertProblem(api.post(writer, "/vehicles", newVehicle()), 403, "missing-permissions");
    // lifecycle alone: catalog and units, not vehicles
    String lifecycleOnly = gw.token("acme", Permission.VEHICLE_LIFECYCLE);
    assertEquals(200, api.get(lifecycleOnly, "/vehicle-models").statusCode());
    assertEquals(200, api.get(lifecycleOnly, "/telematics-units/" + unitId).statusCode());
    assertProblem(api.get(lifecycleOnly, "/vehicles/" + id), 403, "missing-permissions");
    // no token at all
    HttpResponse<Buffer> anonymous = io.fleetgate.TestGateway.await(gw.http.get("/vehicles").send());
    assertProblem(anonymous, 401, "unauthorized");
  }

  // ---- catalog and units

  @Test
  void vehicleModelsListTheCatalog() throws Exception {
    JsonObject body = api.get(reader, "/vehicle-models").bodyAsJsonObject();
    JsonArray items = body.getJsonArray("items");
    assertEquals(6, items.size());
    Set<String> types = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      JsonObject m = items.getJsonObject(i);
      assertEquals(Set.of("id", "vehicle_type", "brand", "model", "capabilities"), m.fieldNames());
      assertEquals(Set.of("commands", "vehicle_state"), m.getJsonObject("capabilities").fieldNames());
      types.add(m.getString("vehicle_type"));
    }
    assertEquals(Set.of("SCOOTER", "MOPED", "CAR", "BICYCLE", "VAN"), types);
  }

  @Test
  void telematicsUnitsOfTheOwnFleetOnlyWithoutSecrets() throws Exception {
    String fleet = "units-" + UUID.randomUUID().toString().substring(0, 8);
    String token = gw.token(fleet, Permission.VEHICLE_LIFECYCLE);
    List<String> unitIds = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      JsonObject v = api.add(token);
      unitIds.add(v.getJsonObject("telematics_unit").getString("id"));
    }
    api.add(gw.token("elsewhere-" + fleet, Permission.VEHICLE_LIFECYCLE));
    List<String> seen = new ArrayList<>();
    String uri = "/telematics-units?limit=2";
    while (uri != null) {
      HttpResponse<Buffer> r = api.get(token, uri);
      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertFalse(r.bodyAsString().contains("argon2"));
      JsonObject page = r.bodyAsJsonObject();
      page.getJsonArray("items").forEach(o -> seen.add(((JsonObject) o).getString("id")));
      String next = page.getJsonObject("cursors").getString("next");
      uri = next == null ? null : "/telematics-units?cursor=" + next;
    }
    assertEquals(unitIds, seen);
    JsonObject one = api.get(token, "/telematics-units/" + unitIds.get(0)).bodyAsJsonObject();
    assertEquals(Set.of("id", "brand", "model", "manufacturer", "type", "fleet_id", "created_at", "modified_at", "vehicle_id"),
        one.fieldNames());
    assertEquals(fleet, one.getString("fleet_id"));
  }
}
