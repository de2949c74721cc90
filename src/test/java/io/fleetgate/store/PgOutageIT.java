package io.fleetgate.store;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The database goes away mid-test and comes back: the real local PostgreSQL server is stopped and started
 * ({@code pg_ctlcluster}), so this runs only where that is allowed (CI, a development machine as root).
 * While it is down: not ready, API writes 503 with Retry-After, reads and ingestion carry on from memory.
 * When it returns: ready again by itself, writes work, and every frame recorded meanwhile reaches the table.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PgOutageIT {
  private static final String CLUSTER_DIR = "/etc/postgresql";

  @Test
  void theGatewayRidesOutADatabaseStopAndRecoversByItself() throws Exception {
    String version = clusterVersion();
    assumeTrue(version != null, "needs pg_ctlcluster and permission to stop the local PostgreSQL");
    try (PgTestDatabase db = PgTestDatabase.create();
        TestGateway gw = TestGateway.start(Map.of("db.url", db.url, "db.timeoutMs", 1000))) {
      String token = gw.token("outage-fleet", Permission.VEHICLE_LIFECYCLE, Permission.VEHICLES_RO);
      String vehicleId = addVehicle(gw, token).bodyAsJsonObject().getString("id");
      long t0 = System.currentTimeMillis();
      List<Future<Void>> recorded = new ArrayList<>();
      recorded.add(ingest(gw, vehicleId, t0, 10));
      await(recorded.get(0));
      try {
        pgctl(version, "stop", "-m", "fast");
        eventually("readiness reports the database down", 15_000, () -> status(gw, "/health/ready") == 503);
        HttpResponse<Buffer> write = addVehicle(gw, token);
        assertEquals(503, write.statusCode(), write.bodyAsString());
        assertEquals("/problems/service-unavailable", write.bodyAsJsonObject().getString("type"));
        assertNotNull(write.getHeader("Retry-After"), "Retry-After");
        // ingestion carries on in memory: the latest state is current while the database is away
        for (int i = 1; i <= 20; i++) {
          recorded.add(ingest(gw, vehicleId, t0 + i * 1000L, 10 + i));
        }
        HttpResponse<Buffer> state = await(gw.http.get("/vehicles/" + vehicleId + "/state")
            .putHeader("Authorization", "Bearer " + token).send());
        assertEquals(200, state.statusCode(), state.bodyAsString());
        assertEquals(30, state.bodyAsJsonObject().getJsonObject("state_of_charge_or_fuel_level_in_percent").getInteger("value"));
        assertFalse(recorded.get(recorded.size() - 1).isComplete(), "a frame is acknowledged before it is stored");
      } finally {
        pgctl(version, "start");
      }
      eventually("ready again once PostgreSQL is back", 60_000, () -> status(gw, "/health/ready") == 200);
      for (Future<Void> f : recorded) {
        await(f.timeout(30, TimeUnit.SECONDS));
      }
      assertEquals(201, addVehicle(gw, token).statusCode());
      eventually("every frame recorded during the outage is in the history table", 10_000,
          () -> historyRows(db, vehicleId) >= 21);
    }
  }

  private static long historyRows(PgTestDatabase db, String vehicleId) {
    // the state-history table of V3__state.sql
    return db.count("SELECT count(*) FROM state_history WHERE vehicle_id = '" + vehicleId + "'");
  }

  private static Future<Void> ingest(TestGateway gw, String vehicleId, long at, int charge) {
    return gw.gateway.ingest.apply(vehicleId, List.of(new Reading(Property.STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT, at, charge)), at).mapEmpty();
  }

  private static HttpResponse<Buffer> addVehicle(TestGateway gw, String token) throws Exception {
    JsonObject body = new JsonObject()
        .put("telematics_unit", new JsonObject().put("id", "U-" + UUID.randomUUID().toString().substring(0, 18))
            .put("brand", "NIU").put("model", "N1").put("manufacturer", "INVERS").put("type", "RETROFIT")
            .put("password", "correct-horse-battery"))
        .put("vehicle_model_id", "niu-nqi-gts");
    return await(gw.http.post("/vehicles").putHeader("Authorization", "Bearer " + token).sendJsonObject(body));
  }

  private static int status(TestGateway gw, String path) {
    try {
      return await(gw.http.get(path).send()).statusCode();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** The local cluster's version when this process may stop and start it, else null. */
  private static String clusterVersion() {
    String[] versions = new File(CLUSTER_DIR).list();
    if (versions == null || versions.length == 0 || !"root".equals(System.getProperty("user.name"))) {
      return null;
    }
    java.util.Arrays.sort(versions);
    return versions[versions.length - 1];
  }

  private static void pgctl(String version, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("pg_ctlcluster", "--skip-systemctl-redirect", version, "main"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "pg_ctlcluster " + String.join(" ", args));
    assertTrue(p.exitValue() == 0 || out.contains("already") || out.contains("not running"),
        "pg_ctlcluster " + String.join(" ", args) + ": " + out);
  }
}
