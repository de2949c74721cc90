package io.fleetgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import io.fleetgate.store.PgTestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's restart test with a real second process: the shaded jar ({@code fleetgate.jar}, built in the
 * package phase) runs as {@code java -jar fleetgate.jar run} on a database of its own; fleets, API clients, a
 * partnership, vehicles, a sharing and queued asynchronous commands are created over REST while units stream
 * state frames; then the process is killed with SIGKILL ({@link Process#destroyForcibly()}) in the middle of
 * that load. A second process on the same database must have everything the first one acknowledged, verify
 * the tokens the first one issued (same {@code FLEETGATE_JWT_KEY}), deliver the queued commands to their unit
 * when it connects, and never deliver the one that expired meanwhile.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KillRestartIT {
  private static final String ADMIN_ID = "kill-admin";
  private static final String ADMIN_SECRET = "kill-admin-secret-0123456789";
  private static final String UNIT_PASSWORD = "correct-horse-battery-staple";
  private static final Pattern LISTENING = Pattern.compile("fleetgate listening: http (\\d+), mqtt (\\d+), tcp (\\d+)");
  private static final int LOAD_UNITS = 5;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void everythingAcknowledgedSurvivesKillDashNine(@TempDir Path dir) throws Exception {
    Path jar = Path.of(System.getProperty("fleetgate.jar", "target/fleetgate.jar")).toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "the shaded jar is built in the package phase, before failsafe: " + jar);
    Path key = TestKeys.write(dir, "jwt.pem", TestKeys.ecP256());
    String tag = Long.toString(System.nanoTime(), 36);
    String owner = "kown-" + tag;
    String partner = "kpar-" + tag;
    try (PgTestDatabase db = PgTestDatabase.create()) {
      Map<String, String> env = environment(db.url, key);
      Acknowledged acked = new Acknowledged();
      try (GatewayProcess first = GatewayProcess.start(jar, env, dir)) {
        Assumptions.assumeTrue(db.count("SELECT count(*) FROM pg_tables WHERE tablename = 'fleets'") == 1,
            "this build keeps fleets, clients and vehicles in memory (their PostgreSQL store is not in it): nothing to test yet");
        Api api = new Api(first.httpPort);
        acked.adminToken = api.token(ADMIN_ID, ADMIN_SECRET);
        api.created(api.post(acked.adminToken, "/fleets", new JsonObject().put("fleet_id", owner).put("name", "Owner " + tag)));
        api.created(api.post(acked.adminToken, "/fleets", new JsonObject().put("fleet_id", partner).put("name", "Partner " + tag)));
        JsonObject ownerClient = api.created(api.post(acked.adminToken, "/fleets/" + owner + "/api-clients", new JsonObject()
            .put("name", "owner").put("permissions", new JsonArray().add("vehicles").add("vehicle-lifecycle").add("vehicle-commands").add("fleetshare"))));
        JsonObject partnerClient = api.created(api.post(acked.adminToken, "/fleets/" + partner + "/api-clients", new JsonObject()
            .put("name", "partner").put("permissions", new JsonArray().add("vehicles").add("fleetshare"))));
        acked.ownerClientId = ownerClient.getString("client_id");
        acked.ownerSecret = ownerClient.getString("client_secret");
        acked.ownerToken = api.token(acked.ownerClientId, acked.ownerSecret);
        acked.partnerToken = api.token(partnerClient.getString("client_id"), partnerClient.getString("client_secret"));
        api.created(api.post(acked.adminToken, "/partnerships", new JsonObject().put("fleet_ids", new JsonArray().add(owner).add(partner))));

        // units streaming state frames while the rest is created, and still streaming when the process dies
        List<String> loadUnits = new ArrayList<>();
        for (int i = 0; i < LOAD_UNITS; i++) {
          JsonObject v = api.addVehicle(acked.ownerToken, "KL" + tag + i);
          acked.vehicles.add(v.getString("id"));
          loadUnits.add(v.getJsonObject("telematics_unit").getString("id"));
        }
        try (StateLoad load = new StateLoad(first.mqttPort, loadUnits)) {
          JsonObject commanded = api.addVehicle(acked.ownerToken, "KC" + tag);
          acked.commandVehicle = commanded.getString("id");
          acked.commandUnit = commanded.getJsonObject("telematics_unit").getString("id");
          acked.vehicles.add(acked.commandVehicle);
          String shared = acked.vehicles.get(0);
          JsonObject sharing = api.send("POST", acked.ownerToken, "/vehicles/" + shared + "/sharing", new JsonObject().put("fleet_id", partner)).body;
          assertNotNull(sharing.getJsonObject("sharing"), sharing.encode());
          acked.shared = shared;
          // the unit of this vehicle never connected: its commands wait in the queue
          JsonObject expiring = api.command(acked.ownerToken, acked.commandVehicle, "draw-attention", 2);
          acked.expiring = expiring.getString("command_id");
          acked.expiresAtMs = Instant.parse(expiring.getString("expires_at")).toEpochMilli();
          for (String name : List.of("unlock-top-case", "lock-top-case", "request-vehicle-state")) {
            acked.queued.add(api.command(acked.ownerToken, acked.commandVehicle, name, 3600).getString("command_id"));
          }
          for (int i = 0; i < 10; i++) { // more writes under load
            acked.vehicles.add(api.addVehicle(acked.ownerToken, "KX" + tag + i).getString("id"));
          }
          load.awaitAcked(200, 20_000);
          long before = load.acked();
          first.kill(); // SIGKILL while frames stream in
          System.out.println("killed with -9 after " + before + " acknowledged state frames (" + LOAD_UNITS + " units still sending), "
              + acked.vehicles.size() + " vehicles, " + (acked.queued.size() + 1) + " queued commands");
        }
      }
      // the 2-second command expires before the second process starts
      long wait = acked.expiresAtMs - System.currentTimeMillis() + 100;
      if (wait > 0) {
        Thread.sleep(wait);
      }

      long restart = System.nanoTime();
      try (GatewayProcess second = GatewayProcess.start(jar, env, dir)) {
        System.out.println("second process listening after " + (System.nanoTime() - restart) / 1_000_000 + " ms");
        Api api = new Api(second.httpPort);
        // tokens issued by the first process verify; the fleets, clients, partnership, vehicles, sharing are there
        assertEquals(200, api.send("GET", acked.adminToken, "/fleets/" + owner, null).status);
        assertEquals(200, api.send("GET", acked.adminToken, "/fleets/" + partner, null).status);
        assertNotNull(api.token(acked.ownerClientId, acked.ownerSecret), "the client's secret still works");
        for (String id : acked.vehicles) {
          Reply r = api.send("GET", acked.ownerToken, "/vehicles/" + id, null);
          assertEquals(200, r.status, "vehicle " + id + ": " + r.body);
        }
        JsonArray partners = api.send("GET", acked.ownerToken, "/sharing-partners", null).body.getJsonArray("items");
        assertEquals(partner, partners.getJsonObject(0).getString("fleet_id"));
        Reply seen = api.send("GET", acked.partnerToken, "/vehicles/" + acked.shared, null);
        assertEquals(200, seen.status, "the partner still sees the shared vehicle: " + seen.body);
        assertEquals("EXPIRED", api.commandStatus(acked.ownerToken, acked.commandVehicle, acked.expiring));
        for (String id : acked.queued) {
          assertEquals("QUEUED", api.commandStatus(acked.ownerToken, acked.commandVehicle, id));
        }
        // the unit connects: the queued commands arrive in order, the expired one never
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        Mqtt5BlockingClient unit = MqttClient.builder().useMqttVersion5().identifier(acked.commandUnit).serverHost("127.0.0.1")
            .serverPort(second.mqttPort).buildBlocking();
        unit.toAsync().publishes(MqttGlobalPublishFilter.ALL,
            p -> received.add(new JsonObject(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)).getString("id")));
        unit.connectWith().simpleAuth().username(acked.commandUnit).password(UNIT_PASSWORD.getBytes(StandardCharsets.UTF_8))
            .applySimpleAuth().send();
        try {
          unit.subscribeWith().topicFilter("units/" + acked.commandUnit + "/commands").qos(MqttQos.AT_LEAST_ONCE).send();
          for (String id : acked.queued) {
            assertEquals(id, received.poll(10, TimeUnit.SECONDS), "queued commands delivered in order");
          }
          assertNull(received.poll(500, TimeUnit.MILLISECONDS), "the expired command is never delivered");
          for (String id : acked.queued) {
            long deadline = System.currentTimeMillis() + 5_000;
            while (!"DELIVERED".equals(api.commandStatus(acked.ownerToken, acked.commandVehicle, id))) {
              if (System.currentTimeMillis() > deadline) {
                fail("command " + id + " not DELIVERED");
              }
              Thread.sleep(50);
            }
          }
        } finally {
          unit.disconnect();
        }
      }
    }
  }

  /** What the first process acknowledged (a 2xx), to look for in the second. */
  private static final class Acknowledged {
    String adminToken;
    String ownerToken;
    String partnerToken;
    String ownerClientId;
    String ownerSecret;
    final List<String> vehicles = new ArrayList<>();
    String shared;
    String commandVehicle;
    String commandUnit;
    String expiring;
    long expiresAtMs;
    final List<String> queued = new ArrayList<>();
  }

  private static Map<String, String> environment(String dbUrl, Path key) {
    Map<String, String> env = new HashMap<>();
    env.put("FLEETGATE_DB_URL", dbUrl);
    env.put("FLEETGATE_JWT_KEY", key.toString());
    env.put("FLEETGATE_ADMIN_CLIENT_ID", ADMIN_ID);
    env.put("FLEETGATE_ADMIN_CLIENT_SECRET", ADMIN_SECRET);
    for (String listener : List.of("HTTP", "MQTT", "TCP")) {
      env.put("FLEETGATE_" + listener + "_HOST", "127.0.0.1");
      env.put("FLEETGATE_" + listener + "_PORT", "0");
    }
    env.put("FLEETGATE_HASH_MEMORY_KI_B", "1024"); // cheap hashing: this is not a hashing test
    env.put("FLEETGATE_HASH_ITERATIONS", "1");
    return env;
  }

  /** {@code java -jar fleetgate.jar run} with its output read line by line (the last lines kept for failures). */
  private static final class GatewayProcess implements AutoCloseable {
    final Process process;
    final int httpPort;
    final int mqttPort;
    private final Deque<String> tail;

    private GatewayProcess(Process process, int httpPort, int mqttPort, Deque<String> tail) {
      this.process = process;
      this.httpPort = httpPort;
      this.mqttPort = mqttPort;
      this.tail = tail;
    }

    static GatewayProcess start(Path jar, Map<String, String> env, Path dir) throws Exception {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-jar", jar.toString(), "run").directory(dir.toFile())
          .redirectErrorStream(true);
      pb.environment().keySet().removeIf(k -> k.startsWith("FLEETGATE_"));
      pb.environment().putAll(env);
      Process p = pb.start();
      Deque<String> tail = new ArrayDeque<>();
      CompletableFuture<Matcher> listening = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = in.readLine()) != null; ) {
            synchronized (tail) {
              tail.addLast(line);
              if (tail.size() > 200) {
                tail.removeFirst();
              }
            }
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
              listening.complete(m);
            }
          }
        } catch (java.io.IOException ignored) {
          // the process is gone
        }
        listening.completeExceptionally(new IllegalStateException("the gateway process ended before it listened"));
      }, "gateway-output");
      reader.setDaemon(true);
      reader.start();
      try {
        Matcher m = listening.get(45, TimeUnit.SECONDS);
        return new GatewayProcess(p, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), tail);
      } catch (Exception e) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        synchronized (tail) {
          throw new AssertionError("the gateway did not start: " + e + "\n" + String.join("\n", tail), e);
        }
      }
    }

    /** SIGKILL: no shutdown hook, nothing flushed. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertTrue(process.waitFor(10, TimeUnit.SECONDS), "killed");
    }

    @Override
    public void close() throws Exception {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** Units publishing JSON state frames at QoS 1, at most 32 unacknowledged each, until closed. */
  private static final class StateLoad implements AutoCloseable {
    private final List<Mqtt5AsyncClient> clients = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong acked = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    StateLoad(int port, List<String> unitIds) {
      for (String unitId : unitIds) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(unitId).serverHost("127.0.0.1").serverPort(port).buildBlocking();
        c.connectWith().simpleAuth().username(unitId).password(UNIT_PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
        Mqtt5AsyncClient async = c.toAsync();
        clients.add(async);
        Thread t = new Thread(() -> publish(async, unitId), "state-load-" + unitId);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    }

    private void publish(Mqtt5AsyncClient c, String unitId) {
      Semaphore window = new Semaphore(32);
      double lat = 52.5;
      for (long n = 0; running.get(); n++) {
        try {
          if (!window.tryAcquire(1, TimeUnit.SECONDS)) {
            continue;
          }
        } catch (InterruptedException e) {
          return;
        }
        lat += 0.00001;
        String frame = new JsonObject().put("ts", Instant.now().toString()).put("seq", n)
            .put("state", new JsonObject().put("position", new JsonObject().put("lat", lat).put("lon", 13.4))
                .put("speed_in_kilometers_per_hour", (double) (n % 40))).encode();
        c.publishWith().topic("units/" + unitId + "/state").qos(MqttQos.AT_LEAST_ONCE)
            .payload(frame.getBytes(StandardCharsets.UTF_8)).send()
            .whenComplete((r, e) -> {
              window.release();
              if (e == null) {
                acked.incrementAndGet();
              }
            });
      }
    }

    long acked() {
      return acked.get();
    }

    void awaitAcked(long n, long timeoutMs) throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (acked.get() < n && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(acked.get() >= n, "state frames acknowledged: " + acked.get());
    }

    @Override
    public void close() {
      running.set(false);
      for (Mqtt5AsyncClient c : clients) {
        c.disconnect();
      }
    }
  }

  /** A reply: status and JSON body (an empty object when there is none). */
  private record Reply(int status, JsonObject body) {}

  /** Blocking REST calls against one process. */
  private final class Api {
    private final String base;

    Api(int port) {
      this.base = "http://127.0.0.1:" + port;
    }

    String token(String clientId, String secret) throws Exception {
      HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/auth/oauth/token")).timeout(Duration.ofSeconds(10))
          .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build();
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      return new JsonObject(r.body()).getString("access_token");
    }

    Reply send(String method, String token, String path, JsonObject body) throws Exception {
      return send(method, token, path, body, Map.of());
    }

    Reply send(String method, String token, String path, JsonObject body, Map<String, String> headers) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
          .header("Authorization", "Bearer " + token)
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
      if (body != null) {
        b.header("Content-Type", "application/json");
      }
      headers.forEach(b::header);
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body()));
    }

    Reply post(String token, String path, JsonObject body) throws Exception {
      return send("POST", token, path, body);
    }

    JsonObject created(Reply r) {
      assertEquals(201, r.status, r.body.encode());
      return r.body;
    }

    JsonObject addVehicle(String token, String unitId) throws Exception {
      return created(post(token, "/vehicles", new JsonObject()
          .put("telematics_unit", new JsonObject().put("id", unitId).put("brand", "NIU").put("model", "N1")
              .put("manufacturer", "INVERS").put("type", "RETROFIT").put("password", UNIT_PASSWORD))
          .put("vehicle_model_id", "niu-nqi-gts")));
    }

    /** Sends an asynchronous command (202) and returns the resource. */
    JsonObject command(String token, String vehicleId, String name, int ttlSeconds) throws Exception {
      Reply r = send("POST", token, "/vehicles/" + vehicleId + "/commands/" + name, new JsonObject().put("ttl_seconds", ttlSeconds),
          Map.of("Prefer", "respond-async"));
      assertEquals(202, r.status, r.body.encode());
      return r.body;
    }

    String commandStatus(String token, String vehicleId, String commandId) throws Exception {
      Reply r = send("GET", token, "/vehicles/" + vehicleId + "/commands/" + commandId, null);
      assertEquals(200, r.status, r.body.encode());
      return r.body.getString("status");
    }
  }

}
