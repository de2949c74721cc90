package io.fleetgate.device.tcp;

import java.util.ArrayDeque;
import java.util.function.LongConsumer;

/**
 * The STATE frames of a connection waiting for their STATE_ACK. Their hand-offs may finish in any order; a
 * STATE_ACK goes out once its own hand-off and those of every earlier STATE are done, so a unit that sees
 * the ack of seq n knows every earlier frame is safe too. Event-loop confined.
 */
final class OrderedStateAcks {
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final LongConsumer send;
  private final Runnable batchDone;

  /** {@code send} per ack now due, in order; then {@code batchDone} once for all of them. */
  OrderedStateAcks(LongConsumer send, Runnable batchDone) {
    this.send = send;
    this.batchDone = batchDone;
  }

  Pending add(long seq) {
    Pending p = new Pending(seq);
    queue.addLast(p);
    return p;
  }

  int size() {
    return queue.size();
  }

  private void flush() {
    Pending head;
    boolean sent = false;
    while ((head = queue.peekFirst()) != null && head.done) {
      queue.pollFirst();
      send.accept(head.seq);
      sent = true;
    }
    if (sent) {
      batchDone.run();
    }
  }

  /** One awaited STATE_ACK. */
  final class Pending {
    private final long seq;
    private boolean done;

    private Pending(long seq) {
      this.seq = seq;
    }

    void complete() {
      if (!done) {
        done = true;
        flush();
      }
    }
  }
}
