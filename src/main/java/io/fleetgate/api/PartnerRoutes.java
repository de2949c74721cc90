package io.fleetgate.api;

import io.fleetgate.access.Partnership;
import io.fleetgate.auth.Permission;
import io.fleetgate.fleet.Fleet;
import io.fleetgate.sharing.Invitation;
import io.fleetgate.sharing.PartnerService;
import io.fleetgate.vehicle.KeysetPage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Partnerships: {@code POST/DELETE /partnerships} for platform administrators ({@code admin}); a fleet's
 * partners and invitation codes under {@code /sharing-partners} ({@code fleetshare}).
 */
public final class PartnerRoutes implements RouteGroup {
  private static final String ID_RULE = "must be 1 to 100 characters of A-Z, a-z, 0-9, '_' and '-'";

  private final PartnerService partners;

  public PartnerRoutes(PartnerService partners) {
    this.partners = partners;
  }

  @Override
  public void mount(Router router, ApiSupport api) {
    router.post("/partnerships").handler(api.requires(Permission.ADMIN)).handler(ApiSupport.json(201, this::createPartnership));
    router.delete("/partnerships/:fleet_id/:partner_fleet_id").handler(api.requires(Permission.ADMIN))
        .handler(ApiSupport.json(204, this::deletePartnership));
    router.get("/sharing-partners").handler(api.requires(Permission.FLEETSHARE)).handler(ApiSupport.json(200, this::list));
    router.post("/sharing-partners").handler(api.requires(Permission.FLEETSHARE)).handler(ApiSupport.json(201, this::redeem));
    router.delete("/sharing-partners/:fleet_id").handler(api.requires(Permission.FLEETSHARE))
        .handler(ApiSupport.json(204, this::endPartnership));
    router.post("/sharing-partners/invitations").handler(api.requires(Permission.FLEETSHARE))
        .handler(ApiSupport.json(201, this::invite));
    router.get("/sharing-partners/invitations").handler(api.requires(Permission.FLEETSHARE))
        .handler(ApiSupport.json(200, this::invitations));
    router.delete("/sharing-partners/invitations/:code").handler(api.requires(Permission.FLEETSHARE))
        .handler(ApiSupport.json(204, this::revoke));
  }

  private Future<JsonObject> createPartnership(RoutingContext ctx) {
    JsonInput in = JsonInput.body(ctx).allowOnly("fleet_ids");
    List<String> ids = in.strings("fleet_ids", 2, 100, true);
    if (ids != null) {
      if (ids.size() != 2) {
        in.error("fleet_ids", "must name exactly two fleets");
      } else {
        for (int i = 0; i < 2; i++) {
          if (!Fleet.ID.matcher(ids.get(i)).matches()) {
            in.error("fleet_ids", i, ID_RULE);
          }
        }
      }
    }
    in.check();
    return partners.createPartnership(ids.get(0), ids.get(1)).map(p -> {
      ctx.response().putHeader("Location", "/partnerships/" + p.fleetA() + "/" + p.fleetB());
      return partnershipJson(p);
    });
  }

  private Future<Void> deletePartnership(RoutingContext ctx) {
    return partners.deletePartnership(ctx.pathParam("fleet_id"), ctx.pathParam("partner_fleet_id"));
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    PageCursor page = PageCursor.of(ctx, "sharing-partners", List.of());
    KeysetPage<PartnerService.Partner> result = partners.partners(ApiSupport.principal(ctx), page.at(), page.limit());
    JsonArray items = new JsonArray();
    result.items().forEach(p -> items.add(partnerJson(p)));
    return Future.succeededFuture(new JsonObject().put("items", items).put("cursors", page.cursors(result, true)));
  }

  private Future<JsonObject> redeem(RoutingContext ctx) {
    JsonInput in = JsonInput.body(ctx).allowOnly("invitation_code");
    String code = in.string("invitation_code", 1, 100, true);
    in.check();
    return partners.redeem(ApiSupport.principal(ctx), code).map(p -> {
      ctx.response().putHeader("Location", "/sharing-partners/" + p.fleetId());
      return partnerJson(p);
    });
  }

  private Future<Void> endPartnership(RoutingContext ctx) {
    return partners.endPartnership(ApiSupport.principal(ctx), ctx.pathParam("fleet_id"));
  }

  private Future<JsonObject> invite(RoutingContext ctx) {
    JsonInput in = JsonInput.optionalBody(ctx).allowOnly("expires_in_seconds");
    Integer seconds = in.integer("expires_in_seconds", PartnerService.MIN_INVITATION_SECONDS, partners.maxInvitationSeconds(), false);
    in.check();
    return partners.invite(ApiSupport.principal(ctx), seconds).map(created -> new JsonObject()
        .put("code", created.code())
        .put("id", created.invitation().id())
        .put("expires_at", VehicleJson.time(created.invitation().expiresAt())));
  }

  private Future<JsonObject> invitations(RoutingContext ctx) {
    return partners.invitations(ApiSupport.principal(ctx)).map(list -> {
      JsonArray items = new JsonArray();
      list.forEach(i -> items.add(invitationJson(i)));
      return new JsonObject().put("items", items);
    });
  }

  private Future<Void> revoke(RoutingContext ctx) {
    return partners.revoke(ApiSupport.principal(ctx), ctx.pathParam("code"));
  }

  static JsonObject partnershipJson(Partnership p) {
    return new JsonObject().put("fleet_ids", new JsonArray().add(p.fleetA()).add(p.fleetB()))
        .put("since", VehicleJson.time(p.since()));
  }

  static JsonObject partnerJson(PartnerService.Partner p) {
    return new JsonObject().put("fleet_id", p.fleetId()).put("name", p.name()).put("since", VehicleJson.time(p.since()));
  }

  /** An outstanding code as listed: its handle and times, never the code (only its hash is kept). */
  static JsonObject invitationJson(Invitation i) {
    return new JsonObject().put("id", i.id()).put("created_at", VehicleJson.time(i.createdAt()))
        .put("expires_at", VehicleJson.time(i.expiresAt()));
  }
}
