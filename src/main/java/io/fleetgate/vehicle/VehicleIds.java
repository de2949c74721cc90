package io.fleetgate.vehicle;

import java.security.SecureRandom;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Vehicle ids: 5 random characters of Crockford base32 (no I, L, O, U), about 33.5 million values. Random
 * rather than sequential so that ids reveal nothing about fleet sizes; a collision is retried by the caller.
 */
public final class VehicleIds {
  public static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  public static final int LENGTH = 5;
  public static final Pattern FORM = Pattern.compile("[0-9A-HJKMNP-TV-Z]{5}");

  private final Random random;

  public VehicleIds() {
    this(new SecureRandom());
  }

  /** With a given source of randomness (tests). */
  public VehicleIds(Random random) {
    this.random = random;
  }

  public String next() {
    int bits = random.nextInt(1 << (5 * LENGTH));
    char[] out = new char[LENGTH];
    for (int i = LENGTH - 1; i >= 0; i--) {
      out[i] = ALPHABET.charAt(bits & 31);
      bits >>>= 5;
    }
    return new String(out);
  }

  /** Whether {@code s} has the form of a vehicle id (upper case). */
  public static boolean isWellFormed(String s) {
    return s != null && FORM.matcher(s).matches();
  }
}
