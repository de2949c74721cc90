package io.fleetgate.vehicle;

import java.util.List;

/**
 * A decoded, validated state frame: every reading is in range and not in the future. {@code seq} is -1 when
 * the frame carried none. {@code unknownSkipped} counts binary fields of ids this gateway does not know.
 */
public record StateFrame(long timestampMs, long seq, List<Reading> readings, int unknownSkipped) {
  public static final long NO_SEQ = -1;
}
