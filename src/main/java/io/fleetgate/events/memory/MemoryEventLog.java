package io.fleetgate.events.memory;

import io.fleetgate.events.Event;
import io.fleetgate.events.EventLog;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The event log in this process: a ring of the last {@code perFleet} events per fleet. The ring bounds it;
 * an event older than the retention is skipped when read. Reads scan the ring under its lock: at most
 * {@code perFleet} cheap comparisons, never a copy of the ring.
 */
public final class MemoryEventLog implements EventLog {
  private final Map<String, Ring> byFleet = new ConcurrentHashMap<>();
  private final int perFleet;
  private final long retentionMs;
  private final Clock clock;

  public MemoryEventLog(int perFleet, int retentionDays, Clock clock) {
    this.perFleet = perFleet;
    this.retentionMs = Duration.ofDays(retentionDays).toMillis();
    this.clock = clock;
  }

  @Override
  public void append(Event event) {
    if (!EventLog.logged(event.type())) {
      return;
    }
    Ring ring = byFleet.get(event.fleetId());
    if (ring == null) {
      ring = byFleet.computeIfAbsent(event.fleetId(), k -> new Ring(perFleet));
    }
    ring.add(Entry.of(event));
  }

  @Override
  public Future<List<Entry>> newestFirst(Query query) {
    return Future.succeededFuture(scan(query, true));
  }

  @Override
  public Future<List<Entry>> oldestFirst(Query query) {
    return Future.succeededFuture(scan(query, false));
  }

  /** The ring bounds the memory; entries past retention are skipped by every read. */
  @Override
  public Future<Long> purge(long beforeMs) {
    return Future.succeededFuture(0L);
  }

  private List<Entry> scan(Query q, boolean newestFirst) {
    Ring ring = byFleet.get(q.fleetId());
    List<Entry> out = new ArrayList<>(Math.min(q.limit(), 64));
    if (ring != null) {
      ring.scan(q, clock.millis() - retentionMs, newestFirst, out);
    }
    return out;
  }

  /**
   * Entries in append order. Appends from several threads may arrive slightly out of message-id order, so a
   * read compares ids rather than positions and sorts its matches (at most the ring) before taking the limit.
   */
  private static final class Ring {
    private final Entry[] entries;
    private int next;
    private int size;

    Ring(int capacity) {
      entries = new Entry[capacity];
    }

    synchronized void add(Entry e) {
      entries[next] = e;
      next = (next + 1) % entries.length;
      if (size < entries.length) {
        size++;
      }
    }

    synchronized void scan(Query q, long oldestMs, boolean newestFirst, List<Entry> out) {
      int n = entries.length;
      int oldest = (next - size + n) % n;
      // collect every match (bounded by the ring), then keep the limit nearest the requested end
      List<Entry> matches = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        Entry e = entries[(oldest + i) % n];
        if (q.matches(e, oldestMs)) {
          matches.add(e);
        }
      }
      matches.sort(newestFirst
          ? (a, b) -> b.messageId().compareTo(a.messageId())
          : (a, b) -> a.messageId().compareTo(b.messageId()));
      out.addAll(matches.subList(0, Math.min(q.limit(), matches.size())));
    }
  }
}
