package io.fleetgate.api;

import io.fleetgate.auth.Permission;
import io.fleetgate.auth.Principal;
import io.fleetgate.command.Command;
import io.fleetgate.command.CommandOutcome;
import io.fleetgate.command.CommandService;
import io.fleetgate.problem.Problems;
import io.fleetgate.protocol.json.Iso8601;
import io.fleetgate.protocol.json.StateJson;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.KeysetPage;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Commands to a vehicle ({@code vehicle-commands}). The last path segment is a command name for POST
 * ({@code unlock-central-lock}) and a command id for GET and DELETE: one path template, so that the OpenAPI
 * description stays valid (two templates differing only in a parameter name are the same path there).
 */
public final class CommandRoutes implements RouteGroup {
  /** Kebab-case endpoint name → capability name, for the eleven commands of the contract. */
  static final Map<String, String> NAMES = Capabilities.ALL_COMMANDS.stream()
      .collect(Collectors.toUnmodifiableMap(c -> c.toLowerCase(Locale.ROOT).replace('_', '-'), c -> c));
  static final int MAX_TTL_SECONDS = 86_400;

  private final CommandService commands;

  public CommandRoutes(CommandService commands) {
    this.commands = commands;
  }

  @Override
  public void mount(Router router, ApiSupport api) {
    router.post("/vehicles/:id/commands/:command").handler(api.requires(Permission.VEHICLE_COMMANDS)).handler(this::send);
    router.get("/vehicles/:id/commands").handler(api.requires(Permission.VEHICLE_COMMANDS)).handler(ApiSupport.json(200, this::list));
    router.get("/vehicles/:id/commands/:command").handler(api.requires(Permission.VEHICLE_COMMANDS)).handler(ApiSupport.json(200, this::get));
    router.delete("/vehicles/:id/commands/:command").handler(api.requires(Permission.VEHICLE_COMMANDS)).handler(ApiSupport.json(204, this::cancel));
  }

  private void send(RoutingContext ctx) {
    Future<CommandOutcome> sent;
    boolean async = prefersAsync(ctx);
    try {
      Principal principal = ApiSupport.principal(ctx);
      String vehicleId = ctx.pathParam("id");
      String name = NAMES.get(ctx.pathParam("command"));
      if (name == null) {
        commands.requireVisible(principal, vehicleId); // a vehicle the caller cannot see is a 404 about the vehicle
        throw Problems.notFound("command");
      }
      JsonInput in = JsonInput.optionalBody(ctx).allowOnly("ttl_seconds");
      Integer ttl = in.integer("ttl_seconds", 1, MAX_TTL_SECONDS, false);
      in.check();
      sent = commands.send(principal, vehicleId, name, ttl, async);
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    sent.onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      Command c = ar.result().command();
      if (async) {
        ctx.response().putHeader("Location", location(c)).putHeader("Preference-Applied", "respond-async");
        ApiSupport.sendJson(ctx, 202, resource(c));
      } else {
        ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
            .end(Buffer.buffer(StateJson.commandAnswer(c.id().toString(), c.status().name(), ar.result().state())));
      }
    });
  }

  /** {@code Prefer: respond-async} (RFC 7240), among other preferences or not. */
  static boolean prefersAsync(RoutingContext ctx) {
    for (String header : ctx.request().headers().getAll("Prefer")) {
      for (String pref : header.split(",")) {
        if (pref.split(";")[0].trim().equalsIgnoreCase("respond-async")) {
          return true;
        }
      }
    }
    return false;
  }

  private Future<JsonObject> get(RoutingContext ctx) {
    return commands.get(ApiSupport.principal(ctx), ctx.pathParam("id"), commandId(ctx)).map(CommandRoutes::resource);
  }

  private Future<JsonObject> cancel(RoutingContext ctx) {
    return commands.cancel(ApiSupport.principal(ctx), ctx.pathParam("id"), commandId(ctx)).map(c -> null);
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    Principal principal = ApiSupport.principal(ctx);
    String vehicleId = ctx.pathParam("id");
    PageCursor page = PageCursor.of(ctx, "commands", List.of(), List.of("vehicle_id"));
    if (page.fromCursor() && (page.at().forward() || !vehicleId.equals(page.filters().getValue("vehicle_id")))) {
      throw PageCursor.badCursor();
    }
    PageCursor listing = new PageCursor("commands", page.limit(), page.fromCursor() ? page.at() : KeysetPage.Position.LAST,
        new JsonObject().put("vehicle_id", vehicleId), page.fromCursor());
    return commands.list(principal, vehicleId, listing.at().key(), listing.limit() + 1).map(found -> {
      boolean more = found.size() > listing.limit();
      List<Command> items = more ? found.subList(0, listing.limit()) : found;
      JsonArray out = new JsonArray();
      items.forEach(c -> out.add(resource(c)));
      KeysetPage.Position next = more ? new KeysetPage.Position(false, items.get(items.size() - 1).seq()) : null;
      JsonObject cursors = new JsonObject()
          .put("self", listing.at(listing.at()))
          .put("first", listing.at(KeysetPage.Position.LAST))
          .put("prev", null)
          .put("next", listing.at(next))
          .put("last", null);
      return new JsonObject().put("items", out).put("cursors", cursors);
    });
  }

  /** The command id of the path; anything but a UUID names no command (404). */
  private static UUID commandId(RoutingContext ctx) {
    try {
      return UUID.fromString(ctx.pathParam("command"));
    } catch (IllegalArgumentException e) {
      return new UUID(0, 0);
    }
  }

  static String location(Command c) {
    return "/vehicles/" + c.vehicleId() + "/commands/" + c.id();
  }

  /** The command resource of the contract; {@code command} is the capability name. */
  static JsonObject resource(Command c) {
    return new JsonObject()
        .put("command_id", c.id().toString())
        .put("vehicle_id", c.vehicleId())
        .put("command", c.name())
        .put("status", c.status().name())
        .put("created_at", Iso8601.format(c.createdAt().toEpochMilli()))
        .put("expires_at", Iso8601.format(c.expiresAt().toEpochMilli()))
        .put("updated_at", Iso8601.format(c.updatedAt().toEpochMilli()))
        .put("detail", c.detail())
        .put("issued_by", new JsonObject().put("client_id", c.clientId()).put("fleet_id", c.fleetId()));
  }
}
