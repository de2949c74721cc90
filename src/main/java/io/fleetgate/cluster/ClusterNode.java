package io.fleetgate.cluster;

import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.fleetgate.ops.ReadinessCheck;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

/**
 * This gateway's place in the cluster: its node id, the members it sees (told to listeners as they join and
 * leave), its readiness, and the few fixed event-bus addresses it listens on. There is never one address per
 * unit: a registration is a cluster-wide write, and every survivor re-reads all of them when a member leaves.
 *
 * <p>Node ids are Vert.x's (the Hazelcast member attribute {@code __vertx.nodeId}), new on every start, so a
 * restarted node is a new member and nothing owned by its previous life is mistaken for its own.
 */
public final class ClusterNode {
  private static final Logger LOG = Logger.getLogger("fleetgate.cluster");
  /** The Hazelcast member attribute under which Vert.x keeps its node id. */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  /** The fixed addresses of a node: {@code fleetgate.node.<nodeId>.<name>}. */
  public enum Channel {
    /** Commands for units connected to that node. */
    COMMANDS("commands"),
    /** Cluster housekeeping (e.g. a ping); working-set change notices later. */
    CONTROL("control"),
    /** "Close your session of this unit: it connected elsewhere with a newer epoch." */
    TAKEOVER("takeover");

    private final String suffix;

    Channel(String suffix) {
      this.suffix = suffix;
    }
  }

  /** Told on the node's event loop when a member joins or leaves (never for this node itself). */
  public interface MembershipListener {
    default void memberJoined(String nodeId) {}

    default void memberLeft(String nodeId) {}
  }

  private final VertxInternal vertx;
  private final HazelcastClusterManager manager;
  private final String nodeId;
  private final String clusterName;
  private final ContextInternal context;
  private final Set<String> members = ConcurrentHashMap.newKeySet();
  private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<Channel, Handler<Message<JsonObject>>> handlers = new ConcurrentHashMap<>();
  /** The control channel's operations ({@code {"op": name, ...}}) besides the ping. */
  private final Map<String, Handler<Message<JsonObject>>> controlOps = new ConcurrentHashMap<>();
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private final Counter commandsSent;
  private final Counter commandsReceived;
  private final Counter eventsSent;
  private final Counter eventsReceived;
  /** Between Hazelcast's MERGING and MERGED: this member's view is being replaced, it is not ready. */
  private volatile boolean merging;
  private UUID membershipRegistration;
  private UUID lifecycleRegistration;

  private ClusterNode(VertxInternal vertx, HazelcastClusterManager manager, String clusterName, MeterRegistry metrics) {
    this.vertx = vertx;
    this.manager = manager;
    this.nodeId = manager.getNodeId();
    this.clusterName = clusterName;
    this.context = vertx.createEventLoopContext();
    Gauge.builder("fleetgate_cluster_members", members, Set::size)
        .description("Members of the cluster this node sees, itself included").register(metrics);
    String commands = "Commands that crossed nodes (sent: to the unit's node; received: for a unit connected here)";
    commandsSent = counter(metrics, "fleetgate_cluster_commands", "sent", commands);
    commandsReceived = counter(metrics, "fleetgate_cluster_commands", "received", commands);
    String events = "Events that crossed nodes (sent: published to other nodes; received: from other nodes)";
    eventsSent = counter(metrics, "fleetgate_cluster_events", "sent", events);
    eventsReceived = counter(metrics, "fleetgate_cluster_events", "received", events);
    handlers.put(Channel.CONTROL, this::control);
  }

  private static Counter counter(MeterRegistry metrics, String name, String direction, String description) {
    return Counter.builder(name).tag("direction", direction).description(description).register(metrics);
  }

  /**
   * The node of a clustered Vert.x instance (built with {@link ClusterSetup#clusterManager}); call
   * {@link #start} before using it.
   */
  public static ClusterNode of(Vertx vertx, String clusterName, MeterRegistry metrics) {
    if (!vertx.isClustered() || !(((VertxInternal) vertx).clusterManager() instanceof HazelcastClusterManager manager)) {
      throw new IllegalStateException("cluster.members is set but the Vert.x instance is not clustered with Hazelcast");
    }
    return new ClusterNode((VertxInternal) vertx, manager, clusterName, metrics);
  }

