package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.api.HttpCalls.problem;
import static io.fleetgate.api.HttpCalls.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.sharing.Invitation;
import io.fleetgate.sharing.InvitationCodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Partnerships (admin), partner listings and invitation codes over real HTTP. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PartnerApiTest {
  static final int MAX_CODES = 3;
  static TestGateway gw;
  static VehicleApi api;

  @BeforeAll
  static void start() {
    gw = TestGateway.start(Map.of("sharing.maxInvitationsPerFleet", MAX_CODES));
    api = new VehicleApi(gw);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static String fleet() {
    String id = "f-" + UUID.randomUUID().toString().substring(0, 8);
    gw.fleet(id);
    return id;
  }

  static final Map<String, String> TOKENS = new java.util.concurrent.ConcurrentHashMap<>();

  /** One fleetshare token per fleet (each new token costs a signature check on first use). */
  static String token(String fleet) {
    return TOKENS.computeIfAbsent(fleet, f -> gw.token(f, Permission.FLEETSHARE));
  }

  static HttpResponse<Buffer> partner(String a, String b) throws Exception {
    return api.post(gw.adminToken(), "/partnerships", new JsonObject().put("fleet_ids", new JsonArray().add(a).add(b)));
  }

  static JsonObject invite(String token, JsonObject body) throws Exception {
    HttpResponse<Buffer> r = body == null ? send(gw.http.post("/sharing-partners/invitations"), token) // no body at all
        : api.post(token, "/sharing-partners/invitations", body);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static HttpResponse<Buffer> redeem(String token, String code) throws Exception {
    return api.post(token, "/sharing-partners", new JsonObject().put("invitation_code", code));
  }

  static HttpResponse<Buffer> delete(String token, String uri) {
    return send(gw.http.delete(uri), token);
  }

  static List<String> partnerIds(JsonObject page) {
    List<String> out = new ArrayList<>();
    page.getJsonArray("items").forEach(o -> out.add(((JsonObject) o).getString("fleet_id")));
    return out;
  }

  @Test
  void adminPartnershipsAndTheirProblems() throws Exception {
    String a = fleet();
    String b = fleet();
    HttpResponse<Buffer> r = partner(b, a);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    List<String> sorted = a.compareTo(b) < 0 ? List.of(a, b) : List.of(b, a);
    assertEquals(new JsonArray(sorted), r.bodyAsJsonObject().getJsonArray("fleet_ids"));
    assertEquals("/partnerships/" + sorted.get(0) + "/" + sorted.get(1), r.getHeader("Location"));
    problem(partner(a, b), 409, "conflict");
    HttpCalls.invalidAt(partner(a, a), "/fleet_ids");
    problem(partner(a, "no-such-fleet"), 404, "resource-not-found");
    HttpCalls.invalidAt(api.post(gw.adminToken(), "/partnerships", new JsonObject().put("fleet_ids", new JsonArray().add(a))), "/fleet_ids");
    HttpCalls.invalidAt(api.post(gw.adminToken(), "/partnerships", new JsonObject().put("fleet_ids", new JsonArray().add(a).add("bad id!"))), "/fleet_ids/1");
    HttpCalls.invalidAt(api.post(gw.adminToken(), "/partnerships", new JsonObject()), "/fleet_ids");
    // admin only
    problem(api.post(gw.token(a, Permission.FLEETSHARE, Permission.VEHICLES), "/partnerships",
        new JsonObject().put("fleet_ids", new JsonArray().add(a).add(b))), 403, "missing-permissions");
    problem(delete(gw.token(a, Permission.FLEETSHARE), "/partnerships/" + a + "/" + b), 403, "missing-permissions");
    // both sides list each other
    JsonObject ofA = api.get(token(a), "/sharing-partners").bodyAsJsonObject();
    assertEquals(List.of(b), partnerIds(ofA));
    assertEquals("Fleet " + b, ofA.getJsonArray("items").getJsonObject(0).getString("name"));
    assertEquals(r.bodyAsJsonObject().getString("since"), ofA.getJsonArray("items").getJsonObject(0).getString("since"));
    assertEquals(List.of(a), partnerIds(api.get(token(b), "/sharing-partners").bodyAsJsonObject()));
    assertEquals(204, delete(gw.adminToken(), "/partnerships/" + a + "/" + b).statusCode());
    assertEquals(List.of(), partnerIds(api.get(token(a), "/sharing-partners").bodyAsJsonObject()));
    problem(delete(gw.adminToken(), "/partnerships/" + a + "/" + b), 404, "resource-not-found");
    // platform clients have no partners of their own
    problem(api.get(gw.token(null, Permission.FLEETSHARE), "/sharing-partners"), 403, "forbidden-resource");
  }

  @Test
  void partnerListingPagesInTheOrderPartnershipsBegan() throws Exception {
    String me = fleet();
    List<String> others = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String o = fleet();
      assertEquals(201, partner(me, o).statusCode());
      others.add(o);
    }
    JsonObject page = api.get(token(me), "/sharing-partners?limit=2").bodyAsJsonObject();
    List<String> walked = new ArrayList<>(partnerIds(page));
    assertNull(page.getJsonObject("cursors").getString("prev"));
    // a partnership ends behind the cursor while walking: nothing ahead is skipped or repeated
    assertEquals(204, delete(gw.adminToken(), "/partnerships/" + me + "/" + others.get(0)).statusCode());
    while (page.getJsonObject("cursors").getString("next") != null) {
      page = api.get(token(me), "/sharing-partners?cursor=" + page.getJsonObject("cursors").getString("next")).bodyAsJsonObject();
      walked.addAll(partnerIds(page));
    }
    assertEquals(others, walked);
    HttpCalls.invalidAt(api.get(token(me), "/sharing-partners?limit=0"), "/limit");
    HttpCalls.invalidAt(api.get(token(me), "/sharing-partners?cursor=nonsense"), "/cursor");
  }

  @Test
  void invitationCodesAreUnguessableSingleUseAndHashed() throws Exception {
    String inviter = fleet();
    String redeemer = fleet();
    String third = fleet();
    assertTrue(InvitationCodes.BITS >= 80);
    Instant before = Instant.now();
    JsonObject created = invite(token(inviter), null);
    String code = created.getString("code");
    assertTrue(code.matches("[0-9A-HJKMNP-TV-Z]{20}"), code); // 20 Crockford characters: 100 bits
    Instant expires = Instant.parse(created.getString("expires_at"));
    assertTrue(!expires.isBefore(before.plusSeconds(604_800).minusSeconds(1)) && expires.isBefore(Instant.now().plusSeconds(604_801)));
    // codes differ; none is stored in clear
    Set<String> codes = new HashSet<>();
    codes.add(code);
    JsonObject second = invite(token(inviter), new JsonObject().put("expires_in_seconds", 3600));
    assertTrue(codes.add(second.getString("code")));
    JsonObject listed = api.get(token(inviter), "/sharing-partners/invitations").bodyAsJsonObject();
    assertEquals(2, listed.getJsonArray("items").size());
    assertFalse(listed.encode().contains(code));
    assertEquals(created.getString("id"), listed.getJsonArray("items").getJsonObject(0).getString("id"));
    for (Invitation i : await(gw.gateway.stores.sharing().invitationsOf(inviter))) {
      assertFalse(i.codeHash().contains(code));
      assertEquals(64, i.codeHash().length());
    }
    // redeem (case and hyphens forgiven): partners both ways
    HttpResponse<Buffer> r = redeem(token(redeemer), code.substring(0, 10).toLowerCase() + "-" + code.substring(10));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals(inviter, r.bodyAsJsonObject().getString("fleet_id"));
    assertEquals(List.of(redeemer), partnerIds(api.get(token(inviter), "/sharing-partners").bodyAsJsonObject()));
    // single use: the same code again, by anyone, is the one answer for a bad code
    JsonObject used = HttpCalls.invalidAt(redeem(token(third), code), "/invitation_code");
    JsonObject unknown = HttpCalls.invalidAt(redeem(token(third), "0123456789ABCDEFGHJK"), "/invitation_code");
    JsonObject own = HttpCalls.invalidAt(redeem(token(inviter), second.getString("code")), "/invitation_code");
    JsonObject garbage = HttpCalls.invalidAt(redeem(token(third), "!"), "/invitation_code");
    for (JsonObject other : List.of(unknown, own, garbage)) {
      assertEquals(used.getString("detail"), other.getString("detail"));
      assertEquals(used.getJsonArray("errors"), other.getJsonArray("errors"));
    }
    // the own attempt did not use the code up: a partner already → 409, a new fleet may still redeem it
    problem(redeem(token(redeemer), invite(token(inviter), null).getString("code")), 409, "conflict");
    assertEquals(201, redeem(token(third), second.getString("code")).statusCode());
  }

  @Test
  void expiredAndRevokedCodesAreBadCodesToo() throws Exception {
    String inviter = fleet();
    String redeemer = fleet();
    // an expired code (written to the store as time would have left it)
    String expiredCode = new InvitationCodes().newCode();
    Instant past = Instant.now().minusSeconds(120);
    await(gw.gateway.stores.sharing().insertInvitation(
        new Invitation("inv_expiredexpired00", inviter, InvitationCodes.hash(expiredCode), past, past.plusSeconds(60))));
    JsonObject expired = HttpCalls.invalidAt(redeem(token(redeemer), expiredCode), "/invitation_code");
    assertEquals(List.of(), api.get(token(inviter), "/sharing-partners/invitations").bodyAsJsonObject().getJsonArray("items").getList());
    // revoked by code, and by listed id
    String byCode = invite(token(inviter), null).getString("code");
    JsonObject byId = invite(token(inviter), null);
    problem(delete(token(redeemer), "/sharing-partners/invitations/" + byCode), 404, "resource-not-found"); // not the redeemer's
    assertEquals(204, delete(token(inviter), "/sharing-partners/invitations/" + byCode).statusCode());
    assertEquals(204, delete(token(inviter), "/sharing-partners/invitations/" + byId.getString("id")).statusCode());
    problem(delete(token(inviter), "/sharing-partners/invitations/" + byCode), 404, "resource-not-found");
    JsonObject revoked = HttpCalls.invalidAt(redeem(token(redeemer), byCode), "/invitation_code");
    JsonObject revoked2 = HttpCalls.invalidAt(redeem(token(redeemer), byId.getString("code")), "/invitation_code");
    assertEquals(expired.getString("detail"), revoked.getString("detail"));
    assertEquals(expired.getString("detail"), revoked2.getString("detail"));
    assertEquals(List.of(), partnerIds(api.get(token(inviter), "/sharing-partners").bodyAsJsonObject()));
  }

  @Test
  void invitationBoundsAndProblems() throws Exception {
    String inviter = fleet();
    HttpCalls.invalidAt(api.post(token(inviter), "/sharing-partners/invitations", new JsonObject().put("expires_in_seconds", 0)), "/expires_in_seconds");
    HttpCalls.invalidAt(api.post(token(inviter), "/sharing-partners/invitations", new JsonObject().put("expires_in_seconds", 2_592_001)), "/expires_in_seconds");
    HttpCalls.invalidAt(api.post(token(inviter), "/sharing-partners/invitations", new JsonObject().put("other", 1)), "/other");
    HttpCalls.invalidAt(api.post(token(inviter), "/sharing-partners", new JsonObject()), "/invitation_code");
    HttpCalls.invalidAt(api.post(token(inviter), "/sharing-partners", new JsonObject().put("invitation_code", 42)), "/invitation_code");
    for (int i = 0; i < MAX_CODES; i++) {
      invite(token(inviter), null);
    }
    problem(api.post(token(inviter), "/sharing-partners/invitations", new JsonObject()), 409, "conflict");
    // another fleet is not affected by this fleet's bound
    assertNotEquals(null, invite(token(fleet()), null).getString("code"));
    String noShare = gw.token(inviter, Permission.VEHICLES);
    problem(api.post(noShare, "/sharing-partners/invitations", new JsonObject()), 403, "missing-permissions");
    problem(api.get(noShare, "/sharing-partners/invitations"), 403, "missing-permissions");
    problem(delete(noShare, "/sharing-partners/invitations/x"), 403, "missing-permissions");
    problem(api.post(noShare, "/sharing-partners", new JsonObject().put("invitation_code", "x")), 403, "missing-permissions");
    problem(delete(noShare, "/sharing-partners/" + inviter), 403, "missing-permissions");
  }
}
