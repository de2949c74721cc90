package io.fleetgate.benchmarks;

import io.fleetgate.protocol.binary.BinaryStateDecoder;
import io.fleetgate.protocol.binary.BinaryStateEncoder;
import io.fleetgate.protocol.json.JsonStateDecoder;
import io.fleetgate.protocol.json.StateJson;
import io.fleetgate.vehicle.LatestState;
import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Binary ingest of the same realistic frame as {@link JsonIngestBenchmark}: decode, validate and merge.
 * Target: ≤ 0.5 µs/frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BinaryIngestBenchmark {
  /** array: an MQTT payload byte[]; tcp: the payload in place inside a TCP STATE frame in a direct buffer. */
  @Param({"array", "tcp"})
  public String source;

  private byte[] payload;
  private ByteBuf buf;
  private int index;
  private LatestState state;
  private int capabilities;
  private long now;

  @Setup(Level.Trial)
  public void frame() {
    payload = BinaryStateEncoder.encode(Frames.realistic());
    if (source.equals("tcp")) {
      buf = Unpooled.directBuffer(payload.length + 7).writeShort(0xF1EE).writeByte(0x02)
          .writeShort(payload.length).writeBytes(payload).writeShort(0);
      index = 5;
    } else {
      buf = Unpooled.wrappedBuffer(payload);
      index = 0;
    }
    state = new LatestState();
    capabilities = Property.allMask();
    now = Frames.TS + 1_000;
  }

  @TearDown(Level.Trial)
  public void release() {
    buf.release();
  }

  @Benchmark
  public LatestState.MergeResult decodeMerge() {
    return state.merge(decode().readings(), capabilities);
  }

  @Benchmark
  public StateFrame decode() {
    return source.equals("tcp")
        ? BinaryStateDecoder.decode(buf, index, payload.length, now)
        : BinaryStateDecoder.decode(payload, 0, payload.length, now);
  }
}
