package io.fleetgate.cluster;

import io.fleetgate.ops.ReadinessCheck;
import io.fleetgate.ops.WorkingSetCoherence;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps this node's in-memory working set (fleets, API clients, vehicles and units, the archive, partnerships,
 * sharings) as current as PostgreSQL, and makes a change visible on every node before it is answered.
 *
 * <ul>
 *   <li><b>Feed.</b> Every committed change of the working set has a row in the database's change feed
 *       ({@link ChangeLog}), numbered in commit order. This node applies the rows after the last one it applied
 *       ({@link ChangeApplier}: reload the entity, put or remove it) every {@link #POLL_MS} ms and whenever told.
 *   <li><b>Barrier.</b> After a write commits and before its 2xx, {@link #barrier} reads the feed's head N and
 *       tells every live member (itself included) "apply up to N" on its control address, waiting for their acks
 *       at most {@link #BARRIER_TIMEOUT_MS} ms. A member that did not ack costs the full wait.
 *   <li><b>Lease.</b> This node answers requests only while a catch-up that <i>started</i> less than
 *       {@link #LEASE_MS} ms ago read the feed to its end ({@link #staleReason}). As the lease is shorter than the
 *       barrier's wait, a member that did not ack a change has, by the time the change is answered, either
 *       applied it or stopped answering (503, not ready): it never answers from a working set that misses an
 *       acknowledged change. No message needs to reach it for that, so a node cut off from the others or from
 *       PostgreSQL goes stale by itself.
 * </ul>
 */
public final class WorkingSetSync implements WorkingSetCoherence {
  private static final Logger LOG = Logger.getLogger("fleetgate.cluster");
  /** How often the feed is read without being told. */
  static final long POLL_MS = 500;
  /** How long a complete read of the feed vouches for the working set. Must stay below {@link #BARRIER_TIMEOUT_MS}. */
  static final long LEASE_MS = 1_500;
  /** The longest a write's answer waits for the members' acks. */
  static final long BARRIER_TIMEOUT_MS = 2_000;
  /** Changes read per statement. */
  static final int BATCH = 500;
  /** Changes older than this are deleted (a node that was cut off longer must be restarted). */
  static final long RETENTION_SECONDS = 24 * 3600;
  static final long PURGE_INTERVAL_MS = 10 * 60_000;
  static final String APPLY = "apply";
  /**
   * A node that stamped a read of the feed this recently may still be serving under its lease (a stamp is never
   * earlier than the start of its read): a barrier waits for it even when it is not in the Hazelcast view.
   */
  static final long READERS_WITHIN_MS = LEASE_MS + 500;

  private final VertxInternal vertx;
  private final ClusterNode cluster;
  private final ChangeLog log;
  private final ChangeApplier applier;
  private final ContextInternal context;
  /** The highest change applied to the working set. */
  private volatile long applied;
  /** System.nanoTime() at the start of the last catch-up that read the feed to its end; 0 = none yet. */
  private volatile long freshAtNanos;
  private volatile boolean serving;
  /** Set when this node fell behind the feed's retention: it cannot catch up any more. */
  private volatile String lost;
  /** The cluster membership check, refreshed by every poll (read per request, so not probed per request). */
  private volatile ReadinessCheck.Result clusterStatus = ReadinessCheck.Result.down("starting");
  /** The highest change every member confirmed (writes at or below it need no round). */
  private volatile long confirmed;
  /** Benchmarks only (WriteBarrierBench): answers writes without the barrier, to measure what it adds. */
  volatile boolean barrierOff;
  // on the context only
  private final List<Promise<Void>> waiting = new ArrayList<>();
  private boolean running;
  private long pollTimer = -1;
  private long purgeTimer = -1;
  /** Whether the last poll found this node serving (fresh); on the context only. */
  private boolean wasFresh;
  private final List<java.util.function.Consumer<String>> staleListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  public WorkingSetSync(Vertx vertx, ClusterNode cluster, ChangeLog log, ChangeApplier applier) {
    this.vertx = (VertxInternal) vertx;
    this.cluster = cluster;
    this.log = log;
    this.applier = applier;
    this.context = this.vertx.createEventLoopContext();
    cluster.handleControl(APPLY, this::onApply);
  }

  /**
   * Notes where the feed stands; call before the working set is loaded, so that whatever changes while it loads
   * is applied again afterwards (applying is idempotent).
   */
  public Future<Void> begin() {
    return log.head(READERS_WITHIN_MS).map(head -> {
      applied = head.seq();
      confirmed = 0;
      return null;
    });
  }

  /** Starts following the feed (the working set is loaded); requests are served once a first catch-up completes. */
  public void start() {
    serving = true;
    context.runOnContext(v -> {
      pollTimer = vertx.setPeriodic(0, POLL_MS, id -> poll());
      purgeTimer = vertx.setPeriodic(PURGE_INTERVAL_MS, id -> purge());
    });
  }

  public Future<Void> stop() {
    boolean wasServing = serving;
    serving = false;
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      vertx.cancelTimer(pollTimer);
      vertx.cancelTimer(purgeTimer);
      done.complete();
    });
    // refusing from now on: the others' writes need not wait for this node
    return done.future().compose(v -> wasServing ? log.leave(cluster.nodeId()).otherwiseEmpty() : Future.<Void>succeededFuture());
  }

  /**
   * Told (on this class's context) each time this node goes from serving to stale, with the reason: checked
   * every {@link #POLL_MS} ms, so within {@link #LEASE_MS} + {@link #POLL_MS} of its last complete read.
   */
  public void onStale(java.util.function.Consumer<String> listener) {
    staleListeners.add(listener);
  }

  /** The highest change applied here. */
  public long applied() {
    return applied;
  }

  @Override
  public String staleReason() {
    if (!serving) {
      return "this node is starting or stopping";
    }
    String why = lost;
    if (why != null) {
      return why;
    }
    ReadinessCheck.Result c = clusterStatus;
    if (!c.up()) {
      return c.detail();
    }
    long fresh = freshAtNanos;
    if (fresh == 0) {
      return "the working set has not caught up with the change feed yet";
    }
    long ageMs = (System.nanoTime() - fresh) / 1_000_000;
    if (ageMs > LEASE_MS) {
      return "the working set is not confirmed current (the change feed was last read " + ageMs
          + " ms ago: PostgreSQL unreachable or slow)";
    }
    return null;
  }

  /**
   * {@code cluster}: the membership check of {@link ClusterNode#readiness}, and down while the working set is
   * not confirmed current (see {@link #staleReason}).
   */
  public ReadinessCheck readiness() {
    ReadinessCheck membership = cluster.readiness();
    return ReadinessCheck.of("cluster", () -> membership.check().map(r -> {
      if (!r.up()) {
        return r;
      }
      String why = staleReason();
      return why == null ? ReadinessCheck.Result.up(r.detail() + "; working set current (change " + applied + ")")
          : ReadinessCheck.Result.down(why);
    }));
  }

  @Override
  public Future<Void> barrier() {
    if (barrierOff) {
      return Future.succeededFuture();
    }
    long t0 = System.nanoTime();
    Promise<Void> done = Promise.promise();
    log.head(READERS_WITHIN_MS).onComplete(ar -> {
      if (ar.failed()) {
        // the change committed but its number is unknown: give every member the time to see it or go stale
        deadline(t0).onComplete(done);
        return;
      }
      long n = ar.result().seq();
      java.util.Set<String> nodes = new java.util.HashSet<>(cluster.members());
      boolean splitOff = nodes.addAll(ar.result().readers()); // reading the feed, but not in this node's view
      if (n <= confirmed && !splitOff) {
        done.complete();
        return;
      }
      List<Future<Boolean>> acks = new ArrayList<>();
      for (String node : nodes) {
        Future<?> ack = node.equals(cluster.nodeId())
            ? applyUpTo(n).timeout(BARRIER_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            : vertx.eventBus().request(ClusterNode.address(node, ClusterNode.Channel.CONTROL),
                new JsonObject().put("op", APPLY).put("seq", n), new DeliveryOptions().setSendTimeout(BARRIER_TIMEOUT_MS));
        acks.add(ack.<Boolean>map(x -> true).otherwise(false).compose(ok -> ok ? Future.succeededFuture(true) : deadline(t0).map(false)));
      }
      Future.join(acks).onComplete(x -> {
        if (acks.stream().allMatch(f -> f.succeeded() && f.result())) {
          raiseConfirmed(n);
        } else {
          LOG.fine("change " + n + ": not every member confirmed within " + BARRIER_TIMEOUT_MS + " ms");
        }
        done.complete();
      });
    });
    return done.future();
  }

  private synchronized void raiseConfirmed(long n) {
    confirmed = Math.max(confirmed, n);
  }

  /** Completes when {@link #BARRIER_TIMEOUT_MS} has passed since {@code t0} (System.nanoTime()). */
  private Future<Void> deadline(long t0) {
    long leftMs = BARRIER_TIMEOUT_MS - (System.nanoTime() - t0) / 1_000_000;
    if (leftMs <= 0) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    vertx.setTimer(leftMs, id -> p.complete());
    return p.future();
  }

  /** Another node's barrier: {"op":"apply","seq":n}, answered once change n is applied here. */
  private void onApply(Message<JsonObject> message) {
    long n = message.body().getLong("seq", 0L);
    if (!serving || applied >= n) {
      // a node still loading is not serving: it catches up before it answers anything
      message.reply(new JsonObject().put("applied", applied));
      return;
    }
    applyUpTo(n).timeout(BARRIER_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(new JsonObject().put("applied", applied));
      } else {
        message.fail(503, "change " + n + " not applied: " + ar.cause().getMessage());
      }
    });
  }

  /** Completes once change {@code n} (committed before this call) is applied here. */
  Future<Void> applyUpTo(long n) {
    return applied >= n ? Future.succeededFuture() : catchUp();
  }

  /**
   * Reads the feed to its end and applies what it finds, in a run that starts after this call (so it sees
   * every change committed before it). Runs never overlap: callers during a run share the next one.
   */
  Future<Void> catchUp() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> {
      waiting.add(p);
      if (!running) {
        runNext();
      }
    });
    return p.future();
  }

  private void runNext() {
    List<Promise<Void>> these = new ArrayList<>(waiting);
    waiting.clear();
    running = true;
    Future<Void> run;
    try {
      run = read();
    } catch (RuntimeException e) {
      run = Future.failedFuture(e);
    }
    run.onComplete(ar -> {
      running = false;
      these.forEach(w -> w.handle(ar));
      if (!waiting.isEmpty()) {
        runNext();
      }
    });
  }

  private Future<Void> read() {
    long start = System.nanoTime();
    long from = applied;
    // stamped only while this node may serve: a node out of the cluster refuses anyway, nobody need wait for it
    String reader = serving && clusterStatus.up() && lost == null ? cluster.nodeId() : null;
    return log.after(from, BATCH, reader).compose(batch -> {
      if (batch.horizon() > from) {
        String why = "this node missed changes older than the change feed's retention (" + RETENTION_SECONDS
            + " s): restart it to reload its working set";
        if (lost == null) {
          LOG.severe(why);
        }
        lost = why;
        return Future.failedFuture(why);
      }
      List<ChangeLog.Change> changes = batch.changes();
      if (changes.isEmpty()) {
        freshAtNanos = start;
        return Future.succeededFuture();
      }
      // reloading reads the current row, so one reload per entity covers all of its changes in the batch
      Map<String, ChangeLog.Change> distinct = new LinkedHashMap<>();
      changes.forEach(c -> distinct.put(c.kind() + '\n' + c.id(), c));
      List<Future<Void>> all = new ArrayList<>(distinct.size());
      distinct.values().forEach(c -> all.add(applier.apply(c.kind(), c.id())));
      return Future.all(all).compose(x -> {
        applied = changes.get(changes.size() - 1).seq();
        if (changes.size() < BATCH) {
          freshAtNanos = start;
          return Future.succeededFuture();
        }
        return read();
      });
    });
  }

  private void poll() {
    String why = staleReason();
    if (why == null) {
      wasFresh = true;
    } else if (wasFresh && serving) {
      wasFresh = false;
      LOG.warning("this node went stale, refusing requests, unit logins and ending its event streams: " + why);
      staleListeners.forEach(l -> l.accept(why));
    }
    cluster.readiness().check().onComplete(ar -> clusterStatus = ar.succeeded() ? ar.result()
        : ReadinessCheck.Result.down("cluster membership unknown: " + ar.cause().getMessage()));
    catchUp().onFailure(e -> LOG.log(Level.FINE, "change feed not read (the working set goes stale after " + LEASE_MS + " ms)", e));
  }

  private void purge() {
    log.purge(RETENTION_SECONDS).onFailure(e -> LOG.fine("change feed retention failed, retried by the next run: " + e.getMessage()));
  }
}
