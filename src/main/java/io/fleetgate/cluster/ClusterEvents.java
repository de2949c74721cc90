package io.fleetgate.cluster;

import io.fleetgate.events.Event;
import io.fleetgate.events.EventSink;
import io.fleetgate.events.EventType;
import io.fleetgate.events.SseHub;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Events across nodes. The node holding a unit's session publishes its vehicle's events once, as on a single
 * node (log, broker, its own streams); this adds the streams of the other nodes:
 *
 * <ul>
 *   <li>A node registers the per-fleet address {@code fleetgate.fleet.<fleetId>.events} on its first open
 *       stream of that fleet and unregisters it with the last: registrations grow with nodes × fleets being
 *       watched, never with units.
 *   <li>It tells every node which fleets (and which event types) its streams want, on
 *       {@value #INTEREST}: on every change, when a node says hello, and every {@value #REFRESH_MS} ms (so a lost
 *       notice heals). Each node keeps what the others want in an immutable map read without locks.
 *   <li>The {@link #sink()} of the publishing node publishes an event to the fleet's address only when another
 *       node wants it. That test is local on purpose: Vert.x does not cache an address without consumers, so a
 *       publish to one asks Hazelcast for its registrations every time (a remote MultiMap get); with no stream
 *       of the fleet elsewhere, the per-frame path pays one map lookup and nothing crosses the network.
 *   <li>A node drops the events it published itself (it registered the address for its own streams too, and
 *       those got the event directly): each event reaches each stream once.
 * </ul>
 *
 * Received events are offered to the streams on this object's one context, in the order they came: one
 * node's events of a vehicle arrive in publication order (one connection between two nodes).
 *
 * <p>Also answers, on {@code fleetgate.node.<nodeId>.events}, how many streams a client holds here, so that
 * {@code events.maxStreamsPerClient} holds cluster-wide ({@link SseHub#reserveEverywhere}).
 */
public final class ClusterEvents implements SseHub.FleetStreamsListener, SseHub.StreamsElsewhere {
  private static final Logger LOG = Logger.getLogger("fleetgate.cluster");
  /** Every node's notices of the fleets its streams want. */
  static final String INTEREST = "fleetgate.fleets.interest";
  /** How often a node repeats what its streams want. */
  static final long REFRESH_MS = 5_000;
  /** How long a node waits for another's stream count; one that does not answer is taken to have none. */
  static final long COUNT_TIMEOUT_MS = 2_000;

  private final Vertx vertx;
  private final ClusterNode node;
  private final SseHub hub;
  private final ContextInternal context;
  private final Sink sink = new Sink();
  // confined to the context
  private final Map<String, MessageConsumer<Buffer>> subscribed = new HashMap<>();
  private final Map<String, Set<EventType>> wantedHere = new HashMap<>();
  private final Map<String, Map<String, Set<EventType>>> wantedByNode = new HashMap<>();
  private final List<MessageConsumer<?>> fixed = new ArrayList<>();
  private long refreshTimer = -1;
  /** Fleet → the event types some other node's streams want; immutable, swapped on the context. */
  private volatile Map<String, Set<EventType>> wantedElsewhere = Map.of();

  public ClusterEvents(Vertx vertx, ClusterNode node, SseHub hub) {
    this.vertx = vertx;
    this.node = node;
    this.hub = hub;
    this.context = ((VertxInternal) vertx).createEventLoopContext();
    hub.fleetListener(this);
    hub.streamsElsewhere(this);
    node.addListener(new ClusterNode.MembershipListener() {
      @Override
      public void memberLeft(String nodeId) {
        context.runOnContext(v -> {
          if (wantedByNode.remove(nodeId) != null) {
            rebuild();
          }
        });
      }
    });
  }

  /** {@code fleetgate.fleet.<fleetId>.events}. */
  public static String address(String fleetId) {
    return "fleetgate.fleet." + fleetId + ".events";
  }

  /** {@code fleetgate.node.<nodeId>.events}: this node's stream counts. */
  static String nodeAddress(String nodeId) {
    return "fleetgate.node." + nodeId + ".events";
  }

  /** The sink to add to the publisher's (after the log and the local streams). */
  public EventSink sink() {
    return sink;
  }

  /** Listens on the fixed addresses, then says hello (the others tell what their streams want). */
  public Future<Void> start() {
    return Future.<Void>future(p -> context.runOnContext(v -> {
      MessageConsumer<JsonObject> interest = vertx.eventBus().consumer(INTEREST, this::interest);
      MessageConsumer<JsonObject> counts = vertx.eventBus().consumer(nodeAddress(node.nodeId()), this::answerCount);
      fixed.add(interest);
      fixed.add(counts);
      Future.all(interest.completion(), counts.completion()).<Void>mapEmpty().onComplete(ar -> {
        if (ar.succeeded()) {
          vertx.eventBus().publish(INTEREST, new JsonObject().put("op", "hello").put("node", node.nodeId()));
          announce();
          refreshTimer = vertx.setPeriodic(REFRESH_MS, id -> announce());
        }
        p.handle(ar);
      });
    }));
  }

  public Future<Void> stop() {
    return Future.<Void>future(p -> context.runOnContext(v -> {
      vertx.cancelTimer(refreshTimer);
      List<Future<Void>> all = new ArrayList<>();
      fixed.forEach(c -> all.add(c.unregister()));
      subscribed.values().forEach(c -> all.add(c.unregister()));
      fixed.clear();
      subscribed.clear();
      Future.join(all).<Void>mapEmpty().onComplete(ar -> p.complete());
    }));
  }

  // ---- this node's streams --------------------------------------------------------------------------------

  @Override
  public void fleetStreamsChanged(String fleetId) {
    context.runOnContext(v -> follow(fleetId));
  }

  /** Brings the fleet's registration and what this node announces in line with its streams now. */
  private void follow(String fleetId) {
    Set<EventType> wanted = hub.wantedTypes(fleetId);
    if (java.util.Objects.equals(wanted, wantedHere.get(fleetId))) {
      return;
    }
    if (wanted == null) {
      wantedHere.remove(fleetId);
      announce(); // the others stop sending first
      MessageConsumer<Buffer> c = subscribed.remove(fleetId);
      if (c != null) {
        c.unregister();
      }
      return;
    }
    wantedHere.put(fleetId, wanted);
    if (subscribed.containsKey(fleetId)) {
      announce();
      return;
    }
    MessageConsumer<Buffer> c = vertx.eventBus().consumer(address(fleetId), m -> received(fleetId, m));
    subscribed.put(fleetId, c);
    // announced once the registration is in the cluster: a node told earlier could publish into the void
    c.completion().onComplete(ar -> {
      if (ar.failed()) {
        LOG.warning("cluster: could not listen for fleet " + fleetId + "'s events from other nodes: " + ar.cause().getMessage());
      }
      announce();
    });
  }

  private void received(String fleetId, Message<Buffer> m) {
    Buffer b = m.body();
    if (node.nodeId().equals(EventWire.origin(b))) {
      return; // published here: this node's streams had it directly
    }
    Event e = EventWire.decode(fleetId, b);
    if (e != null) {
      node.eventReceived();
      hub.deliver(e);
    }
  }

  /** Tells every node which fleets this node's streams want (all of it: a notice replaces the last one). */
  private void announce() {
    JsonObject fleets = new JsonObject();
    wantedHere.forEach((fleet, types) -> {
      JsonArray wire = new JsonArray();
      types.forEach(t -> wire.add(t.wire));
      fleets.put(fleet, wire);
    });
    vertx.eventBus().publish(INTEREST, new JsonObject().put("op", "wants").put("node", node.nodeId()).put("fleets", fleets));
  }

  // ---- the other nodes' streams ---------------------------------------------------------------------------

  private void interest(Message<JsonObject> m) {
    JsonObject body = m.body();
    String from = body.getString("node");
    if (from == null || from.equals(node.nodeId())) {
      return;
    }
    switch (String.valueOf(body.getString("op"))) {
      case "hello" -> announce();
      case "wants" -> {
        if (!node.isMember(from)) {
          return; // a late notice of a node that has left
        }
        Map<String, Set<EventType>> fleets = new HashMap<>();
        JsonObject wire = body.getJsonObject("fleets", new JsonObject());
        for (String fleet : wire.fieldNames()) {
          Set<EventType> types = EnumSet.noneOf(EventType.class);
          for (Object name : wire.getJsonArray(fleet)) {
            EventType t = EventType.of(String.valueOf(name));
            if (t != null) {
              types.add(t);
            }
          }
          fleets.put(fleet, types);
        }
        Map<String, Set<EventType>> before = wantedByNode.put(from, fleets);
        if (!fleets.equals(before)) {
          rebuild();
        }
      }
      default -> {
        // a notice of a later build: ignored
      }
    }
  }

  private void rebuild() {
    Map<String, Set<EventType>> union = new HashMap<>();
    wantedByNode.values().forEach(fleets -> fleets.forEach((fleet, types) ->
        union.computeIfAbsent(fleet, k -> EnumSet.noneOf(EventType.class)).addAll(types)));
    Map<String, Set<EventType>> frozen = new HashMap<>();
    union.forEach((fleet, types) -> frozen.put(fleet, Set.copyOf(types)));
    wantedElsewhere = Map.copyOf(frozen);
  }

  /** Whether another node's streams want such events of this fleet (for tests and the sink). */
  public boolean wantedElsewhere(String fleetId, EventType type) {
    Set<EventType> types = wantedElsewhere.get(fleetId);
    return types != null && types.contains(type);
  }

  // ---- stream counts --------------------------------------------------------------------------------------

  private void answerCount(Message<JsonObject> m) {
    String client = m.body() == null ? null : m.body().getString("client");
    if (client == null) {
      m.fail(400, "no client");
      return;
    }
    m.reply(new JsonObject().put("streams", hub.reservations(client)));
  }

  /** The client's streams on every other live node (one that does not answer in time counts none). */
  @Override
  public Future<Integer> count(String clientId) {
    List<Future<Integer>> answers = new ArrayList<>();
    JsonObject ask = new JsonObject().put("client", clientId);
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(COUNT_TIMEOUT_MS);
    for (String other : node.members()) {
      if (!other.equals(node.nodeId())) {
        answers.add(vertx.eventBus().<JsonObject>request(nodeAddress(other), ask, options)
            .map(r -> r.body().getInteger("streams", 0))
            .otherwise(0));
      }
    }
    if (answers.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return Future.all(answers).map(all -> {
      int sum = 0;
      for (int i = 0; i < all.size(); i++) {
        sum += all.<Integer>resultAt(i);
      }
      return sum;
    });
  }

  /** Publishes an event to the fleet's address when another node's streams want it. */
  private final class Sink implements EventSink {
    @Override
    public boolean wants(String fleetId, EventType type, String vehicleId) {
      return wantedElsewhere(fleetId, type);
    }

    @Override
    public Future<Void> deliver(Event event) {
      if (wantedElsewhere(event.fleetId(), event.type())) {
        vertx.eventBus().publish(address(event.fleetId()), EventWire.encode(node.nodeId(), event));
        node.eventSent();
      }
      return Future.succeededFuture();
    }
  }
}
