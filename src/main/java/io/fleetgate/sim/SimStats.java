package io.fleetgate.sim;

import java.util.concurrent.atomic.AtomicInteger;
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
  public final LongAdder connects = new LongAdder();
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
