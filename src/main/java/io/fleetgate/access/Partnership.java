package io.fleetgate.access;

import java.time.Instant;

/**
 * Two fleets that may share vehicles with each other (set up by a platform administrator or by redeeming an
 * invitation code). Symmetric: {@code fleetA} is the lower id of the two.
 *
 * @param seq creation order: the stable order of partner listings and their cursors
 */
public record Partnership(long seq, String fleetA, String fleetB, Instant since) {

  public static Partnership of(long seq, String one, String other, Instant since) {
    return one.compareTo(other) <= 0 ? new Partnership(seq, one, other, since) : new Partnership(seq, other, one, since);
  }

  /** The key of a pair of fleets, the same in either order. */
  public static String key(String one, String other) {
    return one.compareTo(other) <= 0 ? one + '\n' + other : other + '\n' + one;
  }

  public String key() {
    return key(fleetA, fleetB);
  }

  /** The fleet on the other side from {@code fleetId}. */
  public String other(String fleetId) {
    return fleetA.equals(fleetId) ? fleetB : fleetA;
  }
}
