package io.fleetgate.sim;

import java.io.PrintStream;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The simulator's progress lines and final summary (human lines plus one machine-readable SUMMARY line). */
final class SimReport {
  private final SimulatorRun run;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private long lastNanos = startNanos;
  private long lastSent;
  private long lastAcked;

  SimReport(SimulatorRun run, PrintStream out) {
    this.run = run;
    this.out = out;
  }

  /**
   * {@code [  15s] units 100/100 connected | sent 1 000/s | accepted 998/s | errors 0 | disconnects 0 | reconnects 0},
   * with several gateway addresses then {@code | per gateway 34/33/33} (connected units, in --gateways order).
   */
  synchronized String progressLine() {
    SimStats s = run.stats();
    long now = System.nanoTime();
    long sent = s.framesSent.sum();
    long acked = s.framesAcked.sum();
    double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
    String line = String.format(Locale.ROOT,
        "[%5ds] units %d/%d connected | sent %,.0f/s | %s %,.0f/s | errors %d | disconnects %d | reconnects %d",
        (now - startNanos) / 1_000_000_000L, s.connected.get(), run.unitCount(), (sent - lastSent) / seconds,
        run.options().qos() == 1 ? "accepted" : "written", (acked - lastAcked) / seconds, s.errors(), s.disconnects.sum(),
        s.reconnects.sum());
    if (run.options().gateways().size() > 1) {
      line += " | per gateway " + s.connectedPerGateway();
    }
    if (s.takenOver.sum() > 0) {
      line += " | taken over " + s.takenOver.sum();
    }
    lastNanos = now;
    lastSent = sent;
    lastAcked = acked;
    return line;
  }

  void printSummary() {
    SimStats s = run.stats();
    SimOptions o = run.options();
    double seconds = run.sendingSeconds();
    long sent = s.framesSent.sum();
    long acked = s.framesAcked.sum();
    Histogram h = s.latencies();
    out.println("summary");
    out.printf(Locale.ROOT, "  units           %d (connects %d, connect failures %d, disconnects %d, reconnects %d, taken over %d)%n",
        run.unitCount(), s.connects.sum(), s.connectFailures.sum(), s.disconnects.sum(), s.reconnects.sum(), s.takenOver.sum());
    if (o.gateways().size() > 1) {
      out.printf(Locale.ROOT, "  gateways        %s%n", o.describeGateways());
    }
    if (!o.idle()) {
      out.printf(Locale.ROOT, "  sending         %.1f s, %s, QoS %d%n", seconds, o.format().name().toLowerCase(Locale.ROOT), o.qos());
      out.printf(Locale.ROOT, "  frames sent     %,d (%,.0f/s)%n", sent, rate(sent, seconds));
      if (o.qos() == 1) {
        out.printf(Locale.ROOT, "  frames accepted %,d (%,.0f/s) — PUBACK'd, i.e. applied by the gateway%n", acked, rate(acked, seconds));
        out.printf(Locale.ROOT, "  publish→PUBACK  %s%n", latencyLine(h));
        out.printf(Locale.ROOT, "  lost            %,d ack timeouts, %,d in flight when a connection was lost, %,d unanswered at the end%n",
            s.ackTimeouts.sum(), s.framesLostOnDisconnect.sum(),
            Math.max(0, sent - acked - s.ackTimeouts.sum() - s.publishErrors.sum() - s.framesLostOnDisconnect.sum()));
      } else {
        out.printf(Locale.ROOT, "  frames written  %,d (QoS 0: no acknowledgement)%n", acked);
      }
      out.printf(Locale.ROOT, "  publish errors  %,d; frames behind schedule %,d; commands answered %,d%n",
          s.publishErrors.sum(), s.framesBehind.sum(), s.commandsReceived.sum());
    }
    out.printf(Locale.ROOT, "SUMMARY units=%d connects=%d connect_failures=%d disconnects=%d seconds=%.3f qos=%d format=%s"
            + " frames_sent=%d frames_accepted=%d ack_timeouts=%d publish_errors=%d rate_accepted=%.1f"
            + " p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d frames_behind=%d cpu_us=%d"
            + " reconnects=%d taken_over=%d frames_lost=%d gateways=%d%n",
        run.unitCount(), s.connects.sum(), s.connectFailures.sum(), s.disconnects.sum(), seconds, o.qos(),
        o.format().name().toLowerCase(Locale.ROOT), sent, acked, s.ackTimeouts.sum(), s.publishErrors.sum(),
        rate(acked, seconds), p(h, 50), p(h, 90), p(h, 99), p(h, 99.9), h.getTotalCount() == 0 ? 0 : h.getMaxValue(),
        s.framesBehind.sum(), run.sendingCpuMicros(), s.reconnects.sum(), s.takenOver.sum(), s.framesLostOnDisconnect.sum(),
        o.gateways().size());
  }

  static String latencyLine(Histogram h) {
    if (h.getTotalCount() == 0) {
      return "no samples";
    }
    return String.format(Locale.ROOT, "p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (%,d samples)", ms(p(h, 50)),
        ms(p(h, 90)), ms(p(h, 99)), ms(p(h, 99.9)), ms(h.getMaxValue()), h.getTotalCount());
  }

  private static long p(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile);
  }

  private static String ms(long micros) {
    return String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
  }

  private static double rate(long n, double seconds) {
    return seconds > 0 ? n / seconds : 0;
  }
}
