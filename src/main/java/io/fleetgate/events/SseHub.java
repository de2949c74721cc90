package io.fleetgate.events;

import io.fleetgate.auth.ClientRevocationListener;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open event streams, by fleet: a best-effort {@link EventSink} that never holds a publisher up (each
 * stream buffers at most {@code events.sseBufferEvents} and is dropped when that overflows). Also counts
 * streams per API client to enforce {@code events.maxStreamsPerClient}, and ends a revoked client's streams.
 */
public final class SseHub implements EventSink, ClientRevocationListener {
  private final Map<String, List<SseStream>> byFleet = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> perClient = new ConcurrentHashMap<>();
  private final int maxStreamsPerClient;

  public SseHub(int maxStreamsPerClient) {
    this.maxStreamsPerClient = maxStreamsPerClient;
  }

  /** Reserves a stream for a client; false when it has its maximum open already. */
  public boolean reserve(String clientId) {
    AtomicInteger n = perClient.computeIfAbsent(clientId, k -> new AtomicInteger());
    if (n.incrementAndGet() > maxStreamsPerClient) {
      n.decrementAndGet();
      return false;
    }
    return true;
  }

  /** Gives back a reservation whose stream never opened. */
  public void release(String clientId) {
    perClient.computeIfPresent(clientId, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  void add(SseStream s) {
    byFleet.computeIfAbsent(s.fleetId, k -> new CopyOnWriteArrayList<>()).add(s);
  }

  /** Idempotent: the stream stops receiving and its client reservation is given back once. */
  void remove(SseStream s) {
    List<SseStream> list = byFleet.get(s.fleetId);
    if (list != null && list.remove(s)) {
      release(s.clientId);
      byFleet.computeIfPresent(s.fleetId, (k, l) -> l.isEmpty() ? null : l);
    }
  }

  /**
   * Ends every open stream of the client (any thread): none of them receives an event published after this
   * returns; each response is ended on its own context.
   */
  @Override
  public void clientRevoked(String clientId) {
    for (List<SseStream> list : byFleet.values()) {
      for (SseStream s : list) {
        if (s.clientId.equals(clientId)) {
          s.end("client revoked");
        }
      }
    }
  }

  /** Open streams of a fleet (for tests and metrics). */
  public int streams(String fleetId) {
    List<SseStream> list = byFleet.get(fleetId);
    return list == null ? 0 : list.size();
  }

  @Override
  public boolean wants(String fleetId, EventType type, String vehicleId) {
    List<SseStream> list = byFleet.get(fleetId);
    if (list == null) {
      return false;
    }
    for (SseStream s : list) {
      if (s.accepts(type, vehicleId)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Future<Void> deliver(Event event) {
    List<SseStream> list = byFleet.get(event.fleetId());
    if (list != null) {
      for (SseStream s : list) {
        if (s.accepts(event.type(), event.vehicleId())) {
          s.offer(event);
        }
      }
    }
    return Future.succeededFuture();
  }
}
