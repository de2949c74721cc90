package io.fleetgate.protocol.json;

import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.FrameException.Reason;
import io.fleetgate.protocol.StateRules;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One JSON state frame, UTF-8 bytes to a validated {@link StateFrame} in a single pass, reading a {@code byte[]}
 * or a {@link ByteBuf} in place (absolute reads, indices untouched). One instance per frame; not thread-safe.
 *
 * <p>It is a strict RFC 8259 parser for everything it accepts, and it rejects in the same order and with the same
 * {@link Reason} as the Jackson streaming decoder it replaced, because it tokenizes the way that parser does:
 * reading a key also reads the first token of its value (a number or literal completely, a string only up to its
 * opening quote), and a string's content is validated only when the decoder uses it. Every structure the decoder
 * does not expect is rejected where it starts, so nesting is bounded by the frame's shape (at most 4 levels).
 *
 * <p>Decisions (each only changes which reason a frame that is rejected anyway gets):
 * <ul>
 *   <li>Names and labels written with escapes decode first: {@code "&#92;u0064oors"} is {@code doors}.</li>
 *   <li>Only UTF-8 (an initial UTF-8 byte order mark is skipped, as before); invalid UTF-8 anywhere it is read
 *       (overlong forms, encoded surrogates, code points above U+10FFFF, stray continuation bytes) and a
 *       {@code &#92;u} escape of an unpaired surrogate are {@code malformed_json}. Jackson accepted some of those
 *       and then rejected the frame for the unknown name or label.</li>
 *   <li>No UTF-16/32 detection (Jackson guessed those from NUL bytes at the start; the contract is UTF-8).</li>
 *   <li>Jackson's stream limits are kept where a frame can reach them: a number of more than 1000 digits is
 *       {@code malformed_json}. Its 50 000-character name limit is not (an unknown name is rejected anyway).</li>
 * </ul>
 */
final class JsonFrameReader {
  /** Marks readings decoded before {@code ts} was seen; never a valid timestamp (those are ≥ 0). */
  static final long UNSET = Long.MIN_VALUE;
  /** Jackson's default {@code StreamReadConstraints.maxNumberLength}. */
  private static final int MAX_NUMBER_DIGITS = 1000;

  // ---- token kinds of a value -----------------------------------------------------------------------------
  private static final int T_STRING = 1;
  private static final int T_INT = 2;
  private static final int T_FLOAT = 3;
  private static final int T_TRUE = 4;
  private static final int T_FALSE = 5;
  private static final int T_NULL = 6;
  private static final int T_OBJECT = 7;
  private static final int T_ARRAY = 8;
  private static final String[] TOKEN_NAMES = {null, "VALUE_STRING", "VALUE_NUMBER_INT", "VALUE_NUMBER_FLOAT",
      "VALUE_TRUE", "VALUE_FALSE", "VALUE_NULL", "START_OBJECT", "START_ARRAY"};

  // ---- names the frame knows; a property's id is NAME_PROPERTY + ordinal -----------------------------------
  static final int NAME_END = -1;
  static final int NAME_UNKNOWN = 0;
  static final int NAME_TS = 1;
  static final int NAME_SEQ = 2;
  static final int NAME_STATE = 3;
  static final int NAME_VALUE = 4;
  static final int NAME_TIMESTAMP = 5;
  static final int NAME_LAT = 6;
  static final int NAME_LON = 7;
  static final int NAME_PROPERTY = 8;
  private static final byte[][] NAMES;
  /** Length → ids of the names of that length (at most 3 share one). */
  private static final int[][] BY_LENGTH;

  static {
    List<String> names = new ArrayList<>(List.of("", "ts", "seq", "state", "value", "timestamp", "lat", "lon"));
    for (Property p : Property.values()) {
      names.add(p.jsonName);
    }
    NAMES = new byte[names.size()][];
    int max = 0;
    for (int id = 1; id < names.size(); id++) {
      NAMES[id] = names.get(id).getBytes(StandardCharsets.US_ASCII);
      max = Math.max(max, NAMES[id].length);
    }
    BY_LENGTH = new int[max + 1][];
    for (int len = 0; len <= max; len++) {
      int n = 0;
      int[] ids = new int[names.size()];
      for (int id = 1; id < names.size(); id++) {
        if (NAMES[id].length == len) {
          ids[n++] = id;
        }
      }
      BY_LENGTH[len] = java.util.Arrays.copyOf(ids, n);
    }
  }

  /** Exact powers of ten as doubles (10^22 is the largest). */
  private static final double[] POW10 = new double[23];

  static {
    double p = 1;
    for (int i = 0; i < POW10.length; i++) {
      POW10[i] = p;
      p *= 10;
    }
  }

  // ---- input ---------------------------------------------------------------------------------------------
  /** The bytes when the input has an array, else null and {@link #buf} is read. Positions index this. */
  private final byte[] arr;
  private final ByteBuf buf;
  private final int start;
  private final int end;
  private int pos;

  // ---- the current value token ---------------------------------------------------------------------------
  private int tok;
  /** String: first content byte; number: first byte ('-' or digit). */
  private int tokStart;
  /** String: the closing quote once scanned, else -1; number: one past its last byte. */
  private int tokEnd;
  /** String: whether its content holds an escape (then it is decoded before use). */
  private boolean tokEscaped;
  private int intLen;
  private int fracLen;
  private int expLen;
  /** Where the last name started (its first content byte) and ended (its closing quote), for messages. */
  private int nameStart;
  private int nameEnd;
  private boolean nameEscaped;
  /** Decoded escaped strings: ASCII as is, every other code point as one 0xFF byte. Allocated on demand. */
  private byte[] scratch;

  private JsonFrameReader(byte[] arr, ByteBuf buf, int start, int length) {
    this.arr = arr;
    this.buf = buf;
    this.start = start;
    this.end = start + length;
    this.pos = start;
  }

  static StateFrame decode(byte[] bytes, int offset, int length, long nowMs) {
    java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
    return new JsonFrameReader(bytes, null, offset, length).frame(nowMs);
  }

  static StateFrame decode(ByteBuf buf, int index, int length, long nowMs) {
    java.util.Objects.checkFromIndexSize(index, length, buf.capacity());
    if (buf.hasArray()) {
      return new JsonFrameReader(buf.array(), null, buf.arrayOffset() + index, length).frame(nowMs);
    }
    return new JsonFrameReader(null, buf, index, length).frame(nowMs);
  }

  /** The byte at position {@code i} (signed). */
  private int at(int i) {
    byte[] a = arr;
    return a != null ? a[i] : buf.getByte(i);
  }

  // ---- the frame -----------------------------------------------------------------------------------------

  private StateFrame frame(long nowMs) {
    if (end - pos >= 3 && at(pos) == (byte) 0xEF && at(pos + 1) == (byte) 0xBB && at(pos + 2) == (byte) 0xBF) {
      pos += 3; // a UTF-8 byte order mark
    }
    int c = skipWsOrEnd();
    if (c < 0) {
      throw new FrameException(Reason.EMPTY, "no JSON value in " + (end - start) + " bytes");
    }
    if (c != '{') {
      valueToken(c, true);
      throw new FrameException(Reason.MALFORMED_JSON, "a state frame is a JSON object, not " + TOKEN_NAMES[tok]);
    }
    long ts = UNSET;
    long seq = StateFrame.NO_SEQ;
    ArrayList<Reading> readings = null;
    boolean first = true;
    for (int key; (key = nextName(first)) != NAME_END; first = false) {
      switch (key) {
        case NAME_TS:
          if (ts != UNSET) {
            throw JsonStateDecoder.duplicate("ts");
          }
          ts = timestamp(nowMs, null);
          break;
        case NAME_SEQ:
          if (seq != StateFrame.NO_SEQ) {
            throw JsonStateDecoder.duplicate("seq");
          }
          seq = seq();
          break;
        case NAME_STATE:
          if (readings != null) {
            throw JsonStateDecoder.duplicate("state");
          }
          readings = state(ts, nowMs);
          break;
        default:
          throw new FrameException(Reason.UNKNOWN_FIELD, "unknown key " + StateRules.quote(nameText()));
      }
    }
    c = skipWsOrEnd();
    if (c >= 0) {
      valueToken(c, true);
      throw new FrameException(Reason.TRAILING_BYTES, "content after the frame object at offset " + (pos - start));
    }
    if (ts == UNSET) {
      throw new FrameException(Reason.MISSING_FIELD, "ts");
    }
    if (readings == null) {
      throw new FrameException(Reason.MISSING_FIELD, "state");
    }
    for (int i = 0, n = readings.size(); i < n; i++) {
      Reading r = readings.get(i);
      if (r.timestampMs() == UNSET) {
        readings.set(i, new Reading(r.property(), ts, r.value()));
      }
    }
    return new StateFrame(ts, seq, Collections.unmodifiableList(readings), 0);
  }

  private ArrayList<Reading> state(long defaultTs, long nowMs) {
    if (tok != T_OBJECT) {
      throw new FrameException(Reason.WRONG_TYPE, "state must be an object, not " + TOKEN_NAMES[tok]);
    }
    ArrayList<Reading> out = new ArrayList<>(8);
    int seen = 0;
    boolean first = true;
    for (int key; (key = nextName(first)) != NAME_END; first = false) {
      if (key < NAME_PROPERTY) {
        throw new FrameException(Reason.UNKNOWN_PROPERTY, StateRules.quote(nameText()));
      }
      Property prop = Property.byOrdinal(key - NAME_PROPERTY);
      if ((seen & prop.bit) != 0) {
        throw JsonStateDecoder.duplicate(prop.jsonName);
      }
      seen |= prop.bit;
      out.add(reading(prop, defaultTs, nowMs));
    }
    return out;
  }

  /** A bare value, a bare position object, or a {@code {"value": …, "timestamp": …}} wrapper. */
  private Reading reading(Property prop, long defaultTs, long nowMs) {
    if (tok != T_OBJECT) {
      return new Reading(prop, defaultTs, bare(prop));
    }
    int key = nextName(true);
    if (prop.kind == Property.Kind.POSITION && (key == NAME_LAT || key == NAME_LON)) {
      return new Reading(prop, defaultTs, position(prop, key));
    }
    Object value = null;
    long ts = defaultTs;
    boolean hasTs = false;
    for (; key != NAME_END; key = nextName(false)) {
      if (key == NAME_VALUE) {
        if (value != null) {
          throw JsonStateDecoder.duplicate(prop.jsonName + ".value");
        }
        value = bare(prop);
      } else if (key == NAME_TIMESTAMP) {
        if (hasTs) {
          throw JsonStateDecoder.duplicate(prop.jsonName + ".timestamp");
        }
        ts = timestamp(nowMs, prop);
        hasTs = true;
      } else {
        throw new FrameException(Reason.UNKNOWN_FIELD, prop.jsonName + " has unknown key " + StateRules.quote(nameText()));
      }
    }
    if (value == null) {
      throw new FrameException(Reason.MISSING_FIELD, prop.jsonName + ".value");
    }
    return new Reading(prop, ts, value);
  }

  /** The value of the current token: a number, label, boolean or (for position) a {lat, lon} object. */
  private Object bare(Property prop) {
    switch (prop.kind) {
      case NUMBER:
        if (tok != T_INT && tok != T_FLOAT) {
          throw wrongType(prop, "a number");
        }
        return StateRules.number(prop, doubleValue());
      case ENUM:
        if (tok != T_STRING) {
          throw wrongType(prop, "\"" + prop.oneLabel + "\" or \"" + prop.zeroLabel + "\"");
        }
        return label(prop);
      case BOOLEAN:
        if (tok == T_TRUE) {
          return Boolean.TRUE;
        }
        if (tok == T_FALSE) {
          return Boolean.FALSE;
        }
        throw wrongType(prop, "true or false");
      case POSITION:
        if (tok != T_OBJECT) {
          throw wrongType(prop, "an object {lat, lon}");
        }
        return position(prop, nextName(true));
      default:
        throw new IllegalStateException(prop.kind.name());
    }
  }

  /** The rest of a position object whose first key ({@code key}, may be NAME_END) has been read. */
  private io.fleetgate.vehicle.Position position(Property prop, int key) {
    double lat = Double.NaN;
    double lon = Double.NaN;
    for (; key != NAME_END; key = nextName(false)) {
      boolean isLat = key == NAME_LAT;
      if (!isLat && key != NAME_LON) {
        throw new FrameException(Reason.UNKNOWN_FIELD, prop.jsonName + " has unknown key " + StateRules.quote(nameText()));
      }
      String name = isLat ? "lat" : "lon";
      if (!Double.isNaN(isLat ? lat : lon)) {
        throw JsonStateDecoder.duplicate(prop.jsonName + "." + name);
      }
      if (tok != T_INT && tok != T_FLOAT) {
        throw new FrameException(Reason.WRONG_TYPE, prop.jsonName + "." + name + " must be a number, not " + TOKEN_NAMES[tok]);
      }
      if (isLat) {
        lat = doubleValue();
      } else {
        lon = doubleValue();
      }
    }
    if (Double.isNaN(lat) || Double.isNaN(lon)) {
      throw new FrameException(Reason.MISSING_FIELD, prop.jsonName + (Double.isNaN(lat) ? ".lat" : ".lon"));
    }
    return StateRules.position(prop, lat, lon);
  }

  /** The canonical label instance; compared on the bytes, so a valid label allocates nothing. */
  private String label(Property prop) {
    scanString();
    String one = prop.oneLabel;
    String zero = prop.zeroLabel;
    if (tokEscaped) {
      int n = decodeInto(tokStart, tokEnd);
      if (sameAscii(one, scratch, 0, n)) {
        return one;
      }
      if (sameAscii(zero, scratch, 0, n)) {
        return zero;
      }
    } else {
      if (same(one, tokStart, tokEnd)) {
        return one;
      }
      if (same(zero, tokStart, tokEnd)) {
        return zero;
      }
    }
    throw new FrameException(Reason.OUT_OF_RANGE, prop.jsonName + " "
        + StateRules.quote(text(tokStart, tokEnd, tokEscaped)) + " is neither " + one + " nor " + zero);
  }

  /**
   * An ISO-8601 string with zone or a non-negative integer of epoch milliseconds, not in the future. {@code prop}
   * names the wrapper it is the {@code timestamp} of, null for the frame's {@code ts}.
   */
  private long timestamp(long nowMs, Property prop) {
    long ts;
    if (tok == T_STRING) {
      scanString();
      if (arr != null && !tokEscaped) {
        ts = Iso8601.parseOrInvalid(arr, tokStart, tokEnd - tokStart);
      } else {
        int n = tokEscaped ? decodeInto(tokStart, tokEnd) : copyInto(tokStart, tokEnd);
        ts = Iso8601.parseOrInvalid(scratch, 0, n);
      }
      if (ts == Iso8601.INVALID) {
        throw Iso8601.bad(text(tokStart, tokEnd, tokEscaped));
      }
    } else if (tok == T_INT) {
      if (!fitsLong()) {
        throw new FrameException(Reason.BAD_TIMESTAMP, where(prop) + " epoch milliseconds too large");
      }
      ts = longValue();
    } else if (tok == T_FLOAT) {
      throw new FrameException(Reason.BAD_TIMESTAMP, where(prop) + " epoch milliseconds must be an integer");
    } else {
      throw new FrameException(Reason.WRONG_TYPE, where(prop) + " must be an ISO-8601 string or epoch milliseconds");
    }
    if (ts < 0 || ts > nowMs + StateRules.MAX_FUTURE_SKEW_MS) {
      StateRules.timestamp(ts, nowMs, where(prop)); // throws
    }
    return ts;
  }

  private static String where(Property prop) {
    return prop == null ? "ts" : prop.jsonName + ".timestamp";
  }

  private long seq() {
    if (tok != T_INT) {
      throw new FrameException(Reason.WRONG_TYPE, "seq must be a non-negative integer");
    }
    if (!fitsLong()) {
      throw new FrameException(Reason.OUT_OF_RANGE, "seq too large");
    }
    return StateRules.seq(longValue());
  }

  private FrameException wrongType(Property prop, String expected) {
    return new FrameException(Reason.WRONG_TYPE, prop.jsonName + " must be " + expected + ", not " + TOKEN_NAMES[tok]);
  }

  // ---- tokens --------------------------------------------------------------------------------------------

  /**
   * The next key of the current object and the first token of its value, or {@link #NAME_END} at its closing
   * brace. {@code first}: no comma before this key.
   */
  private int nextName(boolean first) {
    int c = skipWsOrEnd();
    if (c < 0) {
      throw malformed("end of input inside an object");
    }
    if (c == '}') {
      return NAME_END;
    }
    if (!first) {
      if (c != ',') {
        throw unexpected(c, pos - 1, "a comma or '}'");
      }
      c = skipWs();
    }
    if (c != '"') {
      throw unexpected(c, pos - 1, "a double-quoted name");
    }
    int s = pos;
    int e = s;
    boolean escaped = false;
    // names are short ASCII: scan for the quote, leave escapes and other bytes to the careful path
    e = plainRun(e);
    if (e >= end) {
      throw malformed("end of input inside a name");
    }
    if (at(e) != '"') {
      e = scanStringSlow(s, e);
      escaped = scannedEscape;
    }
    pos = e + 1;
    nameStart = s;
    nameEnd = e;
    nameEscaped = escaped;
    int id;
    if (escaped) {
      int n = decodeInto(s, e);
      id = matchName(scratch, n);
    } else {
      id = matchName(s, e - s);
    }
    c = skipWs();
    if (c != ':') {
      throw unexpected(c, pos - 1, "a colon after the name");
    }
    valueToken(skipWs(), false);
    return id;
  }

  /** Reads the token that starts with {@code c} (already consumed), as far as it is read eagerly. */
  private void valueToken(int c, boolean root) {
    switch (c) {
      case '"':
        tok = T_STRING;
        tokStart = pos;
        tokEnd = -1;
        return;
      case '{':
        tok = T_OBJECT;
        return;
      case '[':
        tok = T_ARRAY;
        return;
      case 't':
        literal("true");
        tok = T_TRUE;
        return;
      case 'f':
        literal("false");
        tok = T_FALSE;
        return;
      case 'n':
        literal("null");
        tok = T_NULL;
        return;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          number(c, root);
          return;
        }
        throw unexpected(c, pos - 1, "a JSON value");
    }
  }

  /** The rest of {@code word} (its first letter consumed); a letter or digit right after it is an error. */
  private void literal(String word) {
    for (int k = 1; k < word.length(); k++) {
      if (pos >= end || at(pos) != word.charAt(k)) {
        throw malformed("unrecognized token at offset " + (pos - start - k) + ", expected " + word);
      }
      pos++;
    }
    if (pos < end) {
      int c = at(pos) & 0xFF;
      if (c >= '0' && c != ']' && c != '}' && Character.isJavaIdentifierPart((char) charForError(pos))) {
        throw malformed("unrecognized token '" + word + "…' at offset " + (pos - start - word.length()));
      }
    }
  }

  /** The (truncated) character starting at {@code i}, decoded loosely as UTF-8, for the check after a literal. */
  private int charForError(int i) {
    int c = at(i) & 0xFF;
    if (c < 0x80) {
      return c;
    }
    int needed;
    if ((c & 0xE0) == 0xC0) {
      c &= 0x1F;
      needed = 1;
    } else if ((c & 0xF0) == 0xE0) {
      c &= 0x0F;
      needed = 2;
    } else if ((c & 0xF8) == 0xF0) {
      c &= 0x07;
      needed = 3;
    } else {
      throw malformed("invalid UTF-8 start byte at offset " + (i - start));
    }
    for (int k = 1; k <= needed; k++) {
      if (i + k >= end) {
        throw malformed("end of input inside a UTF-8 sequence");
      }
      int d = at(i + k);
      if ((d & 0xC0) != 0x80) {
        throw malformed("invalid UTF-8 continuation byte at offset " + (i + k - start));
      }
      c = (c << 6) | (d & 0x3F);
    }
    return c;
  }

  /** A number per the JSON grammar; {@code c} ('-' or a digit) consumed. */
  private void number(int c, boolean root) {
    tokStart = pos - 1;
    if (c == '-') {
      if (pos >= end) {
        throw malformed("end of input after '-'");
      }
      c = at(pos++);
      if (c < '0' || c > '9') {
        throw unexpected(c, pos - 1, "a digit after '-' (no NaN or Infinity)");
      }
    }
    if (c == '0' && pos < end && isDigit(at(pos))) {
      throw malformed("leading zero at offset " + (pos - 1 - start));
    }
    int d = digits(pos);
    int n = 1 + d - pos;
    pos = d;
    intLen = n;
    fracLen = 0;
    expLen = 0;
    boolean isFloat = false;
    if (pos < end && at(pos) == '.') {
      pos++;
      d = digits(pos);
      n = d - pos;
      pos = d;
      if (n == 0) {
        throw malformed("decimal point not followed by a digit at offset " + (pos - start));
      }
      fracLen = n;
      isFloat = true;
    }
    if (pos < end && (at(pos) | 0x20) == 'e') {
      pos++;
      if (pos < end && (at(pos) == '+' || at(pos) == '-')) {
        pos++;
      }
      d = digits(pos);
      n = d - pos;
      pos = d;
      if (n == 0) {
        throw malformed("exponent not followed by a digit at offset " + (pos - start));
      }
      expLen = n;
      isFloat = true;
    }
    tokEnd = pos;
    if (root && pos < end) {
      int b = at(pos);
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        throw unexpected(b, pos, "white space after a top-level number");
      }
    }
    if (intLen + fracLen + expLen > MAX_NUMBER_DIGITS) {
      throw malformed("number of more than " + MAX_NUMBER_DIGITS + " digits");
    }
    tok = isFloat ? T_FLOAT : T_INT;
  }

  private static boolean isDigit(int b) {
    return b >= '0' && b <= '9';
  }

  /** Whether the current integer token fits a long. */
  private boolean fitsLong() {
    if (intLen < 19) {
      return true;
    }
    if (intLen > 19) {
      return false;
    }
    boolean neg = at(tokStart) == '-';
    String limit = neg ? "9223372036854775808" : "9223372036854775807";
    int d = neg ? tokStart + 1 : tokStart;
    for (int k = 0; k < 19; k++) {
      int x = at(d + k);
      char y = limit.charAt(k);
      if (x != y) {
        return x < y;
      }
    }
    return true;
  }

  /** The current integer token, which {@link #fitsLong() fits}; accumulated negatively to reach Long.MIN_VALUE. */
  private long longValue() {
    int i = tokStart;
    boolean neg = at(i) == '-';
    if (neg) {
      i++;
    }
    long v = 0;
    for (; i < tokEnd; i++) {
      v = v * 10 - (at(i) - '0');
    }
    return neg ? v : -v;
  }

  /** The current number token as the double Double.parseDouble gives for its text. */
  private double doubleValue() {
    int digits = intLen + fracLen;
    if (digits <= 18 && expLen <= 3) {
      int i = tokStart;
      boolean neg = at(i) == '-';
      if (neg) {
        i++;
      }
      long m = 0;
      for (int k = 0; k < intLen; k++, i++) {
        m = m * 10 + (at(i) - '0');
      }
      if (fracLen > 0) {
        i++; // '.'
        for (int k = 0; k < fracLen; k++, i++) {
          m = m * 10 + (at(i) - '0');
        }
      }
      int exp10 = -fracLen;
      if (expLen > 0) {
        i++; // 'e'
        boolean expNeg = false;
        int s = at(i);
        if (s == '-' || s == '+') {
          expNeg = s == '-';
          i++;
        }
        int e = 0;
        for (; i < tokEnd; i++) {
          e = e * 10 + (at(i) - '0');
        }
        exp10 += expNeg ? -e : e;
      }
      // Exact m (< 2^53) and an exact power of ten: one correctly rounded operation, as parseDouble rounds.
      if (m <= (1L << 53) && exp10 >= -22 && exp10 <= 22) {
        double v = exp10 >= 0 ? m * POW10[exp10] : m / POW10[-exp10];
        return neg ? -v : v;
      }
    }
    return Double.parseDouble(text(tokStart, tokEnd, false));
  }

  // ---- strings -------------------------------------------------------------------------------------------

  /** Finds the closing quote of the current string token (once), validating escapes and UTF-8. */
  private void scanString() {
    if (tokEnd >= 0) {
      return;
    }
    int e = tokStart;
    boolean escaped = false;
    e = plainRun(e);
    if (e >= end) {
      throw malformed("end of input inside a string");
    }
    if (at(e) != '"') {
      e = scanStringSlow(tokStart, e);
      escaped = scannedEscape;
    }
    tokEnd = e;
    tokEscaped = escaped;
    pos = e + 1;
  }

  /**
   * The first position from {@code i} that holds a quote, a backslash, a control character or a non-ASCII byte,
   * or {@link #end}: the run of string content that needs no decoding. The hot loop of the decoder.
   */
  private int plainRun(int i) {
    byte[] a = arr;
    int e = end;
    if (a != null) {
      while (i < e) {
        byte b = a[i];
        if (b == '"' || b == '\\' || b < 0x20) { // negative: not ASCII
          return i;
        }
        i++;
      }
      return i;
    }
    while (i < e) {
      byte b = buf.getByte(i);
      if (b == '"' || b == '\\' || b < 0x20) {
        return i;
      }
      i++;
    }
    return i;
  }

  /** The first position from {@code i} that does not hold a decimal digit, or {@link #end}. */
  private int digits(int i) {
    byte[] a = arr;
    int e = end;
    if (a != null) {
      while (i < e && a[i] >= '0' && a[i] <= '9') {
        i++;
      }
      return i;
    }
    while (i < e && isDigit(buf.getByte(i))) {
      i++;
    }
    return i;
  }

  /** Set by {@link #scanStringSlow}: whether the string held an escape. */
  private boolean scannedEscape;

  /**
   * The closing quote of the string whose content starts at {@code s}, continuing at {@code i} (everything before
   * is plain ASCII), with full validation of escapes and UTF-8.
   */
  private int scanStringSlow(int s, int i) {
    boolean escaped = false;
    while (true) {
      if (i >= end) {
        throw malformed("end of input inside a string");
      }
      int b = at(i) & 0xFF;
      if (b == '"') {
        scannedEscape = escaped;
        return i;
      }
      if (b == '\\') {
        escaped = true;
        i = escape(i, null, 0);
      } else if (b < 0x20) {
        throw malformed("unescaped control character 0x" + Integer.toHexString(b) + " in a string at offset " + (i - start));
      } else if (b < 0x80) {
        i++;
      } else {
        i = utf8(i);
      }
    }
  }

  /**
   * Validates the escape at {@code i} (a backslash) and returns the position after it; with {@code out}, also
   * writes its decoded form there at {@code o} (see {@link #scratch}) and keeps the new length in {@link #decoded}.
   */
  private int escape(int i, byte[] out, int o) {
    if (i + 1 >= end) {
      throw malformed("end of input inside an escape");
    }
    int c = at(i + 1);
    int ch;
    switch (c) {
      case '"': case '\\': case '/':
        ch = c;
        break;
      case 'b':
        ch = '\b';
        break;
      case 'f':
        ch = '\f';
        break;
      case 'n':
        ch = '\n';
        break;
      case 'r':
        ch = '\r';
        break;
      case 't':
        ch = '\t';
        break;
      case 'u': {
        ch = hex4(i + 2);
        if (ch >= 0xD800 && ch <= 0xDBFF) {
          if (i + 7 >= end || at(i + 6) != '\\' || at(i + 7) != 'u') {
            throw malformed("unpaired surrogate escape at offset " + (i - start));
          }
          int low = hex4(i + 8);
          if (low < 0xDC00 || low > 0xDFFF) {
            throw malformed("unpaired surrogate escape at offset " + (i - start));
          }
          if (out != null) {
            out[o++] = (byte) 0xFF;
            decoded = o;
          }
          return i + 12;
        }
        if (ch >= 0xDC00 && ch <= 0xDFFF) {
          throw malformed("unpaired surrogate escape at offset " + (i - start));
        }
        if (out != null) {
          out[o++] = ch < 0x80 ? (byte) ch : (byte) 0xFF;
          decoded = o;
        }
        return i + 6;
      }
      default:
        throw malformed("invalid escape at offset " + (i - start));
    }
    if (out != null) {
      out[o++] = (byte) ch;
      decoded = o;
    }
    return i + 2;
  }

  private int decoded;

  private int hex4(int i) {
    if (i + 4 > end) {
      throw malformed("end of input inside a \\u escape");
    }
    int v = 0;
    for (int k = i; k < i + 4; k++) {
      int c = at(k);
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) {
        throw malformed("not a hex digit in a \\u escape at offset " + (k - start));
      }
      v = v << 4 | d;
    }
    return v;
  }

  /** Validates the UTF-8 sequence of a non-ASCII character at {@code i}; returns the position after it. */
  private int utf8(int i) {
    int b = at(i) & 0xFF;
    int n;
    int lo = 0x80;
    int hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      n = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 2;
      if (b == 0xE0) {
        lo = 0xA0; // no overlong forms
      } else if (b == 0xED) {
        hi = 0x9F; // no surrogates
      }
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 3;
      if (b == 0xF0) {
        lo = 0x90;
      } else if (b == 0xF4) {
        hi = 0x8F; // nothing above U+10FFFF
      }
    } else {
      throw malformed("invalid UTF-8 byte 0x" + Integer.toHexString(b) + " at offset " + (i - start));
    }
    if (i + n >= end) {
      throw malformed("end of input inside a UTF-8 sequence");
    }
    int c = at(i + 1) & 0xFF;
    if (c < lo || c > hi) {
      throw malformed("invalid UTF-8 sequence at offset " + (i - start));
    }
    for (int k = 2; k <= n; k++) {
      if ((at(i + k) & 0xC0) != 0x80) {
        throw malformed("invalid UTF-8 sequence at offset " + (i - start));
      }
    }
    return i + n + 1;
  }

  /**
   * Decodes the validated string content {@code [s, e)} into {@link #scratch} (ASCII as is, any other code point
   * as one 0xFF byte, which no name, label or timestamp contains); returns its length.
   */
  private int decodeInto(int s, int e) {
    byte[] out = scratch(e - s);
    int o = 0;
    for (int i = s; i < e; ) {
      int b = at(i) & 0xFF;
      if (b == '\\') {
        i = escape(i, out, o);
        o = decoded;
      } else if (b < 0x80) {
        out[o++] = (byte) b;
        i++;
      } else {
        out[o++] = (byte) 0xFF;
        i = utf8(i);
      }
    }
    return o;
  }

  /** Copies the plain ASCII-or-UTF-8 content {@code [s, e)} into {@link #scratch} (buffer input only). */
  private int copyInto(int s, int e) {
    byte[] out = scratch(e - s);
    buf.getBytes(s, out, 0, e - s);
    return e - s;
  }

  private byte[] scratch(int n) {
    if (scratch == null || scratch.length < n) {
      scratch = new byte[Math.max(64, n)];
    }
    return scratch;
  }

  /** The content {@code [s, e)} of a validated string as a String, for messages. */
  private String text(int s, int e, boolean escaped) {
    if (!escaped) {
      return arr != null ? new String(arr, s, e - s, StandardCharsets.UTF_8) : buf.toString(s, e - s, StandardCharsets.UTF_8);
    }
    StringBuilder sb = new StringBuilder(e - s);
    int i = s;
    while (i < e) {
      int b = at(i);
      if (b != '\\') {
        int run = i;
        while (i < e && at(i) != '\\') {
          i++;
        }
        sb.append(text(run, i, false));
        continue;
      }
      int c = at(i + 1);
      switch (c) {
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          sb.append((char) hex4(i + 2));
          i += 4;
        }
        default -> sb.append((char) c);
      }
      i += 2;
    }
    return sb.toString();
  }

  private String nameText() {
    return text(nameStart, nameEnd, nameEscaped);
  }

  // ---- names ---------------------------------------------------------------------------------------------

  /** The id of the name in the input at {@code [s, s+len)}, which holds no escapes. */
  private int matchName(int s, int len) {
    if (len >= BY_LENGTH.length) {
      return NAME_UNKNOWN;
    }
    int[] ids = BY_LENGTH[len];
    byte[] a = arr;
    outer:
    for (int id : ids) {
      byte[] name = NAMES[id];
      if (a != null) {
        if (!java.util.Arrays.equals(a, s, s + len, name, 0, len)) {
          continue;
        }
      } else {
        for (int k = 0; k < len; k++) {
          if (buf.getByte(s + k) != name[k]) {
            continue outer;
          }
        }
      }
      return id;
    }
    return NAME_UNKNOWN;
  }

  /** The id of the decoded name {@code b[0, len)}. */
  private static int matchName(byte[] b, int len) {
    if (len >= BY_LENGTH.length) {
      return NAME_UNKNOWN;
    }
    for (int id : BY_LENGTH[len]) {
      if (java.util.Arrays.equals(b, 0, len, NAMES[id], 0, len)) {
        return id;
      }
    }
    return NAME_UNKNOWN;
  }

  private boolean same(String ascii, int s, int e) {
    int len = e - s;
    if (ascii.length() != len) {
      return false;
    }
    for (int k = 0; k < len; k++) {
      if (at(s + k) != ascii.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameAscii(String ascii, byte[] b, int off, int len) {
    if (ascii.length() != len) {
      return false;
    }
    for (int k = 0; k < len; k++) {
      if (b[off + k] != ascii.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  // ---- white space and errors ----------------------------------------------------------------------------

  /** The next byte that is not JSON white space (consumed), or -1 at the end of the input. */
  private int skipWsOrEnd() {
    if (pos < end) {
      int b = at(pos) & 0xFF;
      if (b > ' ') {
        pos++;
        return b;
      }
    }
    while (pos < end) {
      int b = at(pos++) & 0xFF;
      if (b > ' ') {
        return b;
      }
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        throw unexpected(b, pos - 1, "white space or a token");
      }
    }
    return -1;
  }

  /** As {@link #skipWsOrEnd()}, but the end of the input is an error (inside an object). */
  private int skipWs() {
    int c = skipWsOrEnd();
    if (c < 0) {
      throw malformed("end of input inside an object");
    }
    return c;
  }

  private FrameException unexpected(int b, int at, String expected) {
    int c = b & 0xFF;
    String what = c >= 0x21 && c < 0x7F ? "'" + (char) c + "'" : "byte 0x" + Integer.toHexString(c);
    return malformed("unexpected " + what + " at offset " + (at - start) + ", expected " + expected);
  }

  private static FrameException malformed(String detail) {
    return new FrameException(Reason.MALFORMED_JSON, detail);
  }
}
