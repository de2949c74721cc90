package io.fleetgate.events;

import com.github.f4b6a3.ulid.Ulid;
import io.vertx.core.Future;
import java.util.List;
import java.util.logging.Logger;

/**
 * The resume of an event stream ({@code Last-Event-ID}): the stream is registered first (holding live events),
 * then the logged events after the given id that pass its filters are written oldest first, page by page at
 * the connection's pace, then the held live events follow. An event both replayed and held is written once:
 * the replay notes the ids published from shortly before the registration ({@link #RECUR_WINDOW_MS}), the
 * live part skips them. Runs on the stream's context.
 */
public final class StreamReplay {
  private static final Logger LOG = Logger.getLogger(StreamReplay.class.getName());
  /** Events per read of the log and per turn of the event loop. */
  static final int PAGE = 64;
  /**
   * An event is published (its ULID made, then handed to the log and then to the streams) within
   * microseconds; one that the log has and the live part may bring too was made at most this long before
   * the stream registered.
   */
  static final long RECUR_WINDOW_MS = 1000;

  private final EventLog log;
  private final SseStream stream;
  private final long recurFromMs;
  private final io.vertx.core.Context context;

  private StreamReplay(EventLog log, SseStream stream, long registeredAtMs) {
    this.log = log;
    this.stream = stream;
    this.context = io.vertx.core.Vertx.currentContext();
    this.recurFromMs = registeredAtMs - RECUR_WINDOW_MS;
  }

  /** Replays after {@code lastEventId} (a canonical ULID), from and on the stream's context, then lets it go live. */
  public static void run(EventLog log, SseStream stream, String lastEventId, long registeredAtMs) {
    new StreamReplay(log, stream, registeredAtMs).after(lastEventId);
  }

  private void after(String afterId) {
    if (!stream.open()) {
      return;
    }
    EventLog.Query q = new EventLog.Query(stream.fleetId, stream.types(), stream.vehicleId(), Long.MIN_VALUE,
        Long.MAX_VALUE, afterId, null, PAGE);
    log.oldestFirst(q).compose(this::write).onComplete(ar -> {
      if (ar.failed()) {
        // the log cannot be read (database down): the stream goes on live rather than not at all
        LOG.warning("event stream of fleet " + stream.fleetId + ": the log could not be replayed, live events only: "
            + ar.cause().getMessage());
        stream.goLive();
      } else if (ar.result() == null) {
        stream.goLive();
      } else {
        String next = ar.result();
        context.runOnContext(v -> after(next)); // a page per turn: an in-memory log answers at once
      }
    });
  }

  /** Writes a page; the id to continue after, or null when this was the last page. */
  private Future<String> write(List<EventLog.Entry> page) {
    Future<Void> writable = Future.succeededFuture();
    for (EventLog.Entry e : page) {
      writable = stream.writeReplayed(e, Ulid.getTime(e.messageId()) >= recurFromMs);
    }
    boolean last = page.size() < PAGE;
    String next = last ? null : page.get(page.size() - 1).messageId();
    return writable.map(v -> next);
  }
}
