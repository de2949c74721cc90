package io.fleetgate.support;

/**
 * Strings a remote party chose (unit ids, user names, client ids, topics, paths, header values) made safe for
 * a log line: a newline in a client id must not start a genuine-looking second record, an ANSI escape must not
 * repaint an operator's terminal, and a 64 KB header must not become a 64 KB log line.
 *
 * <p>Escaped: C0 controls, DEL, C1 controls, the Unicode line and paragraph separators, the bidirectional
 * embeddings/overrides/isolates (they reorder what an operator reads) and lone surrogates; a backslash is
 * doubled so that an escape in the output cannot be forged by the input. At most {@link #MAX_CHARS} input
 * characters are kept, then an ellipsis.
 */
public final class LogSafe {
  /** Input characters kept before the ellipsis. */
  public static final int MAX_CHARS = 128;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private LogSafe() {}

  /** {@code s} escaped and cut at {@link #MAX_CHARS}; {@code null} as {@code (none)}. */
  public static String escape(String s) {
    if (s == null) {
      return "(none)";
    }
    int n = Math.min(s.length(), MAX_CHARS);
    if (n < s.length() && Character.isHighSurrogate(s.charAt(n - 1))) {
      n--; // do not cut a pair in two
    }
    int i = 0;
    while (i < n && !needsEscape(s, i)) {
      i++;
    }
    if (i == n && n == s.length()) {
      return s; // the common case: nothing to do, no copy
    }
    StringBuilder sb = new StringBuilder(n + 16).append(s, 0, i);
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (!needsEscape(s, i)) {
        sb.append(c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\r') {
        sb.append("\\r");
      } else if (c == '\t') {
        sb.append("\\t");
      } else if (c == '\\') {
        sb.append("\\\\");
      } else {
        sb.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
      }
    }
    if (n < s.length()) {
      sb.append('…');
    }
    return sb.toString();
  }

  private static boolean needsEscape(String s, int i) {
    char c = s.charAt(i);
    if (c < 0x20 || c == '\\' || (c >= 0x7f && c <= 0x9f)) {
      return true;
    }
    if (c == 0x2028 || c == 0x2029 || c == 0x061c || c == 0x200e || c == 0x200f
        || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
      return true;
    }
    if (Character.isHighSurrogate(c)) {
      return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
    }
    return false;
  }
}
