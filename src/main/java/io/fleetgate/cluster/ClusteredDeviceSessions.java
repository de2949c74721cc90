package io.fleetgate.cluster;

import io.fleetgate.device.DeviceSession;
import io.fleetgate.device.DeviceSessions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * One session per unit, cluster-wide. Sessions stay in this node's {@link DeviceSessions}; a registration also
 * claims the unit in PostgreSQL with a new epoch (the newest connection wins), tells every node of the new
 * owner, and tells the previous owner's node, on its {@code .takeover} address, to close its older session
 * (MQTT 5: DISCONNECT 0x8E). A close releases the claim only while it still holds its own epoch, and a session
 * closed because another node took its unit over does not set the vehicle OFFLINE: the late close of an old
 * session never undoes the newer one.
 */
final class ClusteredDeviceSessions implements DeviceSessions {
  private static final Logger LOG = Logger.getLogger("fleetgate.cluster");

  private final Vertx vertx;
  private final DeviceSessions local;
  private final ClusterNode node;
  private final OwnershipStore store;
  private final OwnerNotices notices;
  /** The epoch of each local session's claim, once PostgreSQL gave it. */
  private final Map<DeviceSession, Long> epochs = new ConcurrentHashMap<>();
  /** Local sessions another node took over: their close leaves the life status alone. */
  private final Set<DeviceSession> superseded = ConcurrentHashMap.newKeySet();
  private volatile java.util.function.Consumer<String> claimed = v -> {};

  ClusteredDeviceSessions(Vertx vertx, DeviceSessions local, ClusterNode node, OwnershipStore store, OwnerNotices notices) {
    this.vertx = vertx;
    this.local = local;
    this.node = node;
    this.store = store;
    this.notices = notices;
    node.handle(ClusterNode.Channel.TAKEOVER, this::takeover);
    notices.onForeignClaim(this::closeIfOlder);
  }

  /** Told of each vehicle whose unit this node has just claimed (the command service drains its queue). */
  void onClaimed(java.util.function.Consumer<String> claimed) {
    this.claimed = claimed;
  }

  @Override
  public DeviceSession register(DeviceSession session, Runnable onCurrent) {
    DeviceSession previous = local.register(session, onCurrent);
    claim(session);
    return previous;
  }

  private void claim(DeviceSession session) {
    String self = node.nodeId();
    store.claim(session.vehicleId(), session.unitId(), self).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warning("unit " + session.unitId() + ": ownership not claimed (" + ar.cause().getMessage()
            + "); connected here, but other nodes cannot route its commands until it reconnects");
        return;
      }
      OwnershipStore.Claim claim = ar.result();
      if (local.current(session.unitId()) != session) {
        // closed (or replaced here) while the claim was written: its close could not release what it did not know
        store.release(session.vehicleId(), self, claim.epoch());
        return;
      }
      epochs.put(session, claim.epoch());
      notices.claimed(session.vehicleId(), session.unitId(), self, claim.epoch());
      claimed.accept(session.vehicleId()); // the claim is what lets this node drain the unit's queue
      if (claim.previousNode() != null && !claim.previousNode().equals(self) && node.isMember(claim.previousNode())) {
        JsonObject takeover = new JsonObject().put("unitId", session.unitId()).put("vehicleId", session.vehicleId())
            .put("node", self).put("epoch", claim.epoch());
        vertx.eventBus().request(ClusterNode.address(claim.previousNode(), ClusterNode.Channel.TAKEOVER), takeover,
            new DeliveryOptions().setSendTimeout(1_000)).onFailure(e -> LOG.warning("unit " + session.unitId()
                + ": takeover notice to node " + claim.previousNode() + " failed: " + e.getMessage()));
      }
    });
  }

  @Override
  public boolean unregister(DeviceSession session, Runnable onRemoved) {
    Long epoch = epochs.get(session);
    boolean removed = local.unregister(session, () -> {
      if (!superseded.contains(session) && !notices.newerThan(session.vehicleId(), epoch)) {
        onRemoved.run();
      }
    });
    superseded.remove(session);
    epochs.remove(session);
    if (removed && epoch != null) {
      String self = node.nodeId();
      store.release(session.vehicleId(), self, epoch).onSuccess(released -> {
        if (released) {
          notices.released(session.vehicleId(), self, epoch);
        }
      });
    }
    return removed;
  }

  @Override
  public DeviceSession current(String unitId) {
    return local.current(unitId);
  }

  @Override
  public int size() {
    return local.size();
  }

  /** The epoch of the unit's local session, or null when there is none or its claim is not written yet. */
  Long epochOf(String unitId) {
    DeviceSession s = local.current(unitId);
    return s == null ? null : epochs.get(s);
  }

  /**
   * Another node claimed a unit with a newer epoch: the older local session closes. A local session whose own
   * claim is still being written is left alone: that claim takes a higher epoch and wins.
   */
  private void takeover(Message<JsonObject> message) {
    JsonObject body = message.body();
    long epoch = body.getLong("epoch", 0L);
    notices.claimedElsewhere(body.getString("vehicleId"), body.getString("node"), epoch);
    message.reply(new JsonObject().put("closed", closeIfOlder(body.getString("unitId"), body.getString("node"), epoch)));
  }

  /** Closes the unit's local session if its claim is older than {@code epoch} (told directly, or by the owners' notice). */
  private boolean closeIfOlder(String unitId, String nodeId, long epoch) {
    DeviceSession s = local.current(unitId);
    Long mine = s == null ? null : epochs.get(s);
    if (s == null || mine == null || mine >= epoch || !superseded.add(s)) {
      return false;
    }
    LOG.info("unit " + unitId + ": connected to node " + nodeId + " (epoch " + epoch + "), closing the session here (epoch " + mine + ")");
    s.takenOver();
    return true;
  }
}
