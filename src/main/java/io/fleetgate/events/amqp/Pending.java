package io.fleetgate.events.amqp;

import io.fleetgate.events.Event;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * An event in the publisher's buffer, from {@code deliver} until the broker's confirm: its rendered body, the
 * promise its frame's acknowledgement waits for and the event loop that promise completes on.
 */
final class Pending {
  final Event event;
  final byte[] body;
  final ContextInternal context;
  final Promise<Void> promise;
  /** When it was queued (System.nanoTime), for amqp.batchLingerMs; 0 without a linger. */
  final long queuedAtNanos;
  /** The publish sequence number of its message (shared by the events of a batch message). */
  long tag;
  int attempts;

  Pending(Event event, byte[] body, ContextInternal context, Promise<Void> promise, long queuedAtNanos) {
    this.event = event;
    this.body = body;
    this.context = context;
    this.promise = promise;
    this.queuedAtNanos = queuedAtNanos;
  }

  /**
   * Completes (or fails) the promises of one confirm on their own event loops: one task per event loop for
   * the whole confirm ({@code multiple=true} covers hundreds of messages), not one hand-off per message. Each
   * event loop's promises complete in the order they were published.
   */
  static void settle(List<Pending> done, Throwable failure) {
    if (done.size() == 1) {
      Pending p = done.get(0);
      if (failure == null) {
        p.promise.tryComplete();
      } else {
        p.promise.tryFail(failure);
      }
      return;
    }
    Map<ContextInternal, List<Pending>> byContext = new IdentityHashMap<>(8);
    for (Pending p : done) {
      byContext.computeIfAbsent(p.context, k -> new ArrayList<>()).add(p);
    }
    byContext.forEach((ctx, list) -> ctx.runOnContext(v -> {
      for (Pending p : list) {
        if (failure == null) {
          p.promise.tryComplete();
        } else {
          p.promise.tryFail(failure);
        }
      }
    }));
  }
}
