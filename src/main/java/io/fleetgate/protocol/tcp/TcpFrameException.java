package io.fleetgate.protocol.tcp;

import java.util.Locale;

/**
 * A TCP byte stream that is no longer a sequence of frames (bad magic, over-long length, bad CRC) or a frame
 * of a type this gateway does not know. The connection cannot be trusted after it: the unit gets ERROR 1 and
 * is closed. No stack trace, like {@link io.fleetgate.protocol.FrameException}.
 */
public final class TcpFrameException extends RuntimeException {

  public enum Reason {
    BAD_MAGIC, TOO_LONG, BAD_CRC, UNKNOWN_TYPE;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The metrics label. */
    public String label() {
      return label;
    }
  }

  private final Reason reason;

  public TcpFrameException(Reason reason, String detail) {
    super(reason.label() + ": " + detail, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
