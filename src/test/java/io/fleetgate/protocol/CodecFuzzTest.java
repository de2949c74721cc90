package io.fleetgate.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.fleetgate.protocol.binary.BinaryStateDecoder;
import io.fleetgate.protocol.binary.BinaryStateEncoder;
import io.fleetgate.protocol.json.CommandResultDecoder;
import io.fleetgate.protocol.json.JsonStateDecoder;
import io.fleetgate.protocol.json.StateJson;
import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Random valid frames, then random mutations of their bytes: a decoder either throws {@link FrameException} or
 * returns a frame that passes {@link Plausibility}; nothing else (no IndexOutOfBounds, no NumberFormat, no NPE).
 */
public class CodecFuzzTest {
  public static final long NOW = 1_795_255_200_000L;
  static final int SEEDS = 2_000;
  static final int MUTATIONS = 25;

  static Object randomValue(Random rnd, Property p) {
    return switch (p.kind) {
      case POSITION -> new Position(Math.round((rnd.nextDouble() * 180 - 90) * 1e7) / 1e7,
          Math.round((rnd.nextDouble() * 360 - 180) * 1e7) / 1e7);
      case BOOLEAN -> rnd.nextBoolean();
      case ENUM -> rnd.nextBoolean() ? p.oneLabel : p.zeroLabel;
      case NUMBER -> {
        long maxRaw = switch (p) {
          case HEADING_IN_DEGREES -> 3599;
          case STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT -> 100;
          case CELLULAR_SIGNAL_QUALITY -> 5;
          case MILEAGE_IN_KILOMETERS -> 0xFFFF_FFFFL;
          default -> p.encoding == Property.Encoding.U8 ? 255 : 32767;
        };
        yield (double) (long) (rnd.nextDouble() * (maxRaw + 1)) / p.scale;
      }
    };
  }

  public static StateFrame randomFrame(Random rnd) {
    long ts = NOW - rnd.nextInt(86_400_000);
    List<Reading> readings = new ArrayList<>();
    for (Property p : Property.values()) {
      if (rnd.nextInt(3) == 0) {
        readings.add(new Reading(p, ts, randomValue(rnd, p)));
      }
    }
    return new StateFrame(ts, rnd.nextInt(Integer.MAX_VALUE), List.copyOf(readings), 0);
  }

  static byte[] mutate(Random rnd, byte[] in) {
    if (in.length == 0) {
      return new byte[] {(byte) rnd.nextInt(256)};
    }
    byte[] b = in.clone();
    switch (rnd.nextInt(6)) {
      case 0 -> b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
      case 1 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
      case 2 -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
      case 3 -> {
        int at = rnd.nextInt(b.length + 1);
        byte[] c = new byte[b.length + 1];
        System.arraycopy(b, 0, c, 0, at);
        c[at] = (byte) "{}[]\",:0-.eE \\u".charAt(rnd.nextInt(15));
        System.arraycopy(b, at, c, at + 1, b.length - at);
        b = c;
      }
      case 4 -> {
        int at = rnd.nextInt(b.length);
        byte[] c = new byte[b.length - 1];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(b, at + 1, c, at, b.length - at - 1);
        b = c;
      }
      default -> {
        byte[] junk = new byte[rnd.nextInt(40)];
        rnd.nextBytes(junk);
        b = junk;
      }
    }
    return b;
  }

  static int check(byte[] bytes, Function<byte[], StateFrame> decoder) {
    try {
      Plausibility.check(decoder.apply(bytes), NOW);
      return 1;
    } catch (FrameException expected) {
      return 0;
    } catch (RuntimeException e) {
      fail("decoder threw " + e + " for " + Hex.of(bytes), e);
      return 0;
    }
  }

  @Test
  void binaryDecoderThrowsOnlyFrameExceptionAndNeverReturnsInvalidValues() {
    int accepted = 0;
    for (int seed = 0; seed < SEEDS; seed++) {
      Random rnd = new Random(seed);
      StateFrame frame = randomFrame(rnd);
      byte[] bytes = BinaryStateEncoder.encode(frame);
      assertEquals(frame, BinaryStateDecoder.decode(bytes, NOW), "seed " + seed);
      for (int m = 0; m < MUTATIONS; m++) {
        bytes = rnd.nextInt(4) == 0 ? BinaryStateEncoder.encode(frame) : mutate(rnd, bytes);
        accepted += check(bytes, b -> BinaryStateDecoder.decode(b, NOW));
      }
    }
    System.out.println("binary fuzz: accepted " + accepted + " of " + SEEDS * MUTATIONS + " mutants");
  }

  @Test
  void jsonDecodersThrowOnlyFrameExceptionAndNeverReturnInvalidValues() {
    int accepted = 0;
    for (int seed = 0; seed < SEEDS; seed++) {
      Random rnd = new Random(seed);
      StateFrame frame = randomFrame(rnd);
      byte[] bytes = StateJson.encodeFrame(frame);
      assertEquals(frame, JsonStateDecoder.decode(bytes, NOW), "seed " + seed);
      for (int m = 0; m < MUTATIONS; m++) {
        bytes = rnd.nextInt(4) == 0 ? StateJson.encodeFrame(frame) : mutate(rnd, bytes);
        accepted += check(bytes, b -> JsonStateDecoder.decode(b, NOW));
        byte[] asResult = ("{\"id\":\"3f2504e0-4f89-11d3-9a0c-0305e82c3301\",\"status\":\"FAILED\",\"state\":"
            + new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1) + "}")
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        check(asResult, b -> {
          CommandResult r = CommandResultDecoder.decode(b, NOW);
          return new StateFrame(NOW, StateFrame.NO_SEQ, r.readings(), 0);
        });
      }
    }
    System.out.println("json fuzz: accepted " + accepted + " of " + SEEDS * MUTATIONS + " mutants");
  }
}
