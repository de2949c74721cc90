package io.fleetgate.api;

import io.fleetgate.auth.Permission;
import io.fleetgate.auth.Principal;
import com.github.f4b6a3.ulid.Ulid;
import io.fleetgate.events.EventLog;
import io.fleetgate.events.EventType;
import io.fleetgate.events.SseHub;
import io.fleetgate.events.SseStream;
import io.fleetgate.events.StreamReplay;
import io.fleetgate.fleet.FleetDirectory;
import io.fleetgate.problem.Problems;
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
 * {@code exp} and when its client is deleted. A {@code Last-Event-ID} header (or {@code last_event_id} query
 * parameter, for clients that cannot set headers) resumes: the logged events after that id first, then live
 * ones ({@link StreamReplay}).
 */
public final class EventRoutes implements RouteGroup {
  private final SseHub hub;
  private final EventLog log;
  private final FleetDirectory directory;
  private final VehicleRegistry registry;
  private final VehicleAccess access;
  private final int bufferEvents;
  private final long keepAliveMs;

  public EventRoutes(SseHub hub, EventLog log, FleetDirectory directory, VehicleRegistry registry, VehicleAccess access,
      int bufferEvents, int keepAliveSeconds) {
    this.hub = hub;
    this.log = log;
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
    String lastEventId = lastEventId(ctx);
    String vehicle = vehicleId;
    // on a single node the reservation is decided at once (and this continues synchronously); in a cluster
    // the other nodes are asked for the client's streams there first
    hub.reserveEverywhere(principal.clientId()).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (!ar.result()) {
        ctx.fail(Problems.tooManyRequests("this client has its maximum of open event streams; close one first",
            Map.of("Retry-After", "5")));
      } else if (ctx.response().closed()) {
        hub.release(principal.clientId()); // the client went away while the others were asked
      } else {
        open(ctx, principal, types, vehicle, lastEventId);
      }
    });
  }

  private void open(RoutingContext ctx, Principal principal, Set<EventType> types, String vehicleId, String lastEventId) {
    SseStream stream = SseStream.open(ctx.vertx(), hub, ctx.response(), principal.fleetId(), principal.clientId(), types,
        vehicleId, bufferEvents, keepAliveMs, ApiSupport.tokenExpiresAtMs(ctx), lastEventId != null);
    if (lastEventId != null) {
      StreamReplay.run(log, stream, lastEventId, System.currentTimeMillis());
    }
    // a deletion that ran between the token check and the hub registration did not see this stream: the
    // directory is updated before the hub is told, so looking again after registering closes that gap
    if (directory.client(principal.clientId()) == null) {
      stream.end("client revoked");
    }
  }

  /**
   * The id to resume after: the {@code Last-Event-ID} header, else the {@code last_event_id} parameter, or
   * null. It must be a message id (a ULID; 400 otherwise); one the log no longer holds (or never held)
   * replays whatever the log holds after it in message-id order.
   */
  static String lastEventId(RoutingContext ctx) {
    String id = ctx.request().getHeader("Last-Event-ID");
    String pointer = "/Last-Event-ID";
    if (id == null) {
      id = PageCursor.single(ctx, "last_event_id");
      pointer = "/last_event_id";
    }
    if (id == null || id.isEmpty()) {
      return null;
    }
    if (!Ulid.isValid(id)) {
      throw Problems.validation(pointer, "must be the id: of an event this stream sent (a 26-character message id)");
    }
    return Ulid.from(id).toString();
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
        throw Problems.validation("/types", "unknown event type '" + name.trim() + "' in types");
      }
      out.add(t);
    }
    return out;
  }
}
