package io.fleetgate.cluster;

import io.fleetgate.command.Command;
import io.fleetgate.command.CommandRouter;
import io.fleetgate.command.DeliveryTimeoutException;
import io.fleetgate.command.UnitOfflineException;
import io.fleetgate.protocol.CommandResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Commands wherever the unit is connected. A unit connected here: as on one node. Elsewhere: a request to the
 * owner node's {@code .commands} address with an explicit timeout (the PUBACK wait plus a margin: a request to
 * a node that died is not failed fast, it would wait out the event bus's 30 s), whose reply maps to the same
 * outcomes (delivered, {@link UnitOfflineException}, {@link DeliveryTimeoutException}). A request still waiting
 * when its node leaves the cluster (kill -9: no answer can come any more) fails at once with
 * {@link DeliveryTimeoutException}, as its timeout would later. The unit's result comes back to its node, which
 * applies its state and forwards it to the node whose sender waits.
 *
 * <p>A vehicle's queue is drained only on the node that holds its unit's session: another node asks that node
 * to drain instead, so that one node delivers.
 */
final class ClusteredCommandRouter implements CommandRouter {
  private static final Logger LOG = Logger.getLogger("fleetgate.cluster");
  static final int OFFLINE = 404;
  static final int TIMEOUT = 504;
  /** Added to the unit's PUBACK wait for the hops between nodes. */
  static final long MARGIN_MS = 2_000;

  private final Vertx vertx;
  private final CommandRouter local;
  private final ClusterNode node;
  private final Owners owners;
  private final long requestTimeoutMs;
  private final long originTtlMs;
  /** Commands delivered here for a sender on another node: where their result goes (command id → node id). */
  private final Map<UUID, String> origins = new ConcurrentHashMap<>();
  /** Deliveries waiting for another node's answer, by that node's id (no empty sets kept). */
  private final Map<String, Set<Promise<Void>>> waiting = new ConcurrentHashMap<>();
  private volatile Consumer<String> drainHere = v -> {};
  private volatile BiFunction<String, CommandResult, Future<Void>> applyResult = (v, r) -> Future.succeededFuture();

  /**
   * @param ackTimeoutMs the unit's PUBACK wait (command.ackTimeoutSeconds)
   * @param originTtlMs how long a result is forwarded to the sender's node (the longest a sender waits)
   */
  ClusteredCommandRouter(Vertx vertx, CommandRouter local, ClusterNode node, Owners owners, long ackTimeoutMs, long originTtlMs) {
    this.vertx = vertx;
    this.local = local;
    this.node = node;
    this.owners = owners;
    this.requestTimeoutMs = ackTimeoutMs + MARGIN_MS;
    this.originTtlMs = originTtlMs;
    node.handle(ClusterNode.Channel.COMMANDS, this::onMessage);
    node.addListener(new ClusterNode.MembershipListener() {
      @Override
      public void memberLeft(String nodeId) {
        failWaiting(nodeId);
      }
    });
  }

  /** What this node does with a drain request and with a result forwarded to it (the command service's own). */
  void bind(Consumer<String> drain, BiFunction<String, CommandResult, Future<Void>> results) {
    this.drainHere = drain;
    this.applyResult = results;
  }

  @Override
  public boolean reachable(String vehicleId) {
    return local.reachable(vehicleId) || remoteOwner(vehicleId) != null;
  }

  /**
   * Only where the unit's session is and its claim is the newest known: a session whose claim is not written yet
   * drains once it is (see {@link ClusteredDeviceSessions}), one that another node's newer claim replaced stops
   * draining before it is closed.
   */
  @Override
  public boolean drainsHere(String vehicleId) {
    Owners.Owner current = owners.get(vehicleId);
    if (local.reachable(vehicleId) && current != null && current.nodeId().equals(node.nodeId())) {
      return true;
    }
    Owners.Owner o = remoteOwner(vehicleId);
    if (o != null) {
      vertx.eventBus().send(ClusterNode.address(o.nodeId(), ClusterNode.Channel.COMMANDS),
          new JsonObject().put("op", "drain").put("vehicleId", vehicleId));
    }
    return false;
  }

