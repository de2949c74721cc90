package io.fleetgate.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fleetgate.protocol.FrameException.Reason;
import io.fleetgate.protocol.json.JacksonReferenceDecoder;
import io.fleetgate.protocol.json.JsonStateDecoder;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.StateFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hand-written JSON decoder against the Jackson decoder it replaced ({@link JacksonReferenceDecoder}): random
 * valid frames written in many legal ways (key order, white space, escaped keys and labels, number spellings, both
 * timestamp forms, wrappers), then random mutations of them. Both must return equal frames or both reject, with
 * the same reason except where the new decoder is documented to be stricter (invalid UTF-8 and unpaired
 * surrogate escapes are {@code malformed_json}; no UTF-16/32 guessing). Every input is decoded from a {@code byte[]} slice, a heap
 * {@link ByteBuf} and a direct one.
 */
class JsonDecoderDifferentialTest {
  static final long NOW = CodecFuzzTest.NOW;
  static final int SEEDS = 3_000;
  static final int MUTATIONS = 20;
  private static final Pattern SURROGATE_ESCAPE = Pattern.compile("(?i)\\\\ud[89a-f]");
  private static final String WS = " \t\n\r";
  /** Rejections with a different (documented) reason, for the log. */
  static final java.util.concurrent.atomic.AtomicInteger DEVIATIONS = new java.util.concurrent.atomic.AtomicInteger();

  /** The outcome of one decode: a frame, or the reason it was rejected. */
  record Outcome(StateFrame frame, Reason reason) {
    static Outcome of(java.util.function.Supplier<StateFrame> decode) {
      try {
        return new Outcome(decode.get(), null);
      } catch (FrameException e) {
        return new Outcome(null, e.reason());
      }
    }
  }

  // ---- writing frames in random legal ways -----------------------------------------------------------------

  static final class Writer {
    final Random rnd;
    final StringBuilder sb = new StringBuilder();
    final boolean spacey;

    Writer(Random rnd) {
      this.rnd = rnd;
      this.spacey = rnd.nextInt(3) == 0;
    }

    Writer ws() {
      if (spacey) {
        for (int n = rnd.nextInt(3); n > 0; n--) {
          sb.append(WS.charAt(rnd.nextInt(4)));
        }
      }
      return this;
    }

    Writer raw(String s) {
      sb.append(s);
      return this;
    }

