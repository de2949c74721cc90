package io.fleetgate.sim;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * {@code --mode commands}: synchronous REST commands at a fixed rate, round robin over the simulated units'
 * vehicles, measuring the REST round trip (request → 200/4xx/5xx) and counting outcomes by status. Runs on
 * one event loop: the pacing timer and every response callback share its context, so the histogram and the
 * counters need no locks.
 */
final class CommandLoad {
  /**
   * Commands a simulated unit always carries out: a unit REJECTs locking while its car is driving (as a real
   * one would), which made a share of the load's answers 500 telematics-unit/error once the cars set off.
   */
  private static final String[] COMMANDS = {"unlock-central-lock", "draw-attention"};
  /** Requests in flight before new ones are skipped (and counted) instead of piling up. */
  private static final int MAX_IN_FLIGHT = 20_000;

  private final Vertx vertx;
  private final WebClient web;
  private final String apiUrl;
  private final List<String> vehicleIds;
  private final double rate;
  private final Histogram latency = new Histogram(60_000_000_000L, 3);
  private final Map<String, Long> outcomes = new TreeMap<>();
  private String token;
  private long sent;
  private long skipped;
  private int inFlight;
  private long startNanos;
  /** Requests sent before this are warm-up: answered but not counted. */
  private long measureFromNanos;
  private long measuredSent;

  CommandLoad(Vertx vertx, String apiUrl, List<String> vehicleIds, double rate) {
    this.vertx = vertx;
    this.apiUrl = apiUrl;
    this.vehicleIds = vehicleIds;
    this.rate = rate;
    this.web = WebClient.create(vertx, new WebClientOptions(new HttpClientOptions().setKeepAlive(true))
        .setUserAgent("fleetgate-simulator"), new PoolOptions().setHttp1MaxSize(256));
  }

  /**
   * Logs in as the API client, sends for {@code warmupSeconds} (not measured, so that both JVMs have compiled
   * the paths), then for {@code seconds} measured, then waits (bounded) for the answers.
   */
  Future<Void> run(String clientId, String clientSecret, int warmupSeconds, int seconds) {
    Promise<Void> done = Promise.promise();
    vertx.runOnContext(v -> web.postAbs(apiUrl + "/auth/oauth/token").basicAuthentication(clientId, clientSecret)
        .sendForm(io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials"))
        .onFailure(done::fail)
        .onSuccess(r -> {
          token = r.bodyAsJsonObject().getString("access_token");
          startNanos = System.nanoTime();
          measureFromNanos = startNanos + warmupSeconds * 1_000_000_000L;
          long endNanos = measureFromNanos + seconds * 1_000_000_000L;
          vertx.setPeriodic(1, id -> {
            long now = System.nanoTime();
            if (now >= endNanos) {
              vertx.cancelTimer(id);
              drain(done, now + 30_000_000_000L);
              return;
            }
            long due = (long) ((now - startNanos) / 1e9 * rate);
            while (sent + skipped < due) {
              if (inFlight >= MAX_IN_FLIGHT) {
                skipped++;
              } else {
                send();
              }
            }
          });
        }));
    return done.future();
  }

  private void send() {
    long n = sent++;
    String vehicle = vehicleIds.get((int) (n % vehicleIds.size()));
    String command = COMMANDS[(int) ((n / vehicleIds.size()) % COMMANDS.length)];
    inFlight++;
    long t0 = System.nanoTime();
    boolean measured = t0 >= measureFromNanos;
    if (measured) {
      measuredSent++;
    }
    web.postAbs(apiUrl + "/vehicles/" + vehicle + "/commands/" + command).bearerTokenAuthentication(token).timeout(60_000)
        .send()
        .onComplete(ar -> {
          inFlight--;
          if (!measured) {
            return;
          }
          latency.recordValue(Math.max(1, System.nanoTime() - t0));
          String outcome = ar.failed() ? "error" : String.valueOf(ar.result().statusCode());
          outcomes.merge(outcome, 1L, Long::sum);
        });
  }

  private void drain(Promise<Void> done, long deadlineNanos) {
    if (inFlight == 0 || System.nanoTime() > deadlineNanos) {
      done.tryComplete();
    } else {
      vertx.setTimer(50, t -> drain(done, deadlineNanos));
    }
  }

  /** One summary: achieved rate, round-trip percentiles, outcomes. */
  void print(PrintStream out, int seconds) {
    out.printf(Locale.ROOT, "commands: %,d sent in %d s (%.1f/s achieved, target %.1f/s), %,d skipped (over %d in flight)%n",
        measuredSent, seconds, measuredSent / (double) seconds, rate, skipped, MAX_IN_FLIGHT);
    out.printf(Locale.ROOT, "  REST round trip ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f%n",
        latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(90) / 1e6,
        latency.getValueAtPercentile(99) / 1e6, latency.getMaxValue() / 1e6);
    out.println("  outcomes by HTTP status: " + outcomes);
    out.printf(Locale.ROOT, "RESULT commands rate=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f ok=%d%n",
        measuredSent / (double) seconds, latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(90) / 1e6,
        latency.getValueAtPercentile(99) / 1e6, latency.getMaxValue() / 1e6, outcomes.getOrDefault("200", 0L));
  }

  void close() {
    web.close();
  }
}
