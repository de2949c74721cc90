package io.fleetgate.device;

import java.util.ArrayDeque;

/**
 * The frames of a connection that wait for their acknowledgement, whatever the protocol: MQTT QoS 1
 * PUBLISHes (PUBACKs must follow arrival order, 3.1.1 §4.6) and TCP STATE frames (a STATE_ACK of seq n
 * tells the unit every earlier frame is safe). Hand-offs may finish in any order; an ack goes out once its
 * own hand-off and those of every earlier frame are done. Event-loop confined.
 *
 * @param <O> the outcome an ack carries (an MQTT reason code; nothing more for TCP)
 */
public final class OrderedAcks<O> {

  /** Sends one ack now due. */
  public interface Sender<O> {
    void send(long id, O outcome);
  }

  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final Sender<O> send;
  private final Runnable batchDone;

  public OrderedAcks(Sender<O> send) {
    this(send, () -> {});
  }

  /** {@code send} per ack now due, in order; then {@code batchDone} once for all of them. */
  public OrderedAcks(Sender<O> send, Runnable batchDone) {
    this.send = send;
    this.batchDone = batchDone;
  }

  /** Registers a frame in arrival order; complete the returned slot when its outcome is known. */
  public Pending add(long id) {
    Pending p = new Pending(id);
    queue.addLast(p);
    return p;
  }

  public int size() {
    return queue.size();
  }

  private void flush() {
    Pending head;
    boolean sent = false;
    while ((head = queue.peekFirst()) != null && head.outcome != null) {
      queue.pollFirst();
      send.send(head.id, head.outcome);
      sent = true;
    }
    if (sent) {
      batchDone.run();
    }
  }

  /** One awaited ack. */
  public final class Pending {
    private final long id;
    private O outcome;

    private Pending(long id) {
      this.id = id;
    }

    public void complete(O result) {
      if (outcome == null) {
        outcome = java.util.Objects.requireNonNull(result, "outcome");
        flush();
      }
    }
  }
}
