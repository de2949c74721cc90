package io.fleetgate.sim;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * A running set of simulated units on one Vert.x instance: one {@link UnitGroup} per event loop, each with an
 * equal share of the units, of the connect rate and of the frame rate. The caller decides when sending starts
 * and stops ({@link Simulator} for the CLI, {@link Demo} for the demo).
 */
public final class SimulatorRun {
  private final Vertx vertx;
  private final SimOptions options;
  private final SimStats stats;
  private final List<UnitGroup> groups = new ArrayList<>();
  private final List<String> deployments = new ArrayList<>();
  private final int unitCount;
  private long sendingSinceNanos;
  private long sendingUntilNanos;
  private volatile long cpuAtStartNanos = -1;
  private volatile long cpuAtDrainedNanos = -1;

  private SimulatorRun(Vertx vertx, SimOptions options, int unitCount) {
    this.vertx = vertx;
    this.options = options;
    this.unitCount = unitCount;
    this.stats = new SimStats(options.gateways().size());
  }

  /**
   * Deploys the groups; units connect at the configured ramp rate from now on. With {@code --tls} the units'
   * client certificates (if any) are issued first, on the calling thread: not on an event loop.
   */
  public static Future<SimulatorRun> start(Vertx vertx, SimOptions options, List<Credentials.Unit> units) {
    SimTls tls;
    try {
      tls = options.tls() ? SimTls.load(options, units.stream().map(Credentials.Unit::unitId).toList()) : null;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return start(vertx, options, units, tls);
  }

  /** As {@link #start(Vertx, SimOptions, List)} with the TLS of {@code --tls} loaded already (null: plain). */
  static Future<SimulatorRun> start(Vertx vertx, SimOptions options, List<Credentials.Unit> units, SimTls tls) {
    SimulatorRun run = new SimulatorRun(vertx, options, units.size());
    int groupCount = Math.max(1, Math.min(units.size(), VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE));
    double perUnitRate = options.idle() ? 0
        : options.mode() == SimOptions.Mode.REALISTIC ? options.rate()
        : options.targetRate() / units.size();
    List<Future<String>> deployed = new ArrayList<>();
    for (int g = 0; g < groupCount; g++) {
      List<Credentials.Unit> share = new ArrayList<>();
      for (int i = g; i < units.size(); i += groupCount) {
        share.add(units.get(i));
      }
      UnitGroup group = new UnitGroup(options, share, g, groupCount, (double) options.connectRate() / groupCount,
          perUnitRate, run.stats, tls);
      run.groups.add(group);
      deployed.add(vertx.deployVerticle(group, new DeploymentOptions()));
    }
    return Future.all(deployed).map(all -> {
      for (int i = 0; i < all.size(); i++) {
        run.deployments.add(all.resultAt(i));
      }
      return run;
    });
  }

  public SimStats stats() {
    return stats;
  }

  public int unitCount() {
    return unitCount;
  }

  /** Completes when every unit is connected, or after {@code timeoutMs} (then with false). */
  public Future<Boolean> awaitConnected(long timeoutMs) {
    Promise<Boolean> done = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    vertx.setPeriodic(100, t -> {
      if (stats.connected.get() >= unitCount) {
        vertx.cancelTimer(t);
        done.tryComplete(true);
      } else if (System.currentTimeMillis() > deadline) {
        vertx.cancelTimer(t);
        done.tryComplete(false);
      }
    });
    return done.future();
  }

  public Future<Void> startSending() {
    sendingSinceNanos = System.nanoTime();
    cpuAtStartNanos = processCpuNanos();
    List<Future<Void>> all = new ArrayList<>();
    groups.forEach(g -> all.add(g.startSending()));
    return Future.all(all).mapEmpty();
  }

  /** Stops sending, then waits up to {@code drainMs} until no QoS 1 frame awaits its PUBACK. */
  public Future<Void> stopSending(long drainMs) {
    List<Future<Void>> all = new ArrayList<>();
    groups.forEach(g -> all.add(g.stopSending()));
    return Future.all(all).compose(v -> {
      sendingUntilNanos = System.nanoTime();
      return drain(System.currentTimeMillis() + drainMs).onComplete(ar -> cpuAtDrainedNanos = processCpuNanos());
    });
  }

  private Future<Void> drain(long deadline) {
    return inFlight().compose(n -> {
      if (n == 0 || System.currentTimeMillis() >= deadline) {
        return Future.succeededFuture();
      }
      Promise<Void> later = Promise.promise();
      vertx.setTimer(50, t -> drain(deadline).onComplete(later));
      return later.future();
    });
  }

  /** Frames each unit had acknowledged (QoS 0: written), by unit id; before {@link #stop}. */
  public Future<java.util.Map<String, Long>> ackedByUnit() {
    List<Future<java.util.Map<String, Long>>> all = new ArrayList<>();
    groups.forEach(g -> all.add(g.ackedByUnit()));
    return Future.all(all).map(cf -> {
      java.util.Map<String, Long> m = new java.util.TreeMap<>();
      for (int i = 0; i < cf.size(); i++) {
        m.putAll(cf.<java.util.Map<String, Long>>resultAt(i));
      }
      return m;
    });
  }

  public Future<Integer> inFlight() {
    List<Future<Integer>> all = new ArrayList<>();
    groups.forEach(g -> all.add(g.inFlight()));
    return Future.all(all).map(cf -> {
      int sum = 0;
      for (int i = 0; i < cf.size(); i++) {
        sum += cf.<Integer>resultAt(i);
      }
      return sum;
    });
  }

  /** Seconds spent sending frames (up to now while still sending). */
  /** CPU time of this simulator process from the start of sending until drained, in µs (0 if unknown). */
  public long sendingCpuMicros() {
    return cpuAtStartNanos < 0 || cpuAtDrainedNanos < 0 ? 0 : (cpuAtDrainedNanos - cpuAtStartNanos) / 1000;
  }

  private static long processCpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
  }

  public double sendingSeconds() {
    if (sendingSinceNanos == 0) {
      return 0;
    }
    long end = sendingUntilNanos != 0 ? sendingUntilNanos : System.nanoTime();
    return (end - sendingSinceNanos) / 1e9;
  }

  /** Disconnects every unit and undeploys the groups (which merges their latency histograms into the stats). */
  public Future<Void> stop() {
    List<Future<Void>> all = new ArrayList<>();
    for (String id : deployments) {
      all.add(vertx.undeploy(id));
    }
    deployments.clear();
    return Future.join(all).mapEmpty();
  }

  public SimOptions options() {
    return options;
  }
}