  @Override
  public Future<Void> deliver(Command command) {
    if (local.reachable(command.vehicleId())) {
      return local.deliver(command);
    }
    Owners.Owner o = remoteOwner(command.vehicleId());
    if (o == null) {
      return Future.failedFuture(new UnitOfflineException("the unit is not connected to any node"));
    }
    node.commandSent();
    JsonObject body = new JsonObject().put("op", "deliver").put("origin", node.nodeId()).put("command", CommandMessages.command(command));
    // completed on the sender's context, whether by the answer or by the node's departure
    Promise<Void> answered = ((VertxInternal) vertx).getOrCreateContext().promise();
    String target = o.nodeId();
    waiting.compute(target, (k, set) -> {
      Set<Promise<Void>> s = set != null ? set : ConcurrentHashMap.newKeySet();
      s.add(answered);
      return s;
    });
    vertx.eventBus().<JsonObject>request(ClusterNode.address(target, ClusterNode.Channel.COMMANDS), body,
            new DeliveryOptions().setSendTimeout(requestTimeoutMs))
        .onComplete(ar -> {
          waiting.computeIfPresent(target, (k, set) -> {
            set.remove(answered);
            return set.isEmpty() ? null : set;
          });
          if (ar.succeeded()) {
            answered.tryComplete();
          } else {
            answered.tryFail(outcome(ar.cause(), target));
          }
        });
    if (!node.isMember(target)) {
      failWaiting(target); // it left between the owner lookup and the registration above
    }
    return answered.future();
  }

  /** Fails every delivery still waiting for {@code nodeId}'s answer: that node is gone, no answer will come. */
  private void failWaiting(String nodeId) {
    Set<Promise<Void>> gone = waiting.remove(nodeId);
    if (gone != null) {
      for (Promise<Void> p : gone) {
        p.tryFail(new DeliveryTimeoutException("node " + nodeId + " of the unit left the cluster before it answered"));
      }
    }
  }

  /**
   * A unit's result, on the unit's node: to the node whose sender waits for it when the command came from
   * there (that node ends the command), else applied here. If that node is gone, it is applied here.
   */
  Future<Void> onResult(String vehicleId, CommandResult result) {
    String origin = origins.remove(result.id());
    if (origin == null || !node.isMember(origin)) {
      return applyResult.apply(vehicleId, result);
    }
    JsonObject body = new JsonObject().put("op", "result").put("vehicleId", vehicleId).put("result", CommandMessages.result(result));
    return vertx.eventBus().request(ClusterNode.address(origin, ClusterNode.Channel.COMMANDS), body,
            new DeliveryOptions().setSendTimeout(requestTimeoutMs))
        .<Void>mapEmpty()
        .recover(e -> {
          LOG.fine(() -> "result of command " + result.id() + " not taken by node " + origin + " (" + e.getMessage() + "), applied here");
          return applyResult.apply(vehicleId, result);
        });
  }

  private Owners.Owner remoteOwner(String vehicleId) {
    Owners.Owner o = owners.get(vehicleId);
    return o != null && !o.nodeId().equals(node.nodeId()) && node.isMember(o.nodeId()) ? o : null;
  }

  private static Throwable outcome(Throwable e, String nodeId) {
    if (e instanceof ReplyException r) {
      if (r.failureType() == ReplyFailure.RECIPIENT_FAILURE && r.failureCode() == OFFLINE) {
        return new UnitOfflineException(r.getMessage());
      }
      if (r.failureType() == ReplyFailure.RECIPIENT_FAILURE && r.failureCode() == TIMEOUT) {
        return new DeliveryTimeoutException(r.getMessage());
      }
      if (r.failureType() == ReplyFailure.NO_HANDLERS) {
        return new UnitOfflineException("node " + nodeId + " of the unit is gone");
      }
      if (r.failureType() == ReplyFailure.TIMEOUT) {
        return new DeliveryTimeoutException("no answer from node " + nodeId + " of the unit in time");
      }
    }
    return e;
  }

  private void onMessage(Message<JsonObject> message) {
    JsonObject body = message.body();
    switch (body.getString("op", "")) {
      case "deliver" -> deliverHere(message, CommandMessages.command(body.getJsonObject("command")), body.getString("origin"));
      case "drain" -> drainHere.accept(body.getString("vehicleId"));
      case "result" -> {
        node.commandReceived();
        applyResult.apply(body.getString("vehicleId"), CommandMessages.result(body.getJsonObject("result")))
            .onComplete(ar -> message.reply(new JsonObject().put("applied", ar.succeeded())));
      }
      default -> message.fail(400, "unknown commands message");
    }
  }

  private void deliverHere(Message<JsonObject> message, Command command, String origin) {
    node.commandReceived();
    if (!local.reachable(command.vehicleId())) {
      message.fail(OFFLINE, "the unit is not connected to node " + node.nodeId());
      return;
    }
    if (origin != null) {
      origins.put(command.id(), origin);
      vertx.setTimer(originTtlMs, t -> origins.remove(command.id(), origin));
    }
    local.deliver(command).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(new JsonObject().put("delivered", true));
      } else if (ar.cause() instanceof UnitOfflineException) {
        origins.remove(command.id());
        message.fail(OFFLINE, ar.cause().getMessage());
      } else if (ar.cause() instanceof DeliveryTimeoutException) {
        message.fail(TIMEOUT, ar.cause().getMessage());
      } else {
        message.fail(500, String.valueOf(ar.cause().getMessage()));
      }
    });
  }
}
