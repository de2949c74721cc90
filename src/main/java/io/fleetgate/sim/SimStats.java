package io.fleetgate.sim;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Counters of one simulator run, shared by every unit group (thread-safe). Latencies are recorded per group in
 * its own {@link Histogram} (single-threaded on the group's event loop) and merged here at the end.
 */
public final class SimStats {
  /** Publish→PUBACK latencies in microseconds, up to 10 minutes, 3 significant digits. */
  public static Histogram newLatencyHistogram() {
    return new Histogram(600_000_000L, 3);
  }

  public final AtomicInteger connected = new AtomicInteger();
  /** Connected units per gateway address (index into {@link SimOptions#gateways()}). */
  public final AtomicIntegerArray connectedPerGateway;
  public final LongAdder connects = new LongAdder();
  /** Connects of a unit after it lost a connection (to the next gateway address). */
  public final LongAdder reconnects = new LongAdder();
  /** Units that stopped reconnecting: their sessions kept being closed at once (another client with their id). */
  public final LongAdder takenOver = new LongAdder();
  /** Frames in flight when their connection was lost: never acknowledged (the gateway may or may not have them). */
  public final LongAdder framesLostOnDisconnect = new LongAdder();
  public final LongAdder connectFailures = new LongAdder();
  public final LongAdder disconnects = new LongAdder();
  public final LongAdder framesSent = new LongAdder();
  public final LongAdder framesAcked = new LongAdder();
  public final LongAdder ackTimeouts = new LongAdder();
  public final LongAdder publishErrors = new LongAdder();
  public final LongAdder commandsReceived = new LongAdder();
  public final LongAdder commandResultsAcked = new LongAdder();
  /** Frames a unit could not send on time because its window was full (realistic and paced load modes). */
  public final LongAdder framesBehind = new LongAdder();
  private final Histogram latency = newLatencyHistogram();

  public SimStats() {
    this(1);
  }

  public SimStats(int gateways) {
    this.connectedPerGateway = new AtomicIntegerArray(gateways);
  }

  /** Connected units per gateway address, e.g. {@code 10/10/10}. */
  public String connectedPerGateway() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < connectedPerGateway.length(); i++) {
      b.append(i == 0 ? "" : "/").append(connectedPerGateway.get(i));
    }
    return b.toString();
  }

  public synchronized void addLatencies(Histogram group) {
    latency.add(group);
  }

  public synchronized Histogram latencies() {
    return latency.copy();
  }

  /** Errors of any kind, for a quick "was this run clean" check. */
  public long errors() {
    return connectFailures.sum() + ackTimeouts.sum() + publishErrors.sum();
  }
}
