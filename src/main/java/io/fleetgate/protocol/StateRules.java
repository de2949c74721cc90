package io.fleetgate.protocol;

import io.fleetgate.protocol.FrameException.Reason;
import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;

/**
 * The value rules both state codecs (JSON and binary) apply, so a frame is valid or invalid the same way
 * whatever its encoding. Everything here throws {@link FrameException}; the {@code where} argument names the
 * property, key or offset for the detail.
 */
public final class StateRules {
  /** A timestamp later than now plus this is invalid (the contract's 5 minutes). */
  public static final long MAX_FUTURE_SKEW_MS = 5 * 60_000L;
  /** Largest {@code seq}: the binary payload and the TCP STATE_ACK carry it as u32. */
  public static final long MAX_SEQ = 0xFFFF_FFFFL;

  private StateRules() {}

  /** Returns {@code ts} when it is a non-negative epoch time not too far in the future. */
  public static long timestamp(long ts, long nowMs, String where) {
    if (ts < 0) {
      throw new FrameException(Reason.BAD_TIMESTAMP, where + " is before the epoch: " + ts);
    }
    if (ts > nowMs + MAX_FUTURE_SKEW_MS) {
      throw new FrameException(Reason.FUTURE_TIMESTAMP, where + " " + ts + " is more than 5 min after now " + nowMs);
    }
    return ts;
  }

  /** The boxed value of a NUMBER property, range-checked; -0.0 becomes 0.0 so equal frames compare equal. */
  public static Double number(Property p, double v) {
    if (!p.inRange(v)) {
      throw new FrameException(Reason.OUT_OF_RANGE, p.jsonName + " " + v + " not in [" + p.min + ", " + p.max + "]");
    }
    if (p == Property.CELLULAR_SIGNAL_QUALITY && v != Math.rint(v)) {
      throw new FrameException(Reason.OUT_OF_RANGE, p.jsonName + " " + v + " is not a whole level 0..5");
    }
    return v + 0.0;
  }

  public static Position position(Property p, double lat, double lon) {
    if (!Position.valid(lat, lon)) {
      throw new FrameException(Reason.OUT_OF_RANGE, p.jsonName + " (" + lat + ", " + lon + ") not a WGS-84 position");
    }
    return new Position(lat + 0.0, lon + 0.0);
  }

  /** The canonical label of a binary flag byte of an ENUM property. */
  public static String label(Property p, int raw) {
    if (raw == 1) {
      return p.oneLabel;
    }
    if (raw == 0) {
      return p.zeroLabel;
    }
    throw new FrameException(Reason.OUT_OF_RANGE, p.jsonName + " byte " + raw + " is neither 1 nor 0");
  }

  public static Boolean bool(Property p, int raw) {
    if (raw == 1) {
      return Boolean.TRUE;
    }
    if (raw == 0) {
      return Boolean.FALSE;
    }
    throw new FrameException(Reason.OUT_OF_RANGE, p.jsonName + " byte " + raw + " is neither 1 nor 0");
  }

  /** Returns {@code seq} when it fits the u32 the binary protocol carries. */
  public static long seq(long seq) {
    if (seq < 0 || seq > MAX_SEQ) {
      throw new FrameException(Reason.OUT_OF_RANGE, "seq " + seq + " not in [0, " + MAX_SEQ + "]");
    }
    return seq;
  }

  /** A device-sent text cut short for a log line or error detail. */
  public static String quote(CharSequence s) {
    return s.length() <= 40 ? "\"" + s + "\"" : "\"" + s.subSequence(0, 40) + "…\"";
  }
}
