package io.fleetgate.device;

import io.fleetgate.support.LogSafe;
import java.util.logging.Logger;

/**
 * The log of protocol violations before login on one device listener (plain and TLS share it): one short line
 * each, never a stack trace, and at most {@link #LINES_PER_SECOND} lines a second; the lines left out are
 * counted and the count is told by the next line written. Anyone can open connections and send garbage
 * before logging in, so without the bound every connection buys a line of the operator's log.
 * Thread-safe: the listener's event loops share it.
 */
public final class PreLoginLog {
  /** Lines a second per listener; the rest are counted, not written. */
  public static final int LINES_PER_SECOND = 10;

  private final Logger log;
  private final String listener;
  private long windowStartMs;
  private int linesInWindow;
  private long suppressed;

  /** {@code listener}: how lines name it, e.g. {@code "MQTT"}. */
  public PreLoginLog(String loggerName, String listener) {
    this.log = Logger.getLogger(loggerName);
    this.listener = listener;
  }

  /**
   * One line: "{listener} connection from {remote} before login: {what}, closed". {@code what} is the
   * gateway's own text; whatever the remote party chose in it must already be escaped ({@link LogSafe}).
   */
  public void violation(Object remote, String what) {
    long dropped = admit(System.currentTimeMillis());
    if (dropped < 0) {
      return;
    }
    log.info(listener + " connection" + (remote == null ? "" : " from " + remote) + " before login: " + what + ", closed"
        + (dropped > 0 ? " (" + dropped + " similar lines suppressed)" : ""));
  }

  /** -1: over the bound (counted); else the lines suppressed since the last line written. */
  synchronized long admit(long nowMs) {
    if (nowMs - windowStartMs >= 1000) {
      windowStartMs = nowMs;
      linesInWindow = 0;
    }
    if (linesInWindow >= LINES_PER_SECOND) {
      suppressed++;
      return -1;
    }
    linesInWindow++;
    long dropped = suppressed;
    suppressed = 0;
    return dropped;
  }

  /** A short description of an exception, escaped: its type and message, no stack trace. */
  public static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + LogSafe.escape(m));
  }
}
