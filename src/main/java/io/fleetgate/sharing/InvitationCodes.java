package io.fleetgate.sharing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Invitation codes: 20 characters of Crockford base32 from {@link SecureRandom} (100 bits: unguessable at any
 * request rate), stored only as SHA-256. A slow password hash is not needed: with 100 random bits there is no
 * dictionary to try, and a fast hash keeps redemption a map lookup.
 */
public final class InvitationCodes {
  static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  public static final int LENGTH = 20;
  /** Entropy of a code: 5 bits per character. */
  public static final int BITS = LENGTH * 5;

  private final SecureRandom random = new SecureRandom();

  public String newCode() {
    return random(LENGTH);
  }

  /** A random public handle of an invitation ({@code inv_} + 16 characters), unrelated to its code. */
  public String newId() {
    return "inv_" + random(16).toLowerCase(Locale.ROOT);
  }

  private String random(int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = ALPHABET.charAt(random.nextInt(32));
    }
    return new String(out);
  }

  /**
   * The canonical form of a code as a person may type it: upper case, hyphens and spaces dropped, and the
   * Crockford look-alikes read as digits (I, L → 1; O → 0).
   */
  public static String canonical(String typed) {
    StringBuilder sb = new StringBuilder(typed.length());
    for (char c : typed.toUpperCase(Locale.ROOT).toCharArray()) {
      switch (c) {
        case '-', ' ' -> { }
        case 'I', 'L' -> sb.append('1');
        case 'O' -> sb.append('0');
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  /** SHA-256 of the canonical code, hex. */
  public static String hash(String code) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical(code).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
