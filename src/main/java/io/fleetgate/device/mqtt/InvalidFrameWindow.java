package io.fleetgate.device.mqtt;

/**
 * Counts a connection's invalid frames over a sliding minute: {@link #record} says when the limit is
 * reached. A ring of the last {@code limit} times; event-loop confined.
 */
final class InvalidFrameWindow {
  private static final long WINDOW_MS = 60_000;
  private final long[] times;
  private int next;
  private int size;

  InvalidFrameWindow(int limit) {
    this.times = new long[limit];
  }

  /** Records an invalid frame at {@code nowMs}; true when {@code limit} of them fell within a minute. */
  boolean record(long nowMs) {
    times[next] = nowMs;
    next = (next + 1) % times.length;
    if (size < times.length) {
      size++;
    }
    // with a full ring, the slot at `next` is the oldest of the last `limit` invalid frames
    return size == times.length && nowMs - times[next % times.length] < WINDOW_MS;
  }
}
