package io.fleetgate.events;

import io.fleetgate.auth.ClientRevocationListener;
import io.vertx.core.Future;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open event streams, by fleet: a best-effort {@link EventSink} that never holds a publisher up (each
 * stream buffers at most {@code events.sseBufferEvents} and is dropped when that overflows). Also counts
 * streams per API client to enforce {@code events.maxStreamsPerClient}, and ends a revoked client's streams.
 */
public final class SseHub implements EventSink, ClientRevocationListener {
  /**
   * Told (on the thread that opened or closed a stream) that a fleet's streams changed; it reads
   * {@link #wantedTypes} itself, so a late call never carries stale news. A cluster registers its per-fleet
   * address here; a single node has none and pays nothing.
   */
  public interface FleetStreamsListener {
    void fleetStreamsChanged(String fleetId);
  }

  /**
   * How many streams a client holds on the other nodes of a cluster (its reservations there included), for
   * {@code events.maxStreamsPerClient} to hold cluster-wide.
   */
  public interface StreamsElsewhere {
    Future<Integer> count(String clientId);
  }

  private final Map<String, List<SseStream>> byFleet = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> perClient = new ConcurrentHashMap<>();
  private final int maxStreamsPerClient;
  private volatile FleetStreamsListener fleetListener;
  private volatile StreamsElsewhere elsewhere;

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

  /**
   * Reserves a stream for a client counting its streams on every node: without a cluster exactly
   * {@link #reserve} (completed at once); in one, this node reserves first and then asks the others, so of
   * two racing reservations on two nodes at least one sees the other (both may be refused, never both
   * granted past the maximum). False when the maximum is reached; the reservation is then given back.
   */
  public Future<Boolean> reserveEverywhere(String clientId) {
    if (!reserve(clientId)) {
      return Future.succeededFuture(false);
    }
    StreamsElsewhere others = elsewhere;
    if (others == null) {
      return Future.succeededFuture(true);
    }
    return others.count(clientId).transform(ar -> {
      int here = reservations(clientId);
      if (ar.succeeded() && here + ar.result() <= maxStreamsPerClient) {
        return Future.succeededFuture(true);
      }
      release(clientId);
      return ar.succeeded() ? Future.succeededFuture(false) : Future.failedFuture(ar.cause());
    });
  }

  /** The client's streams and reservations on this node. */
  public int reservations(String clientId) {
    AtomicInteger n = perClient.get(clientId);
    return n == null ? 0 : n.get();
  }

  /** Set once, before the gateway serves (a cluster). */
  public void fleetListener(FleetStreamsListener listener) {
    this.fleetListener = listener;
  }

  /** Set once, before the gateway serves (a cluster). */
  public void streamsElsewhere(StreamsElsewhere counts) {
    this.elsewhere = counts;
  }

  /** Gives back a reservation whose stream never opened. */
  public void release(String clientId) {
    perClient.computeIfPresent(clientId, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  void add(SseStream s) {
    byFleet.computeIfAbsent(s.fleetId, k -> new CopyOnWriteArrayList<>()).add(s);
    FleetStreamsListener l = fleetListener;
    if (l != null) {
      l.fleetStreamsChanged(s.fleetId);
    }
  }

  /** Idempotent: the stream stops receiving and its client reservation is given back once. */
  void remove(SseStream s) {
    List<SseStream> list = byFleet.get(s.fleetId);
    if (list != null && list.remove(s)) {
      release(s.clientId);
      byFleet.computeIfPresent(s.fleetId, (k, l) -> l.isEmpty() ? null : l);
      FleetStreamsListener l = fleetListener;
      if (l != null) {
        l.fleetStreamsChanged(s.fleetId);
      }
    }
  }

  /**
   * The event types the fleet's open streams on this node take: null when it has none, every type when one
   * of them takes all.
   */
  public Set<EventType> wantedTypes(String fleetId) {
    List<SseStream> list = byFleet.get(fleetId);
    if (list == null) {
      return null;
    }
    Set<EventType> out = EnumSet.noneOf(EventType.class);
    for (SseStream s : list) {
      if (s.types().isEmpty()) {
        return EnumSet.allOf(EventType.class);
      }
      out.addAll(s.types());
    }
    return out.isEmpty() ? null : out;
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

  /**
   * Ends every open stream on this node (any thread): a cluster node that went stale cannot tell whether their
   * clients may still read what they receive. Their clients reconnect, to another node, and resume with
   * Last-Event-ID. Returns how many were ended.
   */
  public int endAll(String reason) {
    int n = 0;
    for (List<SseStream> list : byFleet.values()) {
      for (SseStream s : list) {
        s.end(reason);
        n++;
      }
    }
    return n;
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
