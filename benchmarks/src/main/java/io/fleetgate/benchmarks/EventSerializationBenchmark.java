package io.fleetgate.benchmarks;

import com.github.f4b6a3.ulid.UlidCreator;
import io.fleetgate.events.Event;
import io.fleetgate.events.EventType;
import io.fleetgate.events.Flows;
import io.fleetgate.protocol.json.StateJson;
import io.fleetgate.vehicle.Reading;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the ingest path pays per applied frame when someone listens: a VehicleStateRecorded envelope for the
 * realistic frame (position, speed, heading, mileage, soc, central_lock, ignition), rendered to UTF-8 bytes.
 * {@code build} is the whole per-event work of the publisher (message id, flow id, data tree, envelope bytes);
 * {@code jsonBytes} renders a prepared event only; {@code vertxEncode} is Vert.x's data-binding encoding of
 * the same envelope, for comparison.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EventSerializationBenchmark {
  private static final String VEHICLE = "01JD5ZQ7ER4M3K8W6V2N9XHB0C";
  private static final String FLEET = "fleet-0001";

  private List<Reading> readings;
  private JsonObject data;
  private String messageId;
  private String flowId;

  @Setup(Level.Trial)
  public void prepare() {
    readings = Frames.realistic().readings();
    data = new JsonObject().put("vehicle_id", VEHICLE).put("state", StateJson.toJson(readings));
    messageId = UlidCreator.getMonotonicUlid().toString();
    flowId = Flows.currentOrNew();
  }

  private Event event() {
    return new Event(messageId, EventType.VEHICLE_STATE_RECORDED, Frames.TS, flowId, FLEET, VEHICLE, data);
  }

  /** Rendering only: a fresh event (so nothing is cached) over a prepared data tree. */
  @Benchmark
  public byte[] jsonBytes() {
    return event().jsonBytes();
  }

  /** The publisher's whole per-event work: ids, the data tree from the applied readings, the bytes. */
  @Benchmark
  public byte[] build() {
    JsonObject d = new JsonObject().put("vehicle_id", VEHICLE).put("state", StateJson.toJson(readings));
    return new Event(UlidCreator.getMonotonicUlid().toString(), EventType.VEHICLE_STATE_RECORDED, Frames.TS,
        Flows.currentOrNew(), FLEET, VEHICLE, d).jsonBytes();
  }

  /** For comparison: Vert.x's JsonObject.encode() (Jackson data binding) of the same envelope. */
  @Benchmark
  public byte[] vertxEncode() {
    return event().envelope().encode().getBytes(StandardCharsets.UTF_8);
  }
}