    /** A JSON string whose characters are sometimes written as escapes. */
    Writer string(String s) {
      sb.append('"');
      int mode = rnd.nextInt(4); // 0: escape some characters
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          sb.append('\\').append(c);
        } else if (c < 0x20 || (mode == 0 && rnd.nextInt(4) == 0)) {
          String hex = String.format("%04x", (int) c);
          sb.append("\\u").append(rnd.nextBoolean() ? hex : hex.toUpperCase());
        } else {
          sb.append(c);
        }
      }
      sb.append('"');
      return this;
    }

    Writer key(String k) {
      return ws().string(k).ws().raw(":").ws();
    }
  }

  /** A number whose value is near {@code v}, spelled as integer, decimal or with an exponent. */
  static String number(Random rnd, double v) {
    switch (rnd.nextInt(8)) {
      case 0:
        return Long.toString(Math.round(v));
      case 1:
        return Double.toString(v); // may be 1.0E7 style
      case 2: {
        java.math.BigDecimal d = new java.math.BigDecimal(v);
        return d.toPlainString(); // the exact binary value: many digits
      }
      case 3: {
        int shift = rnd.nextInt(5);
        java.math.BigDecimal d = java.math.BigDecimal.valueOf(v).movePointLeft(shift);
        return d.toPlainString() + (rnd.nextBoolean() ? "e" : "E") + (rnd.nextBoolean() ? "+" : "") + shift;
      }
      case 4: {
        int shift = rnd.nextInt(4);
        java.math.BigDecimal d = java.math.BigDecimal.valueOf(v).movePointRight(shift);
        return d.toPlainString() + "e-" + shift;
      }
      case 5:
        return v == 0 ? (rnd.nextBoolean() ? "-0" : "-0.0") : String.format(java.util.Locale.ROOT, "%.3f", v);
      case 6: {
        // random digits: anything the grammar allows, in range or not
        StringBuilder s = new StringBuilder();
        if (rnd.nextInt(5) == 0) {
          s.append('-');
        }
        int intDigits = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 25 : 4);
        s.append(intDigits == 1 ? (char) ('0' + rnd.nextInt(10)) : (char) ('1' + rnd.nextInt(9)));
        for (int i = 1; i < intDigits; i++) {
          s.append((char) ('0' + rnd.nextInt(10)));
        }
        if (rnd.nextBoolean()) {
          s.append('.');
          for (int i = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 30 : 8); i > 0; i--) {
            s.append((char) ('0' + rnd.nextInt(10)));
          }
        }
        if (rnd.nextInt(4) == 0) {
          s.append(rnd.nextBoolean() ? 'e' : 'E').append(rnd.nextBoolean() ? "-" : rnd.nextBoolean() ? "+" : "");
          s.append(rnd.nextInt(rnd.nextBoolean() ? 30 : 400));
        }
        return s.toString();
      }
      default:
        return StateJsonLike.plain(v);
    }
  }

  /** Shortest round-trip text, whole numbers without ".0" (what StateJson writes). */
  static final class StateJsonLike {
    static String plain(double v) {
      return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
  }

  static String timestamp(Random rnd, long ms) {
    switch (rnd.nextInt(4)) {
      case 0:
        return Long.toString(ms);
      case 1: {
        ZoneOffset off = ZoneOffset.ofTotalSeconds((rnd.nextInt(73) - 36) * 30 * 60 / 2 * 2);
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(ms), off).toString();
      }
      case 2:
        return Instant.ofEpochMilli(ms).toString().replace('T', 't').replace('Z', 'z');
      default:
        return Instant.ofEpochMilli(ms).toString();
    }
  }

  static void writeTimestamp(Writer w, Random rnd, long ms) {
    String t = timestamp(rnd, ms);
    if (Character.isDigit(t.charAt(t.length() - 1)) && t.indexOf('-') < 0) {
      w.raw(t);
    } else {
      w.string(t);
    }
  }

  static void writeValue(Writer w, Random rnd, Property p, Object v) {
    switch (p.kind) {
      case POSITION -> {
        io.fleetgate.vehicle.Position pos = (io.fleetgate.vehicle.Position) v;
        List<String> keys = new ArrayList<>(List.of("lat", "lon"));
        Collections.shuffle(keys, rnd);
        w.raw("{");
        for (int i = 0; i < 2; i++) {
          if (i > 0) {
            w.ws().raw(",");
          }
          w.key(keys.get(i)).raw(number(rnd, keys.get(i).equals("lat") ? pos.lat() : pos.lon()));
        }
        w.ws().raw("}");
      }
      case BOOLEAN -> w.raw(v.toString());
      case ENUM -> w.string((String) v);
      case NUMBER -> w.raw(number(rnd, (Double) v));
      default -> throw new AssertionError(p.kind);
    }
  }

  /** A random frame, written in a random legal way. */
  static byte[] randomJson(Random rnd) {
    StateFrame frame = CodecFuzzTest.randomFrame(rnd);
    Writer w = new Writer(rnd);
    List<String> top = new ArrayList<>(List.of("ts", "state"));
    if (rnd.nextBoolean()) {
      top.add("seq");
    }
    Collections.shuffle(top, rnd);
    w.ws().raw("{");
    for (int i = 0; i < top.size(); i++) {
      if (i > 0) {
        w.ws().raw(",");
      }
      String k = top.get(i);
      w.key(k);
      switch (k) {
        case "ts" -> writeTimestamp(w, rnd, frame.timestampMs() + (rnd.nextInt(50) == 0 ? 400_000 : 0));
        case "seq" -> w.raw(Long.toString(rnd.nextInt(20) == 0 ? -1 : frame.seq()));
        default -> {
          List<io.fleetgate.vehicle.Reading> rs = new ArrayList<>(frame.readings());
          Collections.shuffle(rs, rnd);
          w.raw("{");
          for (int j = 0; j < rs.size(); j++) {
            if (j > 0) {
              w.ws().raw(",");
            }
            Property p = rs.get(j).property();
            w.key(p.jsonName);
            int form = rnd.nextInt(5);
            if (form == 0) { // wrapper, keys in either order, own timestamp or not
              boolean tsFirst = rnd.nextBoolean();
              boolean ownTs = rnd.nextBoolean();
              w.raw("{");
              if (ownTs && tsFirst) {
                w.key("timestamp");
                writeTimestamp(w, rnd, frame.timestampMs() - rnd.nextInt(10_000));
                w.ws().raw(",");
              }
              w.key("value");
              writeValue(w, rnd, p, rs.get(j).value());
              if (ownTs && !tsFirst) {
                w.ws().raw(",").key("timestamp");
                writeTimestamp(w, rnd, frame.timestampMs() - rnd.nextInt(10_000));
              }
              w.ws().raw("}");
            } else {
              writeValue(w, rnd, p, rs.get(j).value());
            }
          }
          w.ws().raw("}");
        }
      }
    }
    w.ws().raw("}").ws();
    return w.sb.toString().getBytes(UTF_8);
  }

  // ---- comparing -------------------------------------------------------------------------------------------

  /** Jackson reads input with a NUL among its first two bytes as UTF-16 or UTF-32; the contract says UTF-8. */
  static boolean utf16Guess(byte[] b) {
    return b.length >= 2 && (b[0] == 0 || b[1] == 0);
  }

  static boolean strictUtf8(byte[] b) {
    try {
      UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** Decodes {@code json} with the reference and with the new decoder from every kind of input; returns the outcome. */
  static Outcome compare(byte[] json, Random rnd) {
    Outcome ref = Outcome.of(() -> JacksonReferenceDecoder.decode(json, NOW));
    // a slice of a larger array
    int pre = rnd.nextInt(4);
    byte[] padded = new byte[pre + json.length + rnd.nextInt(4)];
    Arrays.fill(padded, (byte) '{');
    System.arraycopy(json, 0, padded, pre, json.length);
    check(json, ref, Outcome.of(() -> JsonStateDecoder.decode(padded, pre, json.length, NOW)), "byte[]");
    ByteBuf heap = Unpooled.wrappedBuffer(padded);
    check(json, ref, Outcome.of(() -> JsonStateDecoder.decode(heap, pre, json.length, NOW)), "heap ByteBuf");
    ByteBuf direct = Unpooled.directBuffer(padded.length).writeBytes(padded);
    try {
      check(json, ref, Outcome.of(() -> JsonStateDecoder.decode(direct, pre, json.length, NOW)), "direct ByteBuf");
      assertEquals(0, direct.readerIndex());
      assertEquals(padded.length, direct.writerIndex());
    } finally {
      direct.release();
    }
    return ref;
  }

  static void check(byte[] json, Outcome ref, Outcome got, String input) {
    String what = input + " " + new String(json, UTF_8) + " (" + Hex.of(json) + ")";
    if (ref.frame() != null || got.frame() != null) {
      assertEquals(ref, got, what);
      Plausibility.check(got.frame(), NOW);
      return;
    }
    if (ref.reason() != got.reason()) {
      boolean documented = got.reason() == Reason.MALFORMED_JSON
          && (!strictUtf8(json) || SURROGATE_ESCAPE.matcher(new String(json, UTF_8)).find() || utf16Guess(json));
      DEVIATIONS.incrementAndGet();
      if (!documented) {
        fail("reference rejects as " + ref.reason() + ", new decoder as " + got.reason() + ": " + what);
      }
    }
  }

  @Test
  void validFramesDecodeExactlyAsTheReferenceDoes() {
    int accepted = 0;
    for (int seed = 0; seed < SEEDS; seed++) {
      Random rnd = new Random(seed);
      byte[] json = randomJson(rnd);
      if (compare(json, rnd).frame() != null) {
        accepted++;
      }
    }
    System.out.println("differential: " + accepted + " of " + SEEDS + " random frames accepted by both");
    assertTrue(accepted > SEEDS / 2, "most random frames should be valid: " + accepted);
  }

  @Test
  void mutantsAreRejectedOrAcceptedAlike() {
    int accepted = 0;
    int n = 0;
    for (int seed = 0; seed < SEEDS; seed++) {
      Random rnd = new Random(1_000_000 + seed);
      byte[] original = randomJson(rnd);
      byte[] bytes = original;
      for (int m = 0; m < MUTATIONS; m++) {
        bytes = rnd.nextInt(4) == 0 ? original : CodecFuzzTest.mutate(rnd, bytes);
        n++;
        if (compare(bytes, rnd).frame() != null) {
          accepted++;
        }
      }
    }
    System.out.println("differential: " + accepted + " of " + n + " mutants accepted by both; rejections with a"
        + " documented different reason so far: " + DEVIATIONS.get());
  }

  /** Hand-picked corners of the grammar and of the contract. */
  @Test
  void corners() {
    String[] frames = {
        "{\"ts\":1,\"state\":{}}", "\uFEFF{\"ts\":1,\"state\":{}}", " {\"ts\":1,\"state\":{}} \n",
        "{\"ts\":1,\"state\":{}} 7", "{\"ts\":1,\"state\":{}} 7x", "{\"ts\":1,\"state\":{}} \"x", "{\"ts\":1,\"state\":{}} tru",
        "{\"ts\":1,\"state\":{}} true", "{\"ts\":1,\"state\":{}} truex", "{\"ts\":1,\"state\":{}} ]", "{\"ts\":1,\"state\":{}},",
        "{\"ts\":1,\"state\":{\"central_lock\":truex}}", "{\"ts\":1,\"state\":{\"central_lock\":true:}}",
        "{\"ts\":1,\"state\":{\"central_lock\":true\u00e9}}", "{\"ts\":1,\"state\":{\"central_lock\":null_}}",
        "{\"ts\":1,\"state\":{\"driving_enabled\":true}}", "{\"ts\":1,\"state\":{\"driving_enabled\":false }}",
        "{\"ts\":01,\"state\":{}}", "{\"ts\":-0,\"state\":{}}", "{\"ts\":1e3,\"state\":{}}", "{\"ts\":1.,\"state\":{}}",
        "{\"ts\":.5,\"state\":{}}", "{\"ts\":+1,\"state\":{}}", "{\"ts\":NaN,\"state\":{}}", "{\"ts\":-Infinity,\"state\":{}}",
        "{\"ts\":9223372036854775807,\"state\":{}}", "{\"ts\":9223372036854775808,\"state\":{}}",
        "{\"ts\":-9223372036854775808,\"state\":{}}", "{\"ts\":-9223372036854775809,\"state\":{}}",
        "{\"ts\":1,\"seq\":4294967295,\"state\":{}}", "{\"ts\":1,\"seq\":9223372036854775808,\"state\":{}}",
        "{\"ts\":1,\"seq\":-0,\"state\":{}}", "{\"ts\":1,\"seq\":\"\\u0001,\"state\":{}}",
        "{\"ts\":1,\"state\":{\"altitude_in_meters\":-0}}", "{\"ts\":1,\"state\":{\"altitude_in_meters\":1E-400}}",
        "{\"ts\":1,\"state\":{\"altitude_in_meters\":0.1e1}}", "{\"ts\":1,\"state\":{\"altitude_in_meters\":123456789012345678901234567890e-25}}",
        "{\"ts\":1,\"state\":{\"altitude_in_meters\":9007199254740993}}", "{\"ts\":1,\"state\":{\"altitude_in_meters\":0.30000000000000004}}",
        "{\"ts\":1,\"state\":{\"altitude_in_meters\":1e}}", "{\"ts\":1,\"state\":{\"altitude_in_meters\":1e+}}",
        "{\"ts\":1,\"state\":{\"altitude_in_meters\":-}}", "{\"ts\":1,\"state\":{\"altitude_in_meters\":--1}}",
        "{\"ts\":1,\"state\":{\"altitude_in_meters\":1 }}", "{\"ts\":1,\"state\":{\"altitude_in_meters\":1x}}",
        "{\"ts\":1,\"state\":{\"\\u0063entral_lock\":\"\\u004cOCKED\"}}", "{\"ts\":1,\"state\":{\"central_lock\":\"LOCKED\\u0000\"}}",
        "{\"ts\":1,\"state\":{\"central_lock\":\"LOCK\\ED\"}}", "{\"ts\":1,\"state\":{\"central_lock\":\"\\uD83D\\uDE00\"}}",
        "{\"ts\":1,\"state\":{\"central_lock\":\"\\uD83D\"}}", "{\"ts\":1,\"state\":{\"central_lock\":\"\\uDE00x\"}}",
        "{\"ts\":1,\"state\":{\"central_lock\":\"\\u12\"}}", "{\"ts\":1,\"state\":{\"central_lock\":\"LOCKED\t\"}}",
        "{\"ts\":1,\"state\":{\"central_lock\":\"LOCKED\u007f\"}}", "{\"ts\":1,\"state\":{\"central_lock\":\"\u00c9\"}}",
        "{\"ts\":1,\"state\":{\"\u00e9\":1}}", "{\"ts\":1,\"state\":{\"a\\\"b\":1}}", "{\"ts\":1,\"state\":{\"\\/\":1}}",
        "{\"ts\":\"2026-11-21T10\\u003a15:30Z\",\"state\":{}}", "{\"ts\":\"2026-11-21T10:15:30\u00c9\",\"state\":{}}",
        "{\"ts\":1,\"state\":{\"position\":{\"lat\":1,\"lon\":2}}}", "{\"ts\":1,\"state\":{\"position\":{\"value\":{\"lon\":2,\"lat\":1}}}}",
        "{\"ts\":1,\"state\":{\"position\":{\"timestamp\":1,\"lat\":1}}}", "{\"ts\":1,\"state\":{\"position\":{\"lat\":1,\"value\":1}}}",
        "{\"ts\":1,\"state\":{\"position\":{\"value\":{}}}}", "{\"ts\":1,\"state\":{\"position\":{\"lat\":[1],\"lon\":2}}}",
        "{\"ts\":1,\"state\":{\"doors\":{\"value\":\"OPEN\",\"value\":\"OPEN\"}}}", "{\"ts\":1,\"state\":{\"doors\":{\"timestamp\":1,\"timestamp\":1}}}",
        "{\"ts\":1,\"state\":{\"doors\":{\"value\":\"OPEN\",}}}", "{\"ts\":1,\"state\":{\"doors\":\"OPEN\",}}", "{,\"ts\":1}",
        "{\"ts\":1 \"state\":{}}", "{\"ts\" 1}", "{\"ts\":1,\"state\":{}]", "{\"ts\":1,\"state\":{]}", "{\"ts\":1,\"state\":{}",
        "{\"ts\":1,\"state\":{\"doors\":\"OPEN\"", "{\"ts\":1,\"state\":{\"doors\":\"OPE", "{\"ts\":1,\"state\":{\"doors", "{\"ts\":",
        "{\"ts\"", "{\"", "{", "", " ", "\t\r\n", "\u0000", "[]", "\"x\"", "1", "true", "nul", "{\"ts\":1,\"state\":{}}\u0000",
        "{\"ts\":1,\"state\":{}}/", "{\"ts\":1,\"state\":{}}#", "{\"ts\":1,/*c*/\"state\":{}}", "{'ts':1,'state':{}}",
        "{\"extra\":x}", "{\"extra\":1x}", "{\"extra\":\"\\q\"}", "{\"extra\":truex}", "{\"state\":{\"x\":1e}}",
        "{\"ts\":1,\"state\":{\"x\":\"", "{\"ts\":1,\"state\":{\"doors\":\"OPEN\"}\u0001}",
        "{\"ts\":1,\"state\":{\"altitude_in_meters\":" + "1".repeat(1001) + "}}",
        "{\"ts\":1,\"state\":{\"altitude_in_meters\":" + "1".repeat(1000) + "}}",
        "{\"ts\":1,\"state\":{\"altitude_in_meters\":0." + "1".repeat(999) + "}}",
        "{\"ts\":1,\"state\":{\"altitude_in_meters\":0." + "1".repeat(1000) + "}}",
    };
    Random rnd = new Random(7);
    for (String f : frames) {
      compare(f.getBytes(UTF_8), rnd);
    }
    // bytes that are not UTF-8, in a name, a label and after a literal
    byte[][] raw = {
        {'{', '"', (byte) 0xC0, (byte) 0x80, '"', ':', '1', '}'},
        {'{', '"', (byte) 0xFF, '"', ':', '1', '}'},
        {'{', '"', 't', 's', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'},
        {'{', '"', 't', 's', '"', ':', 't', 'r', 'u', 'e', (byte) 0xC3, (byte) 0xA9, '}'},
        {'{', '"', 't', 's', '"', ':', 't', 'r', 'u', 'e', (byte) 0xC3, '}'},
        {'{', 0, '"', 0},
        {0, ' '},
    };
    for (byte[] b : raw) {
      compare(b, rnd);
    }
  }
}
