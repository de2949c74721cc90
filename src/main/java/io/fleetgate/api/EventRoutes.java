package io.fleetgate.api;

import io.fleetgate.auth.Permission;
import io.fleetgate.auth.Principal;
import io.fleetgate.events.EventType;
import io.fleetgate.events.SseHub;
import io.fleetgate.events.SseStream;
import io.fleetgate.fleet.FleetDirectory;
import io.fleetgate.vehicle.VehicleAccess;
import io.fleetgate.vehicle.VehicleRegistry;
import io.fleetgate.vehicle.VehicleService;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /events/stream} ({@code events}): the token's fleet's events as server-sent events, optionally
 * only some types and one vehicle. Best-effort (a client that cannot keep up is disconnected); at most
 * {@code events.maxStreamsPerClient} open streams per API client, more get 429. A stream ends at its token's
 * {@code exp} and when its client is deleted.
 */
public final class EventRoutes implements RouteGroup {
  private final SseHub hub;
  private final FleetDirectory directory;
  private final VehicleRegistry registry;
  private final VehicleAccess access;
  private final int bufferEvents;
  private final long keepAliveMs;

  public EventRoutes(SseHub hub, FleetDirectory directory, VehicleRegistry registry, VehicleAccess access, int bufferEvents,
      int keepAliveSeconds) {
    this.hub = hub;
    this.directory = directory;
    this.registry = registry;
    this.access = access;
    this.bufferEvents = bufferEvents;
    this.keepAliveMs = keepAliveSeconds * 1000L;
  }

  @Override
  public void mount(Router router, ApiSupport api) {
    router.get("/events/stream").handler(api.requires(Permission.EVENTS)).handler(this::stream);
  }

  private void stream(RoutingContext ctx) {
    Principal principal = ApiSupport.principal(ctx);
    if (principal.fleetId() == null) {
      throw Problems.forbiddenResource("event streams belong to a fleet; a platform client has none");
    }
    Set<EventType> types = types(ctx.request().getParam("types"));
    String vehicleId = ctx.request().getParam("vehicle_id");
    if (vehicleId != null) {
      vehicleId = VehicleService.normalize(vehicleId);
      if (vehicleId == null || access.of(principal.fleetId(), registry.vehicle(vehicleId)) == VehicleAccess.Access.NONE) {
        throw Problems.notFound("vehicle");
      }
    }
    if (!hub.reserve(principal.clientId())) {
      throw Problems.tooManyRequests("this client has its maximum of open event streams; close one first",
          Map.of("Retry-After", "5"));
    }
    SseStream stream = SseStream.open(ctx.vertx(), hub, ctx.response(), principal.fleetId(), principal.clientId(), types,
        vehicleId, bufferEvents, keepAliveMs, ApiSupport.tokenExpiresAtMs(ctx));
    // a deletion that ran between the token check and the hub registration did not see this stream: the
    // directory is updated before the hub is told, so looking again after registering closes that gap
    if (directory.client(principal.clientId()) == null) {
      stream.end("client revoked");
    }
  }

  /** The {@code types} filter: comma-separated catalog names; empty or absent means all. 400 for an unknown one. */
  static Set<EventType> types(String param) {
    Set<EventType> out = EnumSet.noneOf(EventType.class);
    if (param == null || param.isBlank()) {
      return out;
    }
    for (String name : param.split(",")) {
      EventType t = EventType.of(name.trim());
      if (t == null) {
        throw Problems.validation("unknown event type '" + name.trim() + "' in types");
      }
      out.add(t);
    }
    return out;
  }
}
