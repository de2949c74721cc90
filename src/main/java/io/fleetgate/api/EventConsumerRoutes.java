package io.fleetgate.api;

import io.fleetgate.auth.Permission;
import io.fleetgate.auth.Principal;
import io.fleetgate.events.EventType;
import io.fleetgate.events.amqp.EventConsumers;
import io.fleetgate.problem.Problems;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /event-consumers} ({@code events}): durable RabbitMQ queues of the token's fleet, one per topic.
 * Without {@code amqp.url} every route answers 503 {@code service-unavailable}: there is no broker to hold
 * the queues.
 */
public final class EventConsumerRoutes implements RouteGroup {
  private static final int MAX_NAME = 100;

  /** Null when no broker is configured. */
  private final EventConsumers consumers;

  public EventConsumerRoutes(EventConsumers consumers) {
    this.consumers = consumers;
  }

  @Override
  public void mount(Router router, ApiSupport api) {
    router.post("/event-consumers").handler(api.requires(Permission.EVENTS)).handler(ApiSupport.json(201, this::create));
    router.get("/event-consumers").handler(api.requires(Permission.EVENTS)).handler(ApiSupport.json(200, this::list));
    router.delete("/event-consumers/:id").handler(api.requires(Permission.EVENTS)).handler(ApiSupport.json(204, this::delete));
  }

  private Future<JsonObject> create(RoutingContext ctx) {
    String fleetId = fleet(ctx);
    JsonInput in = JsonInput.body(ctx).allowOnly("name", "topics");
    String name = in.string("name", 1, MAX_NAME, true);
    List<String> wire = in.strings("topics", EventType.values().length, 100, true);
    List<EventType> topics = new ArrayList<>();
    if (wire != null) {
      if (wire.isEmpty()) {
        in.error("topics", "must name at least one event type");
      }
      for (int i = 0; i < wire.size(); i++) {
        EventType t = EventType.of(wire.get(i));
        if (t == null) {
          in.error("topics", i, "unknown event type; one of " + String.join(", ", wireNames()));
        } else if (topics.contains(t)) {
          in.error("topics", i, "named twice");
        } else {
          topics.add(t);
        }
      }
    }
    in.check();
    return consumers.create(fleetId, name, topics).map(c -> {
      ctx.response().putHeader("Location", "/event-consumers/" + c.id());
      return json(c);
    });
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    return consumers.list(fleet(ctx)).map(list -> {
      JsonArray items = new JsonArray();
      list.forEach(c -> items.add(json(c)));
      return new JsonObject().put("items", items);
    });
  }

  private Future<Void> delete(RoutingContext ctx) {
    return consumers.delete(fleet(ctx), ctx.pathParam("id"));
  }

  /** The token's fleet; also where a gateway without a broker says so. */
  private String fleet(RoutingContext ctx) {
    Principal principal = ApiSupport.principal(ctx);
    if (principal.fleetId() == null) {
      throw Problems.forbiddenResource("event consumers belong to a fleet; a platform client has none");
    }
    if (consumers == null) {
      throw Problems.serviceUnavailable("event consumers need RabbitMQ; this gateway runs without amqp.url", 3600);
    }
    return principal.fleetId();
  }

  static JsonObject json(EventConsumers.Consumer c) {
    JsonArray topics = new JsonArray();
    JsonArray queues = new JsonArray();
    for (EventType t : c.topics()) {
      topics.add(t.wire);
      queues.add(new JsonObject().put("topic", t.wire).put("queue", c.queue(t)));
    }
    return new JsonObject().put("consumer_id", c.id()).put("name", c.name()).put("topics", topics).put("queues", queues);
  }

  private static List<String> wireNames() {
    List<String> out = new ArrayList<>();
    for (EventType t : EventType.values()) {
      out.add(t.wire);
    }
    return out;
  }
}
