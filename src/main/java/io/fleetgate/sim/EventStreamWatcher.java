package io.fleetgate.sim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.fleetgate.protocol.json.Iso8601;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;
import java.net.URI;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * A client of {@code GET /events/stream} for the benchmarks: counts VehicleStateRecorded events and records two
 * latencies per event, both against this machine's clock:
 * <ul>
 *   <li>publish → event: from the readings' {@code timestamp} (the unit's frame {@code ts}, taken by the
 *       simulator when it sent the frame, whole milliseconds) to the arrival of the event here;</li>
 *   <li>applied → event: from {@code metadata.occurred_at} (when the gateway applied the frame) to arrival.</li>
 * </ul>
 * The send time is truncated to the millisecond, so publish → event reads up to 1 ms high (0.5 ms on average).
 *
 * <p>{@code java -cp fleetgate.jar io.fleetgate.sim.EventStreamWatcher API_URL TOKEN} prints {@code MARK streaming}
 * once the stream is open, then for every line read on standard input one line
 * {@code EVENTS count=… seconds=… dropped=… p50_ms=… p99_ms=… p999_ms=… max_ms=… applied_p50_ms=… applied_p99_ms=…}
 * covering what arrived since the previous report; it ends at the end of its input. One long-lived client
 * keeps its JIT warm across phases (a fresh one fell behind in its first seconds and was dropped at 10k/s).
 */
public final class EventStreamWatcher {
  private static final JsonFactory JSON = new JsonFactory();
  private static final long MAX_LINE = 1 << 20;

  private final AtomicLong count = new AtomicLong();
  private final AtomicLong unreadable = new AtomicLong();
  private final Recorder publishUs = new Recorder(3);
  private final Recorder appliedUs = new Recorder(3);

  private EventStreamWatcher() {}

  private void onLine(Buffer line) {
    if (line.length() < 5 || line.getByte(0) != 'd' || !line.getString(0, 5).equals("data:")) {
      return; // id:, event:, comments, blank separators
    }
    long nowUs = nowMicros();
    long[] ts = times(line.getBytes(5, line.length()));
    if (ts[0] < 0) {
      unreadable.incrementAndGet();
      return;
    }
    count.incrementAndGet();
    appliedUs.recordValue(Math.max(0, nowUs - ts[0] * 1000));
    if (ts[1] >= 0) {
      publishUs.recordValue(Math.max(0, nowUs - ts[1] * 1000));
    }
  }

  private static long nowMicros() {
    Instant i = Instant.now();
    return i.getEpochSecond() * 1_000_000 + i.getNano() / 1_000;
  }

  /**
   * {occurred_at, the newest reading timestamp under data.state} in epoch ms (-1 where absent), read with a
   * streaming parser.
   */
  static long[] times(byte[] envelope) {
    long[] out = {-1, -1};
    try (JsonParser p = JSON.createParser(envelope)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return out;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (t != JsonToken.START_OBJECT) {
          p.skipChildren();
        } else if (name.equals("metadata")) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("occurred_at")) {
              out[0] = Iso8601.parse(p.getValueAsString());
            } else {
              p.skipChildren();
            }
          }
        } else if (name.equals("data")) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (field.equals("state") && v == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) { // property
                if (p.nextToken() != JsonToken.START_OBJECT) {
                  p.skipChildren();
                  continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                  String f = p.currentName();
                  p.nextToken();
                  if (f.equals("timestamp")) {
                    out[1] = Math.max(out[1], Iso8601.parse(p.getValueAsString()));
                  } else {
                    p.skipChildren();
                  }
                }
              }
            } else {
              p.skipChildren();
            }
          }
        } else {
          p.skipChildren();
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      return new long[] {-1, -1};
    }
    return out;
  }

  private static double ms(org.HdrHistogram.Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: EventStreamWatcher API_URL TOKEN   (then one line per report on standard input)");
      System.exit(2);
    }
    URI api = URI.create(args[0]);
    String token = args[1];
    EventStreamWatcher w = new EventStreamWatcher();
    Vertx vertx = Vertx.vertx();
    try {
      CompletableFuture<Void> open = new CompletableFuture<>();
      CompletableFuture<Void> ended = new CompletableFuture<>();
      var client = vertx.createHttpClient(new HttpClientOptions().setIdleTimeout(0));
      client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(api.getHost()).setPort(api.getPort())
              .setURI("/events/stream?types=VehicleStateRecorded").putHeader("Authorization", "Bearer " + token)
              .putHeader("Accept", "text/event-stream"))
          .compose(req -> req.send())
          .onSuccess(resp -> {
            if (resp.statusCode() != 200) {
              open.completeExceptionally(new IllegalStateException("GET /events/stream answered " + resp.statusCode()));
              return;
            }
            RecordParser lines = RecordParser.newDelimited("\n", w::onLine).maxRecordSize((int) MAX_LINE);
            resp.handler(lines);
            resp.endHandler(v -> ended.complete(null));
            resp.exceptionHandler(ended::completeExceptionally);
            open.complete(null);
          })
          .onFailure(open::completeExceptionally);
      open.get(30, TimeUnit.SECONDS);
      System.out.println("MARK streaming");
      System.out.flush();
      // every line on standard input: one report of what arrived since the previous one (JIT warm-up included
      // in the first, so a benchmark reports once after its warm-up and once after each measured phase)
      var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
      long c0 = w.count.get();
      long t0 = System.nanoTime();
      while (in.readLine() != null) {
        long n = w.count.get() - c0;
        double secs = (System.nanoTime() - t0) / 1e9;
        c0 += n;
        t0 = System.nanoTime();
        var pub = w.publishUs.getIntervalHistogram();
        var app = w.appliedUs.getIntervalHistogram();
        System.out.printf(java.util.Locale.ROOT,
            "EVENTS count=%d seconds=%.1f dropped=%b p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f applied_p50_ms=%.2f applied_p99_ms=%.2f unreadable=%d%n",
            n, secs, ended.isDone(), ms(pub, 50), ms(pub, 99), ms(pub, 99.9), pub.getTotalCount() == 0 ? 0 : pub.getMaxValue() / 1000.0,
            ms(app, 50), ms(app, 99), w.unreadable.get());
        System.out.flush();
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