  /** Starts following the membership and listens on this node's addresses (registered cluster-wide when this completes). */
  public Future<Void> start() {
    HazelcastInstance hz = manager.getHazelcastInstance();
    membershipRegistration = hz.getCluster().addMembershipListener(new InitialMembershipListener() {
      @Override
      public void init(InitialMembershipEvent event) {
        event.getMembers().forEach(m -> added(m, false));
      }

      @Override
      public void memberAdded(MembershipEvent event) {
        added(event.getMember(), true);
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        removed(event.getMember());
      }
    });
    lifecycleRegistration = hz.getLifecycleService().addLifecycleListener(this::lifecycle);
    Promise<Void> registered = Promise.promise();
    context.runOnContext(v -> {
      List<Future<Void>> all = new ArrayList<>();
      for (Channel channel : Channel.values()) {
        MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(address(nodeId, channel), message -> dispatch(channel, message));
        consumers.add(consumer);
        all.add(consumer.completion());
      }
      Future.all(all).<Void>mapEmpty().onComplete(registered);
    });
    return registered.future().onSuccess(v -> LOG.info("cluster '" + clusterName + "': node " + nodeId + " joined, "
        + members.size() + " members"));
  }

  /** Stops listening on this node's addresses (the Vert.x instance leaves the cluster when it is closed). */
  public Future<Void> stop() {
    HazelcastInstance hz = manager.getHazelcastInstance();
    if (hz != null && hz.getLifecycleService().isRunning()) {
      if (membershipRegistration != null) {
        hz.getCluster().removeMembershipListener(membershipRegistration);
      }
      if (lifecycleRegistration != null) {
        hz.getLifecycleService().removeLifecycleListener(lifecycleRegistration);
      }
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      List<Future<Void>> all = new ArrayList<>();
      consumers.forEach(c -> all.add(c.unregister()));
      consumers.clear();
      Future.join(all).<Void>mapEmpty().onComplete(ar -> done.complete());
    });
    return done.future();
  }

  public String nodeId() {
    return nodeId;
  }

  /** The node ids of the members this node sees, itself included (a snapshot). */
  public Set<String> members() {
    return Set.copyOf(members);
  }

  /** Whether {@code nodeId} is a live member as far as this node knows. */
  public boolean isMember(String nodeId) {
    return members.contains(nodeId);
  }

  /** {@code fleetgate.node.<nodeId>.<channel>}. */
  public static String address(String nodeId, Channel channel) {
    return "fleetgate.node." + nodeId + "." + channel.suffix;
  }

  /** Sets what this node does with messages on one of its addresses (without one, they are refused). */
  public void handle(Channel channel, Handler<Message<JsonObject>> handler) {
    handlers.put(channel, handler);
  }

  /** Sets what this node does with {@code {"op": op, ...}} on its control address (e.g. the working set's "apply"). */
  public void handleControl(String op, Handler<Message<JsonObject>> handler) {
    controlOps.put(op, handler);
  }

  public void addListener(MembershipListener listener) {
    listeners.add(listener);
  }

  /** Counts a command sent to another node ({@code fleetgate_cluster_commands_total{direction="sent"}}). */
  public void commandSent() {
    commandsSent.increment();
  }

  public void commandReceived() {
    commandsReceived.increment();
  }

  /** Counts an event published to other nodes ({@code fleetgate_cluster_events_total{direction="sent"}}). */
  public void eventSent() {
    eventsSent.increment();
  }

  public void eventReceived() {
    eventsReceived.increment();
  }

  /**
   * {@code cluster}: up while the Hazelcast member runs, its cluster is active, this node is among the members
   * it sees and no split-brain merge is under way; down otherwise (the node cannot know what it missed).
   */
  public ReadinessCheck readiness() {
    return ReadinessCheck.of("cluster", () -> Future.succeededFuture(status()));
  }

  private ReadinessCheck.Result status() {
    HazelcastInstance hz = manager.getHazelcastInstance();
    if (hz == null || !hz.getLifecycleService().isRunning() || !manager.isActive()) {
      return ReadinessCheck.Result.down("not in a cluster: the Hazelcast member is not running");
    }
    if (merging) {
      return ReadinessCheck.Result.down("rejoining cluster '" + clusterName + "' after a split (merge under way)");
    }
    com.hazelcast.cluster.ClusterState state = hz.getCluster().getClusterState();
    if (state != com.hazelcast.cluster.ClusterState.ACTIVE) {
      return ReadinessCheck.Result.down("cluster '" + clusterName + "' is " + state);
    }
    if (!members.contains(nodeId)) {
      return ReadinessCheck.Result.down("this node is not among the members it sees");
    }
    return ReadinessCheck.Result.up("cluster '" + clusterName + "': " + members.size() + " members");
  }

  private void dispatch(Channel channel, Message<JsonObject> message) {
    Handler<Message<JsonObject>> handler = handlers.get(channel);
    if (handler == null) {
      message.fail(501, "node " + nodeId + " does not handle " + channel.suffix + " yet");
      return;
    }
    handler.handle(message);
  }

  /** The control channel's own messages: {@code {"op":"ping"}} answers the node id and the members it sees. */
  private void control(Message<JsonObject> message) {
    JsonObject body = message.body();
    Handler<Message<JsonObject>> op = body == null ? null : controlOps.get(String.valueOf(body.getValue("op")));
    if (body != null && "ping".equals(body.getString("op"))) {
      message.reply(new JsonObject().put("node", nodeId).put("members", members.size()));
    } else if (op != null) {
      op.handle(message);
    } else {
      message.fail(400, "unknown control message");
    }
  }

  private void added(Member member, boolean tell) {
    String id = member.getAttribute(NODE_ID_ATTRIBUTE);
    if (id == null || !members.add(id) || !tell || id.equals(nodeId)) {
      return;
    }
    LOG.info("cluster '" + clusterName + "': node " + id + " joined (" + member.getAddress() + "), " + members.size() + " members");
    context.runOnContext(v -> listeners.forEach(l -> l.memberJoined(id)));
  }

  private void removed(Member member) {
    String id = member.getAttribute(NODE_ID_ATTRIBUTE);
    if (id == null || !members.remove(id) || id.equals(nodeId)) {
      return;
    }
    LOG.warning("cluster '" + clusterName + "': node " + id + " left (" + member.getAddress() + "), " + members.size() + " members");
    context.runOnContext(v -> listeners.forEach(l -> l.memberLeft(id)));
  }

  private void lifecycle(LifecycleEvent event) {
    switch (event.getState()) {
      case MERGING -> merging = true;
      case MERGED, MERGE_FAILED -> {
        merging = false;
        // after a merge the member list is the merged cluster's: take it as it is now
        HazelcastInstance hz = manager.getHazelcastInstance();
        if (hz != null && hz.getLifecycleService().isRunning()) {
          Set<String> now = ConcurrentHashMap.newKeySet();
          hz.getCluster().getMembers().forEach(m -> {
            String id = m.getAttribute(NODE_ID_ATTRIBUTE);
            if (id != null) {
              now.add(id);
            }
          });
          for (String gone : members()) {
            if (!now.contains(gone)) {
              members.remove(gone);
              context.runOnContext(v -> listeners.forEach(l -> l.memberLeft(gone)));
            }
          }
          for (String joined : now) {
            if (members.add(joined) && !joined.equals(nodeId)) {
              context.runOnContext(v -> listeners.forEach(l -> l.memberJoined(joined)));
            }
          }
        }
      }
      default -> {
        // starting, started, shutting down: the readiness check reads the lifecycle service itself
      }
    }
  }
}
