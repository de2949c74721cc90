package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;

import io.fleetgate.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** A test's reader of {@code GET /events/stream}: the Vert.x HTTP client, events and comments collected as they come. */
final class SseClient implements AutoCloseable {
  /** One server-sent event: its {@code id:}, {@code event:} and the envelope of its {@code data:}. */
  record Sse(String id, String event, JsonObject envelope) {
    String type() {
      return envelope.getJsonObject("metadata").getString("type");
    }

    JsonObject data() {
      return envelope.getJsonObject("data");
    }

    JsonObject metadata() {
      return envelope.getJsonObject("metadata");
    }
  }

  final List<Sse> events = new CopyOnWriteArrayList<>();
  final AtomicInteger comments = new AtomicInteger();
  private final HttpClient client;
  private final StringBuilder pending = new StringBuilder();
  private volatile boolean ended;

  private SseClient(HttpClient client) {
    this.client = client;
  }

  /** Opens a stream and returns once its 200 and headers are in (the stream is registered by then). */
  static SseClient open(TestGateway gw, String token, String query) {
    return open(gw, token, query, null);
  }

  /** Resuming after {@code lastEventId} (the Last-Event-ID header) when it is not null. */
  static SseClient open(TestGateway gw, String token, String query, String lastEventId) {
    SseClient c = new SseClient(gw.vertx.createHttpClient());
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gw.gateway.httpPort())
        .setURI("/events/stream" + (query == null ? "" : "?" + query)).putHeader("Authorization", "Bearer " + token);
    if (lastEventId != null) {
      options.putHeader("Last-Event-ID", lastEventId);
    }
    HttpClientResponse response = await(c.client.request(options).compose(req -> req.send()).map(r -> {
      r.handler(c::onData); // set on the response's own context, before any chunk can arrive
      r.endHandler(v -> c.ended = true);
      r.exceptionHandler(e -> c.ended = true);
      return r;
    }));
    if (response.statusCode() != 200 || !"text/event-stream".equals(response.getHeader("Content-Type"))) {
      throw new AssertionError("stream not opened: " + response.statusCode() + " " + response.getHeader("Content-Type"));
    }
    return c;
  }

  private void onData(Buffer b) {
    pending.append(b.toString());
    int end;
    while ((end = pending.indexOf("\n\n")) >= 0) {
      String block = pending.substring(0, end);
      pending.delete(0, end + 2);
      if (block.startsWith(":")) {
        comments.incrementAndGet();
        continue;
      }
      String id = null;
      String event = null;
      String data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
      events.add(new Sse(id, event, new JsonObject(data)));
    }
  }

  List<Sse> ofType(String type) {
    return events.stream().filter(e -> e.type().equals(type)).collect(Collectors.toList());
  }

  boolean ended() {
    return ended;
  }

  @Override
  public void close() {
    await(client.close());
  }
}
