package io.fleetgate.protocol.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.fleetgate.protocol.CodecFuzzTest;
import io.fleetgate.protocol.CommandResult;
import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.Plausibility;
import io.fleetgate.vehicle.StateFrame;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Random valid streams of every frame type, fed in random chunks, then mutated (bit flips, inserted, removed
 * and truncated bytes): the frame and message decoders either yield messages (whose states are plausible) or
 * throw {@link TcpFrameException} / {@link FrameException}; never anything else.
 */
class TcpCodecFuzzTest {
  static final long NOW = CodecFuzzTest.NOW;
  static final int SEEDS = 1_500;
  static final int MUTATIONS = 20;

  static TcpMessage randomMessage(Random rnd) {
    UUID id = new UUID(rnd.nextLong(), rnd.nextLong());
    return switch (rnd.nextInt(9)) {
      case 0 -> new TcpMessage.Login("U" + rnd.nextInt(1_000_000), "pw-" + rnd.nextLong());
      case 1 -> new TcpMessage.LoginAck(rnd.nextInt(3));
      case 2 -> new TcpMessage.State(CodecFuzzTest.randomFrame(rnd));
      case 3 -> new TcpMessage.StateAck(rnd.nextInt() & 0xFFFFFFFFL);
      case 4 -> new TcpMessage.Heartbeat();
      case 5 -> new TcpMessage.HeartbeatAck();
      case 6 -> new TcpMessage.Command(id, CommandCodes.name(1 + rnd.nextInt(11)), NOW + rnd.nextInt(100_000));
      case 7 -> {
        StateFrame state = rnd.nextBoolean() ? CodecFuzzTest.randomFrame(rnd) : null;
        String status = List.of(CommandResult.SUCCEEDED, CommandResult.FAILED, CommandResult.REJECTED).get(rnd.nextInt(3));
        yield new TcpMessage.Result(new CommandResult(id, status, rnd.nextBoolean() ? "detail " + rnd.nextInt() : null,
            state == null ? List.of() : state.readings()), state);
      }
      default -> new TcpMessage.Error(1 + rnd.nextInt(3));
    };
  }

  @Test
  void validStreamsRoundTripInAnyChunking() {
    for (int seed = 0; seed < SEEDS; seed++) {
      Random rnd = new Random(seed);
      List<TcpMessage> sent = new java.util.ArrayList<>();
      ByteArrayOutputStream stream = new ByteArrayOutputStream();
      for (int i = 0; i < 1 + rnd.nextInt(6); i++) {
        TcpMessage m = randomMessage(rnd);
        sent.add(m);
        stream.writeBytes(TcpMessageEncoder.encode(m));
      }
      List<TcpMessage> received = decodeAll(stream.toByteArray(), rnd);
      assertEquals(sent.size(), received.size(), "seed " + seed);
      for (int i = 0; i < sent.size(); i++) {
        assertEquals(Arrays.toString(TcpMessageEncoder.encode(sent.get(i))),
            Arrays.toString(TcpMessageEncoder.encode(received.get(i))), "seed " + seed + " message " + i);
      }
    }
  }

  @Test
  void mutatedStreamsFailOnlyWithTypedErrors() {
    for (int seed = 0; seed < SEEDS; seed++) {
      Random rnd = new Random(seed);
      byte[] valid = TcpMessageEncoder.encode(randomMessage(rnd));
      for (int m = 0; m < MUTATIONS; m++) {
        byte[] bytes = mutate(valid, rnd);
        try {
          decodeAll(bytes, rnd);
        } catch (TcpFrameException | FrameException expected) {
          // the only ways to fail
        } catch (RuntimeException e) {
          fail("seed " + seed + " mutation " + m + ": " + e, e);
        }
      }
    }
  }

  /** Random bytes, and random bytes behind a valid header (so the CRC and payload checks are reached). */
  @Test
  void randomBytesFailOnlyWithTypedErrors() {
    for (int seed = 0; seed < SEEDS; seed++) {
      Random rnd = new Random(seed);
      byte[] payload = new byte[rnd.nextInt(64)];
      rnd.nextBytes(payload);
      byte[] noise = payload.clone();
      byte[] framed = new TcpFrame(rnd.nextInt(256), payload).toBytes(); // right CRC, random payload
      for (byte[] bytes : List.of(noise, framed)) {
        try {
          decodeAll(bytes, rnd);
        } catch (TcpFrameException | FrameException expected) {
          // typed
        } catch (RuntimeException e) {
          fail("seed " + seed + ": " + e, e);
        }
      }
    }
  }

  private static List<TcpMessage> decodeAll(byte[] bytes, Random rnd) {
    TcpFrameDecoder decoder = new TcpFrameDecoder();
    List<TcpMessage> out = new java.util.ArrayList<>();
    int i = 0;
    while (i < bytes.length) {
      int n = Math.min(bytes.length - i, 1 + rnd.nextInt(40));
      decoder.append(Arrays.copyOfRange(bytes, i, i + n));
      i += n;
      TcpFrame f;
      while ((f = decoder.next()) != null) {
        TcpMessage m = TcpMessageDecoder.decode(f, NOW);
        if (m instanceof TcpMessage.State s) {
          Plausibility.check(s.frame(), NOW); // nothing invalid is ever applied
        } else if (m instanceof TcpMessage.Result r && r.state() != null) {
          Plausibility.check(r.state(), NOW);
        }
        out.add(m);
      }
    }
    return out;
  }

  private static byte[] mutate(byte[] valid, Random rnd) {
    byte[] b = valid.clone();
    switch (rnd.nextInt(4)) {
      case 0 -> b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
      case 1 -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
      case 2 -> {
        int at = rnd.nextInt(b.length + 1);
        byte[] c = new byte[b.length + 1];
        System.arraycopy(b, 0, c, 0, at);
        c[at] = (byte) rnd.nextInt(256);
        System.arraycopy(b, at, c, at + 1, b.length - at);
        b = c;
      }
      default -> {
        // a payload byte changed and the CRC made right again: the message decoder must catch it
        if (b.length > TcpFrame.HEADER_LENGTH + TcpFrame.CRC_LENGTH) {
          int at = TcpFrame.HEADER_LENGTH + rnd.nextInt(b.length - TcpFrame.HEADER_LENGTH - TcpFrame.CRC_LENGTH);
          b[at] = (byte) rnd.nextInt(256);
          int crc = Crc16.of(b, 2, b.length - 4);
          b[b.length - 2] = (byte) (crc >>> 8);
          b[b.length - 1] = (byte) crc;
        }
      }
    }
    return b;
  }
}
