package io.fleetgate.benchmarks;

import io.fleetgate.protocol.binary.BinaryStateDecoder;
import io.fleetgate.protocol.binary.BinaryStateEncoder;
import io.fleetgate.protocol.json.JsonStateDecoder;
import io.fleetgate.protocol.json.Iso8601;
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

/**
 * JSON ingest of one realistic state frame (position, speed, heading, mileage, soc, central_lock, ignition):
 * decode, validate and merge into the vehicle's latest state. Returns the result so nothing is dead code.
 * Target: ≤ 2 µs/frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JsonIngestBenchmark {
  /** iso: ts as an ISO-8601 string (as in the contract's example); millis: ts as epoch milliseconds. */
  @Param({"iso", "millis"})
  public String ts;

  private byte[] json;
  /** The same frame in a direct buffer (no backing array: the decoder's ByteBuf accessor path). */
  private ByteBuf direct;
  private LatestState state;
  private int capabilities;
  private long now;

  @Setup(Level.Trial)
  public void frame() {
    String text = new String(StateJson.encodeFrame(Frames.realistic()), StandardCharsets.UTF_8);
    if (ts.equals("millis")) {
      text = text.replace("\"" + Iso8601.format(Frames.TS) + "\"", Long.toString(Frames.TS));
    }
    json = text.getBytes(StandardCharsets.UTF_8);
    direct = Unpooled.directBuffer(json.length).writeBytes(json);
    state = new LatestState();
    capabilities = Property.allMask();
    now = Frames.TS + 1_000;
  }

  @Benchmark
  public LatestState.MergeResult decodeMerge() {
    return state.merge(JsonStateDecoder.decode(json, 0, json.length, now).readings(), capabilities);
  }

  @Benchmark
  public StateFrame decode() {
    return JsonStateDecoder.decode(json, 0, json.length, now);
  }

  /** In place from a direct buffer (MQTT payloads arrive as heap buffers, which take the byte[] path). */
  @Benchmark
  public StateFrame decodeDirectBuf() {
    return JsonStateDecoder.decode(direct, 0, json.length, now);
  }
}
