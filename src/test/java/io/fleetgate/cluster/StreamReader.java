package io.fleetgate.cluster;

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

/** A test's reader of one node's {@code GET /events/stream}: the envelopes of the events as they come. */
final class StreamReader implements AutoCloseable {
  final List<JsonObject> events = new CopyOnWriteArrayList<>();
  final int status;
  /** Set when the server ended the response (or the connection closed). */
  final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
  private final HttpClient client;
  private final StringBuilder pending = new StringBuilder();

  private StreamReader(HttpClient client, int status) {
    this.client = client;
    this.status = status;
  }

  /** Opens a stream; {@link #status} says whether it was (200) or refused. */
  static StreamReader open(TestGateway node, String token, String query) {
    return open(node, token, query, null);
  }

  /** Resuming after {@code lastEventId} (the Last-Event-ID header) when it is not null. */
  static StreamReader open(TestGateway node, String token, String query, String lastEventId) {
    HttpClient client = node.vertx.createHttpClient();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
        .setPort(node.gateway.httpPort()).setURI("/events/stream" + (query == null ? "" : "?" + query))
        .putHeader("Authorization", "Bearer " + token);
    if (lastEventId != null) {
      options.putHeader("Last-Event-ID", lastEventId);
    }
    StreamReader[] self = new StreamReader[1];
    HttpClientResponse response = await(client.request(options).compose(req -> req.send()).map(r -> {
      self[0] = new StreamReader(client, r.statusCode());
      r.handler(self[0]::onData);
      r.endHandler(v -> self[0].ended.set(true));
      r.exceptionHandler(e -> self[0].ended.set(true));
      return r;
    }));
    return self[0];
  }

  private void onData(Buffer b) {
    pending.append(b.toString());
    int end;
    while ((end = pending.indexOf("\n\n")) >= 0) {
      String block = pending.substring(0, end);
      pending.delete(0, end + 2);
      for (String line : block.split("\n")) {
        if (line.startsWith("data: ")) {
          events.add(new JsonObject(line.substring(6)));
        }
      }
    }
  }

  List<JsonObject> ofType(String type) {
    return events.stream().filter(e -> type.equals(e.getJsonObject("metadata").getString("type"))).toList();
  }

  @Override
  public void close() {
    await(client.close());
  }
}
