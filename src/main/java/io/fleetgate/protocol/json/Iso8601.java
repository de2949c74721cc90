package io.fleetgate.protocol.json;

import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.FrameException.Reason;
import java.time.Instant;

/**
 * ISO-8601 date-times with a zone ({@code Z} or an offset) to epoch milliseconds and back, without
 * {@code java.time} parsing on the hot path: a state frame carries one or more of these and
 * {@code DateTimeFormatter} costs more than the rest of the decode.
 *
 * <p>Accepted: {@code YYYY-MM-DDThh:mm[:ss[.f{1,9}]](Z|±hh:mm|±hhmm|±hh)}, {@code T}/{@code Z} in either case.
 * Fractions below a millisecond are truncated.
 */
public final class Iso8601 {
  private static final long MAX_OFFSET_MINUTES = 18 * 60;

  private Iso8601() {}

  /** What {@link #parseOrInvalid} returns for text that is not a date-time (no real instant is this far out). */
  static final long INVALID = Long.MIN_VALUE;

  public static long parse(CharSequence s) {
    char[] chars = s.toString().toCharArray();
    return parse(chars, 0, chars.length);
  }

  /** Epoch milliseconds of the date-time in {@code buf[off, off+len)}; BAD_TIMESTAMP when it is not one. */
  public static long parse(char[] buf, int off, int len) {
    // Every accepted character is ASCII, so the characters map 1:1 onto bytes; anything else becomes 0xFF,
    // which no position accepts.
    byte[] b = new byte[len];
    for (int i = 0; i < len; i++) {
      char c = buf[off + i];
      b[i] = c < 0x80 ? (byte) c : (byte) 0xFF;
    }
    long ms = parseOrInvalid(b, 0, len);
    if (ms == INVALID) {
      throw bad(new String(buf, off, len));
    }
    return ms;
  }

  /** Epoch milliseconds of the UTF-8 date-time in {@code buf[off, off+len)}; BAD_TIMESTAMP when it is not one. */
  public static long parse(byte[] buf, int off, int len) {
    long ms = parseOrInvalid(buf, off, len);
    if (ms == INVALID) {
      throw bad(new String(buf, off, len, java.nio.charset.StandardCharsets.UTF_8));
    }
    return ms;
  }

