package io.fleetgate.cluster;

import io.fleetgate.command.CommandRouter;
import io.fleetgate.config.GatewayConfig;
import io.fleetgate.device.DeviceSessions;
import io.fleetgate.protocol.CommandResult;
import io.fleetgate.store.pg.PgDatabase;
import io.fleetgate.vehicle.IngestService;
import io.fleetgate.vehicle.Vehicle;
import io.fleetgate.vehicle.VehicleRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * What a clustered node adds to a single one, behind the interfaces the rest already uses: the node
 * ({@link ClusterNode}), one session per unit cluster-wide ({@link DeviceSessions}), commands routed to the
 * unit's node ({@link CommandRouter}), and the sweep of a departed node's vehicles. The composition root builds
 * it when cluster.members is set and wires it in a few lines.
 *
 * <p>Ownership lives in PostgreSQL ({@code unit_owners}: a row per connected unit with the node and an epoch a
 * claim takes from a sequence), the source of truth; each node keeps a copy ({@link Owners}) from the notices
 * on one cluster-wide address, a hint for routing only.
 */
public final class ClusterServices {
  private static final Logger LOG = Logger.getLogger("fleetgate.cluster");

  public final ClusterNode node;
  private final Owners owners = new Owners();
  private final OwnershipStore store;
  private final OwnerNotices notices;
  private final ClusteredDeviceSessions sessions;
  private final ClusteredCommandRouter router;
  private final ClusteredLiveReads liveReads;
  private final IngestService ingest;
  private final VehicleRegistry registry;
  private final int failureDetectionSeconds;

  private ClusterServices(Vertx vertx, GatewayConfig config, MeterRegistry metrics, PgDatabase database, VehicleRegistry registry,
      DeviceSessions localSessions, CommandRouter localRouter, IngestService ingest) {
    this.node = ClusterNode.of(vertx, config.cluster().name(), metrics);
    this.store = new OwnershipStore(database);
    this.notices = new OwnerNotices(vertx, node, owners, registry);
    this.sessions = new ClusteredDeviceSessions(vertx, localSessions, node, store, notices);
    long senderWaitMs = (config.commandTimeoutSeconds() + config.commands().ackTimeoutSeconds()) * 1000L + ClusteredCommandRouter.MARGIN_MS;
    this.router = new ClusteredCommandRouter(vertx, localRouter, node, owners, config.commands().ackTimeoutSeconds() * 1000L, senderWaitMs);
    this.liveReads = new ClusteredLiveReads(vertx, node, owners, registry);
    this.ingest = ingest;
    this.registry = registry;
    this.failureDetectionSeconds = config.cluster().failureDetectionSeconds();
    node.addListener(new ClusterNode.MembershipListener() {
      @Override
      public void memberLeft(String nodeId) {
        sweep(nodeId);
      }
    });
  }

  /** For a clustered Vert.x instance (see {@code Gateway.newVertx}); needs db.url (validated with cluster.members). */
  public static ClusterServices create(Vertx vertx, GatewayConfig config, MeterRegistry metrics, PgDatabase database,
      VehicleRegistry registry, DeviceSessions localSessions, CommandRouter localRouter, IngestService ingest) {
    if (database == null) {
      throw new IllegalStateException("a cluster needs db.url");
    }
    return new ClusterServices(vertx, config, metrics, database, registry, localSessions, localRouter, ingest);
  }

  public DeviceSessions sessions() {
    return sessions;
  }

  /** Latest state and life status read from the unit's node (contract point 3). */
  public io.fleetgate.vehicle.LiveReads liveReads() {
    return liveReads;
  }

  public CommandRouter router() {
    return router;
  }

  /** Where drain requests and results forwarded from other nodes go: the command service's own methods. */
  public void bindCommands(Consumer<String> drain, BiFunction<String, CommandResult, Future<Void>> results) {
    router.bind(drain, results);
    sessions.onClaimed(drain);
  }

  /** A unit's result on the unit's node: to the node whose sender waits, else {@code here}. */
  public Future<Void> onResult(String vehicleId, CommandResult result) {
    return router.onResult(vehicleId, result);
  }

  /** Joins: this node's addresses and the owners' notices are listening when this completes. */
  public Future<Void> start() {
    return node.start().compose(v -> notices.start());
  }

  /**
   * After the working set is loaded: the owners as PostgreSQL has them (live members only), and the rows of
   * nodes that are gone (e.g. the whole cluster restarted) swept.
   */
  public Future<Void> load() {
    return store.all().compose(rows -> {
      for (OwnershipStore.Owned r : rows) {
        if (node.isMember(r.nodeId())) {
          notices.claimedElsewhere(r.vehicleId(), r.nodeId(), r.epoch());
        }
      }
      // a grace of twice the failure detection: a node that joined a moment ago may not be in our view yet
      return store.sweepAbsent(new ArrayList<>(node.members()), 2 * failureDetectionSeconds);
    }).map(swept -> {
      offline(swept, "absent");
      return null;
    });
  }

  public Future<Void> stop() {
    // a node cut off from the cluster cannot unregister cluster-wide: stopping goes on regardless
    return notices.stop().recover(e -> Future.succeededFuture()).eventually(node::stop);
  }

  /**
   * A member left: its rows are deleted by whichever survivor's DELETE gets them (each row goes to one), and
   * that survivor sets those vehicles OFFLINE, with their events, and tells the others. A unit that
   * reconnected elsewhere meanwhile has a newer row, which is not the departed node's any more; one whose new
   * claim is still being written (its row is still the departed node's) stays ONLINE where its session is
   * or a newer claim is known.
   */
  private void sweep(String departed) {
    List<String> known = owners.dropNode(departed);
    store.sweepNode(departed).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warning("vehicles of departed node " + departed + " not swept (" + ar.cause().getMessage() + "); the next departure or start sweeps them");
        return;
      }
      offline(ar.result(), departed);
      // the ones another survivor swept: OFFLINE here too, without a second event (that survivor published it)
      java.util.Set<String> mine = new java.util.HashSet<>();
      ar.result().forEach(r -> mine.add(r.vehicleId()));
      for (String vehicleId : known) {
        if (!mine.contains(vehicleId) && owners.get(vehicleId) == null && !connectedHere(vehicleId)) {
          notices.silently(vehicleId, false);
        }
      }
    });
  }

  private void offline(List<OwnershipStore.Owned> rows, String why) {
    if (rows.isEmpty()) {
      return;
    }
    Instant now = Instant.now();
    int back = 0;
    for (OwnershipStore.Owned r : rows) {
      notices.releasedFor(r.vehicleId(), r.nodeId(), r.epoch());
      if (connectedHere(r.vehicleId()) || newerClaim(r.vehicleId(), r.epoch())) {
        back++; // reconnected before its old row was swept: the node that has it now set it ONLINE
      } else {
        ingest.setOnline(r.vehicleId(), false, now);
      }
    }
    LOG.info((rows.size() - back) + " vehicles of node " + why + " set OFFLINE" + (back > 0 ? ", " + back + " reconnected already" : ""));
  }

  /** The vehicle's unit has a session on this node (whose claim may still be being written). */
  private boolean connectedHere(String vehicleId) {
    Vehicle v = registry.vehicle(vehicleId);
    return v != null && v.unitId() != null && sessions.current(v.unitId()) != null;
  }

  /** A claim newer than {@code epoch} is known for the vehicle (the notice of a reconnection elsewhere came first). */
  private boolean newerClaim(String vehicleId, long epoch) {
    Owners.Owner o = owners.get(vehicleId);
    return o != null && o.epoch() > epoch;
  }
}
