package io.fleetgate.sim;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The units of one event loop: ramps their connections up at its share of the connect rate, paces their
 * frames with one periodic tick, and owns their latency histogram (recorded only on this event loop).
 */
final class UnitGroup extends VerticleBase {
  private final SimOptions options;
  private final List<Credentials.Unit> units;
  private final List<String> sourceAddresses;
  private final int firstIndex;
  private final int stride;
  private final double connectsPerSecond;
  private final long frameIntervalNanos;
  private final SimStats stats;
  private final SimTls tls;
  private final Histogram latency = SimStats.newLatencyHistogram();
  private final List<SimUnit> started = new ArrayList<>();
  private long rampTimer = -1;
  private long tickTimer = -1;
  private boolean sending;

  /**
   * @param firstIndex global index of this group's first unit (for source addresses and model seeds)
   * @param groupStride how many groups share the units (unit k of this group is global unit firstIndex + k × stride)
   * @param connectsPerSecond this group's share of --connect-rate
   * @param framesPerSecondPerUnit pacing, or 0 for flat out (load mode) or none (idle)
   */
  UnitGroup(SimOptions options, List<Credentials.Unit> units, int firstIndex, int groupStride,
      double connectsPerSecond, double framesPerSecondPerUnit, SimStats stats, SimTls tls) {
    this.options = options;
    this.units = units;
    this.sourceAddresses = options.sourceAddresses();
    this.firstIndex = firstIndex;
    this.stride = groupStride;
    this.connectsPerSecond = connectsPerSecond;
    this.frameIntervalNanos = framesPerSecondPerUnit > 0 ? (long) (1e9 / framesPerSecondPerUnit) : 0;
    this.stats = stats;
    this.tls = tls;
  }

  @Override
  public Future<?> start() {
    long periodMs = 20;
    double perTick = connectsPerSecond * periodMs / 1000.0;
    double[] credit = {0};
    rampTimer = vertx.setPeriodic(1, periodMs, t -> {
      credit[0] += perTick;
      while (credit[0] >= 1 && started.size() < units.size()) {
        credit[0] -= 1;
        startNext();
      }
      if (started.size() == units.size()) {
        vertx.cancelTimer(rampTimer);
        rampTimer = -1;
      }
    });
    return Future.succeededFuture();
  }

  private void startNext() {
    int k = started.size();
    int global = firstIndex + k * stride;
    String source = sourceAddresses.isEmpty() ? null : sourceAddresses.get(global % sourceAddresses.size());
    long seed = 0x5EED_0000L + global;
    SimUnit unit = options.protocol() == SimOptions.Protocol.TCP // unit i starts on gateway address i mod N
        ? new TcpSimulatedUnit(vertx, options, units.get(k), global, source, seed, stats, latency, tls)
        : new SimulatedUnit(vertx, options, units.get(k), global, source, seed, stats, latency, tls);
    started.add(unit);
    unit.start();
    if (sending) {
      unit.startSending();
    }
  }

  /** Starts sending frames: paced by a tick (10 ms in load mode, 100 ms otherwise), or flat out. */
  Future<Void> startSending() {
    return runHere(() -> {
      sending = true;
      started.forEach(SimUnit::startSending);
      if (frameIntervalNanos > 0) {
        long period = options.mode() == SimOptions.Mode.LOAD ? 10 : 100;
        tickTimer = vertx.setPeriodic(period, t -> {
          long now = System.nanoTime();
          for (SimUnit u : started) {
            u.tick(now, frameIntervalNanos);
          }
        });
      }
    });
  }

  /** Stops sending (the connections stay, so outstanding PUBACKs can still arrive). */
  Future<Void> stopSending() {
    return runHere(() -> {
      sending = false;
      if (tickTimer >= 0) {
        vertx.cancelTimer(tickTimer);
        tickTimer = -1;
      }
      started.forEach(SimUnit::stopSending);
    });
  }

  /** Frames still waiting for their PUBACK in this group. */
  /** Acknowledged frames per unit id. */
  Future<java.util.Map<String, Long>> ackedByUnit() {
    Promise<java.util.Map<String, Long>> result = Promise.promise();
    context.runOnContext(v -> {
      java.util.Map<String, Long> m = new java.util.HashMap<>();
      for (SimUnit u : started) {
        m.put(u.id(), u.acked());
      }
      result.complete(m);
    });
    return result.future();
  }

  Future<Integer> inFlight() {
    Promise<Integer> sum = Promise.promise();
    context.runOnContext(v -> {
      int n = 0;
      for (SimUnit u : started) {
        n += u.inFlight();
      }
      sum.complete(n);
    });
    return sum.future();
  }

  @Override
  public Future<?> stop() {
    if (rampTimer >= 0) {
      vertx.cancelTimer(rampTimer);
    }
    if (tickTimer >= 0) {
      vertx.cancelTimer(tickTimer);
    }
    List<Future<Void>> closing = new ArrayList<>();
    for (SimUnit u : started) {
      closing.add(u.close());
    }
    return Future.join(closing).eventually(() -> {
      stats.addLatencies(latency);
      return Future.succeededFuture();
    });
  }

  private Future<Void> runHere(Runnable action) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      action.run();
      done.complete();
    });
    return done.future();
  }
}
