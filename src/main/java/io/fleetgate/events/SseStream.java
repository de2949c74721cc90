package io.fleetgate.events;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * One {@code text/event-stream} response. Publishers (any thread) only append to a bounded queue and, when
 * needed, schedule a drain on the stream's own context; the drain writes while the connection's write queue
 * has room and otherwise waits for its drain handler. When the queue is full too, the client cannot keep
 * up: the stream is dropped (connection reset) rather than ever waiting for it. A stream lives no longer than
 * its token: it ends (cleanly, the response is ended) at the token's {@code exp}, and at once when its client
 * is revoked ({@link SseHub#clientRevoked}).
 */
public final class SseStream {
  private static final Logger LOG = Logger.getLogger(SseStream.class.getName());
  private static final Buffer KEEP_ALIVE = Buffer.buffer(": keep-alive\n\n");
  /** Events one drain writes before it lets the event loop do other work. */
  static final int MAX_WRITES_PER_TURN = 64;

  final String fleetId;
  final String clientId;
  private final Set<EventType> types;
  private final String vehicleId;
  private final HttpServerResponse response;
  private final Context context;
  private final SseHub hub;
  private final int capacity;
  private final Queue<Event> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private long keepAliveTimer = -1;
  private long expiryTimer = -1;
  /** A resumed stream replays the log first: live events wait in the queue until {@link #goLive}. */
  private volatile boolean replaying;
  /**
   * Ids the replay wrote that the live part may also bring (published around the registration); live events
   * with one of these ids are skipped. Confined to the stream's context; null when nothing to skip.
   */
  private java.util.Set<String> replayed;

  private SseStream(String fleetId, String clientId, Set<EventType> types, String vehicleId, HttpServerResponse response,
      Context context, SseHub hub, int capacity) {
    this.fleetId = fleetId;
    this.clientId = clientId;
    this.types = types;
    this.vehicleId = vehicleId;
    this.response = response;
    this.context = context;
    this.hub = hub;
    this.capacity = capacity;
  }

  /**
   * Starts a stream on the current (request) context: headers and a first comment go out at once, then
   * events and a keep-alive comment every {@code keepAliveMs}, until {@code expiresAtMs}. The client's
   * reservation must be held.
   *
   * @param types the types to send, empty for all
   * @param vehicleId the one vehicle to send events of, or null for all
   * @param expiresAtMs when the stream's token expires (epoch ms): the stream ends then
   */
  public static SseStream open(Vertx vertx, SseHub hub, HttpServerResponse response, String fleetId, String clientId,
      Set<EventType> types, String vehicleId, int capacity, long keepAliveMs, long expiresAtMs) {
    return open(vertx, hub, response, fleetId, clientId, types, vehicleId, capacity, keepAliveMs, expiresAtMs, false);
  }

  /**
   * @param replaying the stream resumes: live events are held (bounded, as ever) until {@link #goLive}, so
   *     that the caller can write the logged ones first ({@link #writeReplayed})
   */
  public static SseStream open(Vertx vertx, SseHub hub, HttpServerResponse response, String fleetId, String clientId,
      Set<EventType> types, String vehicleId, int capacity, long keepAliveMs, long expiresAtMs, boolean replaying) {
    SseStream s = new SseStream(fleetId, clientId, types, vehicleId, response, vertx.getOrCreateContext(), hub, capacity);
    s.replaying = replaying;
    response.setStatusCode(200)
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    response.closeHandler(v -> s.closed());
    response.exceptionHandler(e -> s.closed());
    hub.add(s);
    response.write(": stream open\n\n");
    s.keepAliveTimer = vertx.setPeriodic(keepAliveMs, id -> s.keepAlive());
    // on this (the stream's) context, like every write
    s.expiryTimer = vertx.setTimer(Math.max(1, expiresAtMs - System.currentTimeMillis()), id -> s.end("token expired"));
    return s;
  }

  boolean accepts(EventType type, String vehicle) {
    return !closed.get() && (types.isEmpty() || types.contains(type)) && (vehicleId == null || vehicleId.equals(vehicle));
  }

  /** Any thread: buffer the event or, when the buffer is full, drop this client. Never blocks. */
  void offer(Event e) {
    if (closed.get()) {
      return;
    }
    if (queued.incrementAndGet() > capacity) {
      queued.decrementAndGet();
      overflow();
      return;
    }
    queue.add(e);
    if (!replaying && drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  /** On the stream's context. */
  private void drain() {
    drainScheduled.set(false);
    int written = 0;
    while (!closed.get() && !response.writeQueueFull()) {
      if (written++ == MAX_WRITES_PER_TURN) {
        // a long backlog (live events held during a replay) is written over several turns of the event loop
        if (drainScheduled.compareAndSet(false, true)) {
          context.runOnContext(v -> drain());
        }
        return;
      }
      Event e = queue.poll();
      if (e == null) {
        return;
      }
      queued.decrementAndGet();
      if (replayed == null || !replayed.contains(e.messageId())) {
        response.write(frame(e));
      }
    }
    if (!closed.get() && !queue.isEmpty()) {
      response.drainHandler(v -> drain());
    }
  }

  private static Buffer frame(Event e) {
    return frame(e.messageId(), e.type(), e.json());
  }

  private static Buffer frame(String id, EventType type, String json) {
    return Buffer.buffer("id: " + id + "\nevent: " + type.wire + "\ndata: " + json + "\n\n");
  }

  /** Whether the stream still runs (the replay stops when it does not). */
  public boolean open() {
    return !closed.get();
  }

  /** The types this stream sends (empty = all) and its one vehicle or null: the replay's filters. */
  public Set<EventType> types() {
    return types;
  }

  public String vehicleId() {
    return vehicleId;
  }

  /**
   * On the stream's context, while replaying: writes one logged event. {@code mayRecur} says that the live
   * part may bring the same event again (it was published around the registration): it is then skipped there.
   *
   * @return a future that completes when the connection can take more (at once when it can now)
   */
  public io.vertx.core.Future<Void> writeReplayed(EventLog.Entry e, boolean mayRecur) {
    if (closed.get()) {
      return io.vertx.core.Future.succeededFuture();
    }
    if (mayRecur) {
      if (replayed == null) {
        replayed = new java.util.HashSet<>();
      }
      replayed.add(e.messageId());
    }
    response.write(frame(e.messageId(), e.type(), e.json()));
    if (!response.writeQueueFull()) {
      return io.vertx.core.Future.succeededFuture();
    }
    io.vertx.core.Promise<Void> writable = io.vertx.core.Promise.promise();
    response.drainHandler(v -> writable.tryComplete());
    return writable.future();
  }

  /** On the stream's context: the replay is done; the held live events follow, without those it already wrote. */
  public void goLive() {
    replaying = false;
    if (!closed.get()) {
      drain();
    }
  }

  private void keepAlive() {
    if (!closed.get() && !response.writeQueueFull()) {
      response.write(KEEP_ALIVE);
    }
  }

  private void overflow() {
    if (closed.compareAndSet(false, true)) {
      hub.remove(this);
      LOG.info("event stream of client " + io.fleetgate.support.LogSafe.escape(clientId) + " (fleet " + io.fleetgate.support.LogSafe.escape(fleetId) + ") cannot keep up: disconnected");
      context.runOnContext(v -> {
        cancelTimers();
        queue.clear();
        response.reset();
      });
    }
  }

  /**
   * Any thread: ends the stream cleanly (a last comment says why, then the response ends). It receives
   * nothing from the moment this returns: it is out of the hub and its client's reservation is given back;
   * events already queued are dropped, not written.
   */
  public void end(String reason) {
    if (closed.compareAndSet(false, true)) {
      hub.remove(this);
      LOG.info("event stream of client " + clientId + " (fleet " + fleetId + ") ended: " + reason);
      context.runOnContext(v -> {
        cancelTimers();
        queue.clear();
        if (!response.ended() && !response.closed()) {
          response.end(Buffer.buffer(": stream ended: " + reason + "\n\n"));
        }
      });
    }
  }

  private void closed() {
    closed.set(true);
    hub.remove(this);
    cancelTimers();
    queue.clear();
  }

  private void cancelTimers() {
    context.owner().cancelTimer(keepAliveTimer);
    context.owner().cancelTimer(expiryTimer);
  }
}
