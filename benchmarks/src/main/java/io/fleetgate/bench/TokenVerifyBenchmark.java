package io.fleetgate.bench;

import io.fleetgate.auth.Permission;
import io.fleetgate.auth.TokenService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of checking a bearer token, which every authenticated REST request pays on an event loop: the
 * first time (signature, issuer, expiry) and every later time (the verified-token cache), for the ephemeral
 * RS256 key and for an ES256 key from a PEM file.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TokenVerifyBenchmark {
  @Param({"RS256", "ES256"})
  public String alg;

  private Vertx vertx;
  private TokenService tokens;
  private String token;
  private Path keyFile;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    vertx = Vertx.vertx();
    String pem = null;
    if (alg.equals("ES256")) {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"));
      keyFile = Files.createTempFile("bench-es256", ".pem");
      Files.writeString(keyFile, "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder().encodeToString(gen.generateKeyPair().getPrivate().getEncoded())
          + "\n-----END PRIVATE KEY-----\n");
      pem = keyFile.toString();
    }
    tokens = TokenService.create(vertx, pem, "fleetgate", 900);
    token = tokens.issue("bench-client", "bench-fleet", EnumSet.of(Permission.VEHICLES, Permission.VEHICLE_COMMANDS));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    vertx.close().await();
    if (keyFile != null) {
      Files.deleteIfExists(keyFile);
    }
  }

  /** A token seen before: the cache. Verification completes synchronously; join only unwraps the future. */
  @Benchmark
  public JsonObject verifyCached() {
    return tokens.verify(token).toCompletionStage().toCompletableFuture().join();
  }

  /** A token's first check: signature, issuer, expiry. */
  @Benchmark
  public JsonObject verifySignature() {
    return tokens.verifySignature(token).toCompletionStage().toCompletableFuture().join();
  }
}
