package io.fleetgate.cluster;

import io.fleetgate.vehicle.VehicleLive;
import io.fleetgate.vehicle.VehicleRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Keeps every node's {@link Owners} copy current: a node that claims or releases a unit publishes a notice on
 * the one cluster-wide address {@value #ADDRESS} (one consumer per node, never one per unit). A node that hears
 * of a unit connected elsewhere marks the vehicle ONLINE in its working set without an event (the owner node
 * published that one), so that the survivor that later finds the owner dead publishes the OFFLINE.
 */
final class OwnerNotices {
  static final String ADDRESS = "fleetgate.cluster.owners";

  private final Vertx vertx;
  private final ClusterNode node;
  private final Owners owners;
  private final VehicleRegistry registry;
  private MessageConsumer<JsonObject> consumer;
  /** Told of another node's claim (unit id, node id, epoch): a local session older than it closes. */
  private volatile TriConsumer foreignClaim = (unitId, nodeId, epoch) -> {};

  interface TriConsumer {
    void accept(String unitId, String nodeId, long epoch);
  }

  void onForeignClaim(TriConsumer c) {
    this.foreignClaim = c;
  }

  OwnerNotices(Vertx vertx, ClusterNode node, Owners owners, VehicleRegistry registry) {
    this.vertx = vertx;
    this.node = node;
    this.owners = owners;
    this.registry = registry;
  }

  Future<Void> start() {
    consumer = vertx.eventBus().consumer(ADDRESS, m -> {
      JsonObject n = m.body();
      if (node.nodeId().equals(n.getString("node"))) {
        return; // our own, applied when it was sent
      }
      if ("claimed".equals(n.getString("op"))) {
        claimedElsewhere(n.getString("vehicleId"), n.getString("node"), n.getLong("epoch"));
        if (n.getString("unitId") != null) {
          foreignClaim.accept(n.getString("unitId"), n.getString("node"), n.getLong("epoch"));
        }
      } else if ("released".equals(n.getString("op"))) {
        releasedElsewhere(n.getString("vehicleId"), n.getString("node"), n.getLong("epoch"));
      }
    });
    return consumer.completion();
  }

  Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** This node claimed the vehicle's unit. */
  void claimed(String vehicleId, String unitId, String self, long epoch) {
    owners.claimed(vehicleId, self, epoch);
    vertx.eventBus().publish(ADDRESS, new JsonObject().put("op", "claimed").put("vehicleId", vehicleId).put("unitId", unitId)
        .put("node", self).put("epoch", epoch));
  }

  /** This node released the claim (its session closed and no newer claim replaced it). */
  void released(String vehicleId, String self, long epoch) {
    owners.released(vehicleId, self, epoch);
    publish("released", vehicleId, self, epoch);
  }

  /** A node that swept a dead node's vehicles tells the others, as if the dead node had released them. */
  void releasedFor(String vehicleId, String deadNode, long epoch) {
    owners.released(vehicleId, deadNode, epoch);
    publish("released", vehicleId, deadNode, epoch);
  }

  void claimedElsewhere(String vehicleId, String nodeId, long epoch) {
    if (owners.claimed(vehicleId, nodeId, epoch)) {
      silently(vehicleId, true);
    }
  }

  void releasedElsewhere(String vehicleId, String nodeId, long epoch) {
    if (owners.released(vehicleId, nodeId, epoch)) {
      silently(vehicleId, false);
    }
  }

  /** Whether a claim newer than {@code epoch} is known for the vehicle (null epoch: the claim was never written). */
  boolean newerThan(String vehicleId, Long epoch) {
    Owners.Owner o = owners.get(vehicleId);
    return epoch != null && o != null && o.epoch() > epoch;
  }

  /** Sets the life status in this node's working set only: no event, no store write (the owner, or the sweeping survivor, did both). */
  void silently(String vehicleId, boolean online) {
    VehicleLive live = registry.live(vehicleId);
    if (live != null) {
      live.setOnline(online, Instant.now());
    }
  }

  private void publish(String op, String vehicleId, String nodeId, long epoch) {
    vertx.eventBus().publish(ADDRESS, new JsonObject().put("op", op).put("vehicleId", vehicleId).put("node", nodeId).put("epoch", epoch));
  }
}