  /**
   * Epoch milliseconds of the ASCII date-time in {@code buf[off, off+len)}, or {@link #INVALID}; allocates
   * nothing. A byte outside ASCII is never accepted at any position.
   */
  static long parseOrInvalid(byte[] buf, int off, int len) {
    int end = off + len;
    if (len < 17) {
      return INVALID;
    }
    int year = digits(buf, off, 4);
    int month = digits(buf, off + 5, 2);
    int day = digits(buf, off + 8, 2);
    int hour = digits(buf, off + 11, 2);
    int minute = digits(buf, off + 14, 2);
    byte t = buf[off + 10];
    if (buf[off + 4] != '-' || buf[off + 7] != '-' || (t != 'T' && t != 't') || buf[off + 13] != ':') {
      return INVALID;
    }
    if (year < 0 || hour < 0 || minute < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59) {
      return INVALID;
    }
    int i = off + 16;
    int second = 0;
    int millis = 0;
    if (i < end && buf[i] == ':') {
      if (end - i < 3) {
        return INVALID;
      }
      second = digits(buf, i + 1, 2);
      if (second < 0 || second > 59) {
        return INVALID;
      }
      i += 3;
      if (i < end && buf[i] == '.') {
        i++;
        int start = i;
        while (i < end && buf[i] >= '0' && buf[i] <= '9') {
          if (i - start < 3) {
            millis = millis * 10 + (buf[i] - '0');
          }
          i++;
        }
        int n = i - start;
        if (n == 0 || n > 9) {
          return INVALID;
        }
        for (int k = n; k < 3; k++) {
          millis *= 10;
        }
      }
    }
    if (i >= end) {
      return INVALID; // no zone: a local time is not an instant
    }
    long offsetMinutes;
    byte z = buf[i];
    if ((z == 'Z' || z == 'z') && i + 1 == end) {
      offsetMinutes = 0;
    } else if (z == '+' || z == '-') {
      int rest = end - i - 1;
      int oh;
      int om = 0;
      if (rest == 2) {
        oh = digits(buf, i + 1, 2);
      } else if (rest == 4) {
        oh = digits(buf, i + 1, 2);
        om = digits(buf, i + 3, 2);
      } else if (rest == 5 && buf[i + 3] == ':') {
        oh = digits(buf, i + 1, 2);
        om = digits(buf, i + 4, 2);
      } else {
        return INVALID;
      }
      offsetMinutes = oh * 60L + om;
      if (oh < 0 || om < 0 || om > 59 || offsetMinutes > MAX_OFFSET_MINUTES) {
        return INVALID;
      }
      if (z == '-') {
        offsetMinutes = -offsetMinutes;
      }
    } else {
      return INVALID;
    }
    long seconds = epochDay(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second - offsetMinutes * 60L;
    return seconds * 1000L + millis;
  }

  /** {@code 2026-11-21T10:15:30.250Z}; the fraction only when the milliseconds are not zero. */
  public static String format(long epochMs) {
    byte[] out = new byte[24];
    int n = formatTo(epochMs, out, 0);
    return n < 0 ? Instant.ofEpochMilli(epochMs).toString() : new String(out, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /** Years 0000-9999 written by {@link #formatTo}; others are left to {@code Instant.toString} (sign, more digits). */
  private static final long MIN_FAST_MS = -62_167_219_200_000L; // 0000-01-01T00:00:00Z
  private static final long MAX_FAST_MS = 253_402_300_800_000L; // 10000-01-01T00:00:00Z

  /**
   * Writes what {@link #format} returns as ASCII into {@code out} from {@code at} (at most 24 bytes) and returns
   * the bytes written, or -1 for a year outside 0000-9999 (nothing written). No {@code java.time} on this path:
   * every event carries several of these.
   */
  public static int formatTo(long epochMs, byte[] out, int at) {
    if (epochMs < MIN_FAST_MS || epochMs >= MAX_FAST_MS) {
      return -1;
    }
    long days = Math.floorDiv(epochMs, 86_400_000L);
    int msOfDay = (int) (epochMs - days * 86_400_000L);
    // civil date from days since 1970-01-01 (proleptic Gregorian; eras of 400 years)
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    int doe = (int) (z - era * 146_097);
    int yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int day = doy - (153 * mp + 2) / 5 + 1;
    int month = mp < 10 ? mp + 3 : mp - 9;
    int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
    int i = at;
    i = two(out, i, year / 100);
    i = two(out, i, year % 100);
    out[i++] = '-';
    i = two(out, i, month);
    out[i++] = '-';
    i = two(out, i, day);
    out[i++] = 'T';
    int secs = msOfDay / 1000;
    i = two(out, i, secs / 3600);
    out[i++] = ':';
    i = two(out, i, secs / 60 % 60);
    out[i++] = ':';
    i = two(out, i, secs % 60);
    int ms = msOfDay % 1000;
    if (ms != 0) {
      out[i++] = '.';
      out[i++] = (byte) ('0' + ms / 100);
      i = two(out, i, ms % 100);
    }
    out[i++] = 'Z';
    return i - at;
  }

  private static int two(byte[] out, int i, int v) {
    out[i] = (byte) ('0' + v / 10);
    out[i + 1] = (byte) ('0' + v % 10);
    return i + 2;
  }

  /** The value of {@code n} decimal digits at {@code at}, or -1 when one is not a digit. */
  private static int digits(byte[] b, int at, int n) {
    int v = 0;
    for (int k = at; k < at + n; k++) {
      byte c = b[k];
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static int daysInMonth(int year, int month) {
    switch (month) {
      case 2:
        return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4: case 6: case 9: case 11:
        return 30;
      default:
        return 31;
    }
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (years 0..9999 here, so no negative eras). */
  private static long epochDay(int year, int month, int day) {
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long doy = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146_097 + doe - 719_468;
  }

  static FrameException bad(String text) {
    return new FrameException(Reason.BAD_TIMESTAMP, "not an ISO-8601 date-time with zone: "
        + io.fleetgate.protocol.StateRules.quote(text));
  }
}
