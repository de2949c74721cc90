package io.fleetgate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.auth.Permission;
import io.fleetgate.config.ConfigLoader;
import io.fleetgate.config.GatewayConfig;
import io.fleetgate.fleet.ApiClient;
import io.fleetgate.fleet.Fleet;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A real gateway for a test: its own Vert.x (blocked-thread checker at 100 ms), every listener on a free
 * port, in memory, a cheap hash cost, and a known administrator. {@link #close()} fails the test if an event
 * loop was blocked.
 *
 * <pre>{@code
 * try (TestGateway gw = TestGateway.start()) { ... gw.token("fleet-a", Permission.VEHICLES) ... }
 * }</pre>
 */
public final class TestGateway implements AutoCloseable {
  public static final String ADMIN_ID = "test-admin";
  public static final String ADMIN_SECRET = "test-admin-secret-0123456789";
  private static final java.util.concurrent.atomic.AtomicBoolean WARMED_UP = new java.util.concurrent.atomic.AtomicBoolean();
  private static final Logger BLOCKED_LOG = Logger.getLogger("io.vertx.core.impl.BlockedThreadChecker");

  static {
    // One-time JVM work that must not be charged to an event loop: Netty 4.2's allocator registers JFR event
    // types on its first chunk (>100 ms cold). Production pays it once at start-up; tests would flag it.
    io.netty.buffer.ByteBufAllocator.DEFAULT.directBuffer(64 * 1024).release();
    io.netty.buffer.ByteBufAllocator.DEFAULT.heapBuffer(64 * 1024).release();
    warmUpHttpCompression();
  }

  /**
   * The REST listener compresses responses (a browser always asks for it): the first compressed response loads
   * Netty's encoder and zlib classes, 100-300 ms on a loaded machine, on whichever event loop answers first.
   * Production pays it once; tests would flag it as a blocked loop, so it is paid here, off the loops.
   */
  private static void warmUpHttpCompression() {
    io.netty.channel.embedded.EmbeddedChannel ch =
        new io.netty.channel.embedded.EmbeddedChannel(new io.netty.handler.codec.http.HttpContentCompressor());
    for (String encoding : new String[] {"gzip", "deflate"}) {
      io.netty.handler.codec.http.DefaultFullHttpRequest request = new io.netty.handler.codec.http.DefaultFullHttpRequest(
          io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.GET, "/");
      request.headers().set("Accept-Encoding", encoding);
      ch.writeInbound(request);
      io.netty.handler.codec.http.DefaultFullHttpResponse response = new io.netty.handler.codec.http.DefaultFullHttpResponse(
          io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpResponseStatus.OK,
          io.netty.buffer.Unpooled.wrappedBuffer(new byte[4096]));
      response.headers().set("Content-Type", "text/plain").set("Content-Length", 4096);
      ch.writeOutbound(response);
    }
    ch.finishAndReleaseAll();
  }

  private static final io.fleetgate.vehicle.VehicleIds VEHICLE_IDS = new io.fleetgate.vehicle.VehicleIds();

  public final Vertx vertx;
  public final Gateway gateway;
  public final WebClient http;
  /** The test's own PostgreSQL database when the suite runs on PostgreSQL; dropped on close. */
  private io.fleetgate.store.PgTestDatabase database;
  private final List<String> blocked = new CopyOnWriteArrayList<>();
  private final Handler blockedWatch = new Handler() {
    @Override
    public void publish(LogRecord r) {
      blocked.add(r.getMessage() + (r.getThrown() != null ? java.util.Arrays.toString(java.util.Arrays.copyOf(r.getThrown().getStackTrace(), Math.min(12, r.getThrown().getStackTrace().length))) : ""));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  private TestGateway(Vertx vertx, Gateway gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.http = WebClient.create(vertx, clientOptions(gateway));
    BLOCKED_LOG.addHandler(blockedWatch);
  }

  public static TestGateway start() {
    return start(Map.of());
  }

  /** With extra settings (dotted keys, e.g. {@code "mqtt.maxConnections"}). */
  public static TestGateway start(Map<String, Object> overrides) {
    return start(overrides, java.time.Clock.systemUTC());
  }

  /** With extra settings and a clock of the test's (e.g. a {@link TestClock} to expire archive entries). */
  public static TestGateway start(Map<String, Object> overrides, java.time.Clock clock) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("http.host", "127.0.0.1");
    settings.put("http.port", 0);
    settings.put("mqtt.host", "127.0.0.1");
    settings.put("mqtt.port", 0);
    settings.put("tcp.host", "127.0.0.1");
    settings.put("tcp.port", 0);
    settings.put("hash.memoryKiB", 64);
    settings.put("hash.iterations", 1);
    settings.put("admin.clientId", ADMIN_ID);
    settings.put("admin.clientSecret", ADMIN_SECRET);
    // rate limits out of the way of tests that make many calls with one client; RateLimitApiTest sets its own
    settings.put("rate.requestsPerSecond", 1_000_000);
    settings.put("rate.burst", 1_000_000);
    settings.put("rate.tokenFailuresPerMinute", 1_000_000);
    settings.put("rate.tokenFailuresPerClientPerMinute", 1_000_000);
    settings.put("hash.unitFailuresPerMinute", 1_000_000); // UnitLoginFailuresTest sets its own
    settings.put("hash.unitFailuresPerAddressPerMinute", 1_000_000);
    settings.putAll(overrides);
    io.fleetgate.store.PgTestDatabase db = null;
    if (io.fleetgate.store.PgTestDatabase.selected() && settings.get("db.url") == null) {
      db = io.fleetgate.store.PgTestDatabase.create(); // the whole suite again, on PostgreSQL
      settings.put("db.url", db.url);
    }
    try {
      TestGateway g = start(ConfigLoader.of(settings), clock);
      g.database = db;
      return g;
    } catch (RuntimeException e) {
      if (db != null) {
        db.close();
      }
      throw e;
    }
  }

  /** With a configuration built by the test itself (e.g. through {@link ConfigLoader#load}). */
  public static TestGateway start(GatewayConfig config) {
    return start(config, java.time.Clock.systemUTC());
  }

  /** With a configuration and a clock of the test's (commands and the archive judge expiry by it). */
  public static TestGateway start(GatewayConfig config, java.time.Clock clock) {
    PrometheusMeterRegistry metrics = Gateway.newMetrics();
    Vertx vertx;
    try {
      vertx = Gateway.newVertx(metrics, 100, config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("Vert.x did not start (cluster.members: the member did not join)", e);
    }
    try {
      Gateway g = Gateway.start(vertx, config, metrics, clock).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      warmUpOnce(vertx, g);
      return new TestGateway(vertx, g);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("gateway did not start", e);
    }
  }

  /**
   * The first requests in a JVM load the classes of the HTTP client and server paths, form parsing and JWT
   * signing on an event loop (hundreds of ms on a busy machine). Production pays that once at start-up; here
   * it is paid once per JVM before the blocked-thread watch starts, so it is not charged to whichever test
   * happens to run first.
   */
  private static void warmUpOnce(Vertx vertx, Gateway g) throws Exception {
    if (!WARMED_UP.compareAndSet(false, true)) {
      return;
    }
    String token = g.tokens.issue("warm-up", null, EnumSet.noneOf(Permission.class));
    g.tokens.verify(token).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    WebClient client = WebClient.create(vertx, clientOptions(g));
    try {
      client.post("/auth/oauth/token").sendForm(io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials"))
          .compose(r -> client.post("/fleets").putHeader("Authorization", "Bearer " + token).sendJsonObject(new io.vertx.core.json.JsonObject()))
          .compose(r -> client.get("/health/live").send())
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } finally {
      client.close();
    }
  }

  /** A client of the API port; HTTPS (trusting any certificate: the test made it) when http.tls is on. */
  private static WebClientOptions clientOptions(Gateway g) {
    WebClientOptions o = new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(g.httpPort());
    return g.config.http().tls() ? o.setSsl(true).setTrustAll(true).setVerifyHost(false) : o;
  }

  /**
   * Stops recording blocked event loops until {@link #resumeBlockedWatch()}. The watch sees every Vert.x instance
   * in the JVM: while a test starts another gateway (a cluster's next node), that one's cold start would be
   * charged to this one, although its own start was not.
   */
  public void suspendBlockedWatch() {
    BLOCKED_LOG.removeHandler(blockedWatch);
  }

  public void resumeBlockedWatch() {
    BLOCKED_LOG.addHandler(blockedWatch);
  }

  /** Waits for a future (up to 15 s) and returns its result; a failure is rethrown unchecked. */
  public static <T> T await(io.vertx.core.Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Polls {@code condition} every 20 ms until it holds; fails the test after 5 s. */
  public static void eventually(String what, java.util.function.BooleanSupplier condition) {
    eventually(what, 5_000, condition);
  }

  /** Polls {@code condition} every 20 ms until it holds; fails the test after {@code timeoutMs}. */
  public static void eventually(String what, long timeoutMs, java.util.function.BooleanSupplier condition) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        org.junit.jupiter.api.Assertions.fail("not within " + timeoutMs + " ms: " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** A telematics unit and its vehicle, as {@link #provisionUnit} made them. */
  public record ProvisionedUnit(String unitId, String vehicleId) {}

  /**
   * Inserts a vehicle and its unit (password hashed by the gateway) straight into the store and the working
   * set, without HTTP, for device-side tests. The vehicle id is a free random one.
   */
  public ProvisionedUnit provisionUnit(String fleetId, String unitId, String password, java.util.List<String> commands,
      java.util.List<io.fleetgate.vehicle.Property> stateCapabilities) {
    fleet(fleetId);
    String vehicleId;
    do {
      vehicleId = VEHICLE_IDS.next();
    } while (gateway.registry.vehicleIdTaken(vehicleId));
    Instant now = Instant.now();
    String hash = await(gateway.secrets.hash(password));
    io.fleetgate.vehicle.TelematicsUnit unit = new io.fleetgate.vehicle.TelematicsUnit(unitId, "Acme", "T1", "Acme",
        "RETROFIT", fleetId, vehicleId, hash, 1, now, now);
    io.fleetgate.vehicle.Vehicle vehicle = new io.fleetgate.vehicle.Vehicle(vehicleId, gateway.registry.nextSeq(), fleetId,
        unitId, now, now, now, Map.of(), Map.of(), java.util.List.of(), "OPERATING", now,
        io.fleetgate.vehicle.Capabilities.of(commands, stateCapabilities));
    await(gateway.stores.vehicles().insertVehicle(vehicle, unit));
    gateway.registry.put(unit);
    gateway.registry.put(vehicle);
    return new ProvisionedUnit(unitId, vehicleId);
  }

  /** Creates a fleet directly in the working set (no HTTP), if absent. */
  public Fleet fleet(String fleetId) {
    Fleet f = gateway.directory.fleet(fleetId);
    if (f == null) {
      f = new Fleet(fleetId, "Fleet " + fleetId, Instant.now(), Instant.now());
      await(gateway.stores.fleets().insertFleet(f));
      gateway.directory.put(f);
    }
    return f;
  }

  /** A bearer token of a new client of {@code fleetId} (null = platform) with these permissions. */
  public String token(String fleetId, Permission... permissions) {
    if (fleetId != null) {
      fleet(fleetId);
    }
    EnumSet<Permission> perms = permissions.length == 0 ? EnumSet.noneOf(Permission.class) : EnumSet.of(permissions[0], permissions);
    ApiClient client = new ApiClient("c-" + UUID.randomUUID(), fleetId, "test", perms, "$argon2id$unused", Instant.now());
    gateway.directory.put(client);
    return gateway.tokens.issue(client.clientId(), fleetId, perms);
  }

  public String adminToken() {
    return gateway.tokens.issue(ADMIN_ID, null, EnumSet.of(Permission.ADMIN));
  }

  @Override
  public void close() {
    BLOCKED_LOG.removeHandler(blockedWatch);
    try {
      gateway.stop().compose(v -> vertx.close()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      if (database != null) {
        database.close();
      }
    }
    assertEquals(List.of(), blocked, "an event loop was blocked");
  }
}
