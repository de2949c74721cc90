package io.fleetgate.api;

import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestClock;
import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.store.CarryOver;
import io.fleetgate.store.PgTestDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Partnerships, invitation codes and sharings on PostgreSQL survive a restart: a second gateway on the same
 * database, an hour later by its clock, has the partnerships (in their order), accepts an unexpired code and
 * refuses an expired one (deleted by the retention at start-up), gives the partner access through an active
 * sharing, starts a scheduled one that came due while it was down and ends one whose end has passed; new
 * partnerships and sharings get sequences above every stored one.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharingRestartTest {
  private static final Permission[] ALL = {Permission.VEHICLES, Permission.VEHICLE_LIFECYCLE, Permission.FLEETSHARE};

  @Test
  void partnershipsInvitationsAndSharingsSurviveARestart() throws Exception {
    Assumptions.assumeFalse(PgTestDatabase.selected(), "on PostgreSQL in either execution: once is enough");
    String tag = UUID.randomUUID().toString().substring(0, 8);
    String owner = "own-" + tag;
    String partner = "par-" + tag;
    String third = "thr-" + tag;
    String redeemer = "red-" + tag;
    Instant in30min = Instant.now().plus(Duration.ofMinutes(30));
    try (PgTestDatabase db = PgTestDatabase.create()) {
      String open;
      String scheduled;
      String ending;
      String lateCode;
      String expiringCode;
      String expiringId;
      CarryOver carry;
      try (TestGateway gw = TestGateway.start(Map.of("db.url", db.url), TestClock.flowing())) {
        VehicleApi api = new VehicleApi(gw);
        String ownerT = gw.token(owner, ALL);
        String partnerT = gw.token(partner, ALL);
        gw.fleet(redeemer);
        assertEquals(201, api.post(gw.adminToken(), "/partnerships", pair(owner, partner)).statusCode());
        // a partnership by invitation code
        String code = invite(api, ownerT, 600).getString("code");
        assertEquals(201, api.post(gw.token(third, ALL), "/sharing-partners", new JsonObject().put("invitation_code", code)).statusCode());
        lateCode = invite(api, ownerT, 7200).getString("code");
        JsonObject expiring = invite(api, ownerT, 1800);
        expiringCode = expiring.getString("code");
        expiringId = expiring.getString("id");

        open = api.add(ownerT).getString("id");
        scheduled = api.add(ownerT).getString("id");
        ending = api.add(ownerT).getString("id");
        share(api, ownerT, open, new JsonObject().put("fleet_id", partner));
        share(api, ownerT, scheduled, new JsonObject().put("fleet_id", partner).put("starts_at", in30min.toString()));
        share(api, ownerT, ending, new JsonObject().put("fleet_id", partner).put("ends_at", in30min.toString()));
        assertEquals(200, api.get(partnerT, "/vehicles/" + open).statusCode());
        assertEquals(404, api.get(partnerT, "/vehicles/" + scheduled).statusCode());
        assertEquals(200, api.get(partnerT, "/vehicles/" + ending).statusCode());
        carry = CarryOver.of(gw, List.of(owner, partner, third, redeemer), List.of(open, scheduled, ending));
      }
      assertEquals(3, db.count("SELECT count(*) FROM sharings"));
      long lastSharingId = db.count("SELECT max(id) FROM sharings");

      TestClock anHourLater = TestClock.flowing();
      anHourLater.advance(Duration.ofHours(1));
      try (TestGateway gw = TestGateway.start(Map.of("db.url", db.url), anHourLater)) {
        carry.into(gw);
        VehicleApi api = new VehicleApi(gw);
        String ownerT = gw.token(owner, ALL);
        String partnerT = gw.token(partner, ALL);
        assertEquals(List.of(partner, third), partnerIds(api.get(ownerT, "/sharing-partners")));

        // sharings: the active one still gives access, the scheduled one started, the ended one is gone
        JsonObject seen = api.get(partnerT, "/vehicles/" + open).bodyAsJsonObject();
        assertEquals("SHARED_PARTNER_VEHICLE", seen.getJsonObject("sharing").getString("status"), seen.encode());
        assertEquals(200, api.get(partnerT, "/vehicles/" + scheduled).statusCode());
        assertEquals(404, api.get(partnerT, "/vehicles/" + ending).statusCode());
        assertNull(api.get(ownerT, "/vehicles/" + ending).bodyAsJsonObject().getValue("sharing"));
        eventually("the due sharing stored as started, the ended one deleted", () ->
            db.count("SELECT count(*) FROM sharings WHERE vehicle_id = '" + scheduled + "' AND started") == 1
                && db.count("SELECT count(*) FROM sharings WHERE vehicle_id = '" + ending + "'") == 0);
        List<String> partnersVehicles = new ArrayList<>();
        api.get(partnerT, "/vehicles").bodyAsJsonObject().getJsonArray("items").forEach(o -> partnersVehicles.add(((JsonObject) o).getString("id")));
        assertEquals(List.of(open, scheduled), partnersVehicles);

        // invitation codes: the expired one was deleted at start-up and is refused, the other one still works
        assertEquals(0, db.count("SELECT count(*) FROM invitations WHERE id = '" + expiringId + "'"));
        String redeemerT = gw.token(redeemer, ALL);
        HttpCalls.invalidAt(api.post(redeemerT, "/sharing-partners", new JsonObject().put("invitation_code", expiringCode)), "/invitation_code");
        HttpResponse<Buffer> r = api.post(redeemerT, "/sharing-partners", new JsonObject().put("invitation_code", lateCode));
        assertEquals(201, r.statusCode(), r.bodyAsString());
        // sequences go on above the stored ones: the new partnership is listed last, the new sharing has a new id
        assertEquals(List.of(partner, third, redeemer), partnerIds(api.get(ownerT, "/sharing-partners")));
        share(api, ownerT, ending, new JsonObject().put("fleet_id", partner));
        assertTrue(db.count("SELECT id FROM sharings WHERE vehicle_id = '" + ending + "'") > lastSharingId);
      }
    }
  }

  private static JsonObject pair(String a, String b) {
    return new JsonObject().put("fleet_ids", new JsonArray().add(a).add(b));
  }

  private static JsonObject invite(VehicleApi api, String token, int seconds) throws Exception {
    HttpResponse<Buffer> r = api.post(token, "/sharing-partners/invitations", new JsonObject().put("expires_in_seconds", seconds));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static void share(VehicleApi api, String token, String vehicleId, JsonObject body) throws Exception {
    HttpResponse<Buffer> r = api.post(token, "/vehicles/" + vehicleId + "/sharing", body);
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  private static List<String> partnerIds(HttpResponse<Buffer> r) {
    assertEquals(200, r.statusCode(), r.bodyAsString());
    List<String> out = new ArrayList<>();
    r.bodyAsJsonObject().getJsonArray("items").forEach(o -> out.add(((JsonObject) o).getString("fleet_id")));
    return out;
  }
}
