package io.fleetgate.bench;

import io.fleetgate.auth.Permission;
import io.fleetgate.auth.TokenService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of checking a bearer token, which every authenticated REST request pays on an event loop: ES256
 * signature, issuer and expiry, with the gateway's own {@link TokenService} and an ephemeral key.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TokenVerifyBenchmark {
  private Vertx vertx;
  private TokenService tokens;
  private String token;

  @Setup(Level.Trial)
  public void setUp() {
    vertx = Vertx.vertx();
    tokens = TokenService.create(vertx, null, "fleetgate", 900);
    token = tokens.issue("bench-client", "bench-fleet", EnumSet.of(Permission.VEHICLES, Permission.VEHICLE_COMMANDS));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    vertx.close().await();
  }

  /** Verification completes synchronously; joining the future only unwraps it. */
  @Benchmark
  public JsonObject verify() {
    return tokens.verify(token).toCompletionStage().toCompletableFuture().join();
  }
}
