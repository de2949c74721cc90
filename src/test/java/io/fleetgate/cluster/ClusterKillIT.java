package io.fleetgate.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.fleetgate.TestKeys;
import io.fleetgate.store.PgTestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14's "kill -9 of a node under load" with real processes: three nodes run as {@code java -jar
 * fleetgate.jar run} (the shaded jar of the package phase) on one fresh database, a cluster name of their own and
 * a 3 s failure detection. Units on node 2 stream QoS 1 state frames, wait for commands or hold one unacknowledged,
 * admin changes and a queued command go through node 2, a synchronous command through node 0 is in flight to a
 * unit on node 2, and node 2 gets SIGKILL ({@link Process#destroyForcibly()} on Unix). Then, through the
 * survivors: every PUBACK'd frame is in state_history, every 2xx is there, the member is gone from /metrics, the
 * vehicles of units that stay away read OFFLINE within the failure detection (plus a margin), units that reconnect
 * to a survivor stay ONLINE and get the command queued meanwhile exactly once, a queued command the victim had sent
 * without proof of delivery is delivered again (same id) once, and the in-flight synchronous command ends in one
 * terminal answer and status. The nodes' output is kept in target/cluster-kill-it/.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ClusterKillIT {
  private static final String ADMIN_ID = "kill9-admin";
  private static final String ADMIN_SECRET = "kill9-admin-secret-0123456789";
  private static final String PASSWORD = "kill9-unit-password";
  private static final Pattern LISTENING = Pattern.compile("fleetgate listening: http (\\d+), mqtt (\\d+), tcp (\\d+)");
  private static final int FAILURE_DETECTION_SECONDS = 3;
  /**
   * The unit's PUBACK wait (the default): a survivor's request to the victim would time out after this plus 2 s;
   * the survivor gives it up as soon as the victim leaves the cluster instead.
   */
  private static final int ACK_TIMEOUT_SECONDS = 10;
  private static final int COMMAND_TIMEOUT_SECONDS = 10;
  /** Slack on top of the failure detection for a loaded 2-core CI machine (heartbeat interval, sweep, polling). */
  private static final long MARGIN_MS = 6_000;
  private static final int LOAD_UNITS = 4;
  private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "REJECTED", "EXPIRED", "CANCELED");

  private static final List<Process> PROCESSES = new CopyOnWriteArrayList<>();
  private static final List<Mqtt5Client> CLIENTS = new CopyOnWriteArrayList<>();
  private static PgTestDatabase database;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Every child process dies with the test, pass or fail; the database goes too (the logs stay). */
  @AfterAll
  static void killEverything() throws InterruptedException {
    for (Mqtt5Client c : CLIENTS) {
      try {
        if (c.getState().isConnected()) {
          c.toAsync().disconnect();
        }
      } catch (RuntimeException ignored) {
        // best effort
      }
    }
    for (Process p : PROCESSES) {
      p.destroyForcibly();
    }
    for (Process p : PROCESSES) {
      p.waitFor(15, TimeUnit.SECONDS);
    }
    if (database != null) {
      database.close();
    }
  }

  @Test
  void nothingAcknowledgedIsLostWhenANodeIsKilledUnderLoad() throws Exception {
    Path jar = Path.of(System.getProperty("fleetgate.jar", "target/fleetgate.jar")).toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "the shaded jar is built in the package phase, before failsafe: " + jar);
    String tag = Long.toString(System.nanoTime(), 36);
    Path logs = Path.of("target", "cluster-kill-it", tag).toAbsolutePath();
    Files.createDirectories(logs);
    Path key = TestKeys.write(logs, "jwt.pem", TestKeys.ecP256());
    database = PgTestDatabase.create();
    String clusterName = "fleetgate-kill-" + tag;
    int[] memberPorts = {TestCluster.freePort(), TestCluster.freePort(), TestCluster.freePort()};
    long t0 = System.nanoTime();

    // node 0 first (it bootstraps the administrator), then 1 and 2 together, each listing what is up and itself
    Node[] nodes = new Node[3];
    nodes[0] = Node.start(0, jar, environment(key, clusterName, memberPorts, 0), logs);
    CompletableFuture<Node> n1 = CompletableFuture.supplyAsync(() -> Node.startUnchecked(1, jar, environment(key, clusterName, memberPorts, 1), logs));
    CompletableFuture<Node> n2 = CompletableFuture.supplyAsync(() -> Node.startUnchecked(2, jar, environment(key, clusterName, memberPorts, 2), logs));
    nodes[1] = n1.get(150, TimeUnit.SECONDS);
    nodes[2] = n2.get(150, TimeUnit.SECONDS);
    for (Node n : nodes) {
      eventually("node " + n.index + " sees 3 members and is ready", 60_000, () -> members(n) == 3 && ready(n) == 200);
    }
    System.out.println("three process nodes up after " + ms(t0) + " ms; logs in " + logs);
    Node survivor0 = nodes[0];
    Node survivor1 = nodes[1];
    Node victim = nodes[2];

    // fleet, client and vehicles through node 0
    Api api0 = new Api(survivor0);
    String admin = api0.token(ADMIN_ID, ADMIN_SECRET);
    String fleet = "k9-" + tag;
    api0.expect(201, api0.send("POST", admin, "/fleets", new JsonObject().put("fleet_id", fleet).put("name", "Kill " + tag)));
    JsonObject client = api0.expect(201, api0.send("POST", admin, "/fleets/" + fleet + "/api-clients", new JsonObject().put("name", "owner")
        .put("permissions", new JsonArray().add("vehicles").add("vehicle-lifecycle").add("vehicle-commands"))));
    String token = api0.token(client.getString("client_id"), client.getString("client_secret"));
    JsonObject doomedClient = api0.expect(201, api0.send("POST", admin, "/fleets/" + fleet + "/api-clients",
        new JsonObject().put("name", "doomed").put("permissions", new JsonArray().add("vehicles"))));
    String doomedToken = api0.token(doomedClient.getString("client_id"), doomedClient.getString("client_secret"));
    List<String[]> load = new ArrayList<>(); // {vehicle id, unit id}
    for (int i = 0; i < LOAD_UNITS; i++) {
      load.add(api0.addVehicle(token, "K9L" + tag + i));
    }
    String[] queued = api0.addVehicle(token, "K9Q" + tag); // reconnects; gets the command queued while it was away
    String[] sync = api0.addVehicle(token, "K9S" + tag); // holds the synchronous command unacknowledged, stays away
    String[] parked = api0.addVehicle(token, "K9P" + tag); // never connects: a command queued through the victim waits
    String[] held = api0.addVehicle(token, "K9R" + tag); // holds a queued command unacknowledged, then reconnects

    // units on the victim: the load streams, the others wait for commands
    Api apiV = new Api(victim);
    Api api1 = new Api(survivor1);
    StateLoad stream = new StateLoad(victim.mqttPort, load);
    Unit onVictimQ = new Unit(victim.mqttPort, queued[1], true);
    Unit onVictimS = new Unit(victim.mqttPort, sync[1], false);
    Unit onVictimR = new Unit(victim.mqttPort, held[1], false);
    eventually("node 0 reads the units' vehicles ONLINE", 20_000, () -> {
      for (String[] v : List.of(load.get(0), queued, sync, held)) {
        if (!"ONLINE".equals(api0.life(token, v[0]))) {
          return false;
        }
      }
      return true;
    });
    stream.awaitAcked(100 * LOAD_UNITS, 30_000);

    assertEquals(200, api1.send("GET", doomedToken, "/vehicles", null).statusCode(), "the doomed client's token works before");
    // 2xx through the victim right before the kill
    String[] addedOnVictim = apiV.addVehicle(token, "K9V" + tag);
    apiV.expect(204, apiV.send("DELETE", admin, "/fleets/" + fleet + "/api-clients/" + doomedClient.getString("client_id"), null));
    String parkedCommand = apiV.expect(202, apiV.command(token, parked[0], "lock-top-case", true)).getString("command_id");
    // a queued command the victim hands to its unit, which never PUBACKs it: no proof of delivery
    String heldCommand = apiV.expect(202, apiV.command(token, held[0], "unlock-top-case", true)).getString("command_id");
    JsonObject heldOnVictim = onVictimR.received.poll(20, TimeUnit.SECONDS);
    assertNotNull(heldOnVictim, "the queued command reached its unit on the victim");
    assertEquals(heldCommand, heldOnVictim.getString("id"));

    // a synchronous command through node 0 to the unit on the victim, which holds it without a PUBACK
    long syncSent = System.nanoTime();
    AtomicLong syncAnsweredAt = new AtomicLong();
    CompletableFuture<HttpResponse<String>> syncAnswer = api0.commandAsync(token, sync[0], "unlock-top-case")
        .whenComplete((r, e) -> syncAnsweredAt.set(System.nanoTime()));
    JsonObject inFlight = onVictimS.received.poll(20, TimeUnit.SECONDS);
    assertNotNull(inFlight, "the synchronous command reached the unit on the victim");
    String syncCommand = inFlight.getString("id");

    // kill -9 under load
    long acksBefore = stream.acked();
    long killed = System.nanoTime();
    victim.kill();
    stream.stop();
    System.out.println("node 2 killed (SIGKILL) with " + acksBefore + " frames acknowledged so far, " + LOAD_UNITS + " units streaming");

    // a command for the disconnected unit, queued through a survivor: 202
    eventually("the unit saw its node die", 10_000, () -> !onVictimQ.client.getState().isConnected());
    String queuedCommand = api0.expect(202, api0.command(token, queued[0], "lock-top-case", true)).getString("command_id");

    // the unit reconnects to node 1 and gets it, once, same id; two load units reconnect too
    Unit onSurvivorQ = new Unit(survivor1.mqttPort, queued[1], true);
    Unit onSurvivorR = new Unit(survivor0.mqttPort, held[1], true);
    List<Unit> reconnected = List.of(new Unit(survivor0.mqttPort, load.get(0)[1], true), new Unit(survivor1.mqttPort, load.get(1)[1], true));
    JsonObject got = onSurvivorQ.received.poll(30, TimeUnit.SECONDS);
    assertNotNull(got, "the command queued while the unit was away reached it on node 1");
    assertEquals(queuedCommand, got.getString("id"));
    System.out.println("queued command delivered on node 1 after " + ms(killed) + " ms from the kill");
    JsonObject again = onSurvivorR.received.poll(30, TimeUnit.SECONDS);
    assertNotNull(again, "the command the victim sent without proof of delivery is delivered again on node 0");
    assertEquals(heldCommand, again.getString("id"), "delivered again with the same command id");

    // the survivors see the member gone
    long detectMs = FAILURE_DETECTION_SECONDS * 1000L + MARGIN_MS;
    eventually("node 0 sees 2 members", detectMs - ms(killed), () -> members(survivor0) == 2);
    eventually("node 1 sees 2 members", detectMs - ms(killed), () -> members(survivor1) == 2);
    System.out.println("member gone on both survivors after " + ms(killed) + " ms");

    // vehicles of units that stayed away: OFFLINE through both survivors; the reconnected ones stay ONLINE
    List<String> away = List.of(sync[0], load.get(2)[0], load.get(3)[0]);
    eventually("the vehicles of units that stayed away read OFFLINE through nodes 0 and 1", Math.max(1, detectMs - ms(killed)), () -> {
      for (String v : away) {
        if (!"OFFLINE".equals(api0.life(token, v)) || !"OFFLINE".equals(api1.life(token, v))) {
          return false;
        }
      }
      return true;
    });
    System.out.println("vehicles OFFLINE through both survivors after " + ms(killed) + " ms");
    Thread.sleep(1_000); // the departed node's sweep has run everywhere
    for (String v : List.of(queued[0], held[0], load.get(0)[0], load.get(1)[0])) {
      assertEquals("ONLINE", api0.life(token, v), "reconnected unit's vehicle " + v + " through node 0");
      assertEquals("ONLINE", api1.life(token, v), "reconnected unit's vehicle " + v + " through node 1");
    }

    // every acknowledged frame is in state_history
    long stored = 0;
    for (String[] v : load) {
      NavigableSet<Long> acked = stream.acked(v[1]);
      Set<Long> rows = mileages(v[0]);
      NavigableSet<Long> missing = new TreeSet<>(acked);
      missing.removeAll(rows);
      assertTrue(missing.isEmpty(), "acknowledged frames of " + v[1] + " missing from state_history: " + missing.size()
          + " of " + acked.size() + ", first " + (missing.isEmpty() ? "" : missing.first()));
      stored += rows.size();
    }
    System.out.println(stream.acked() + " acknowledged frames all in state_history (" + stored + " rows)");

    // every 2xx of the victim, through both survivors
    for (Api a : List.of(api0, api1)) {
      assertEquals(200, a.send("GET", token, "/vehicles/" + addedOnVictim[0], null).statusCode(), "vehicle added through the victim");
      assertEquals(401, a.send("GET", doomedToken, "/vehicles", null).statusCode(), "client deleted through the victim");
      assertEquals("QUEUED", a.commandStatus(token, parked[0], parkedCommand), "command queued through the victim");
    }

    // the queued command: SUCCEEDED (the unit answered) and never delivered again
    eventually("the queued command SUCCEEDED", 15_000, () -> "SUCCEEDED".equals(api1.commandStatus(token, queued[0], queuedCommand)));
    assertEquals("SUCCEEDED", api0.commandStatus(token, queued[0], queuedCommand));
    eventually("the redelivered command SUCCEEDED", 15_000, () -> "SUCCEEDED".equals(api1.commandStatus(token, held[0], heldCommand)));

    // the synchronous command in flight at the kill: one terminal answer, one terminal status that stays
    HttpResponse<String> answer = syncAnswer.get(COMMAND_TIMEOUT_SECONDS + 30, TimeUnit.SECONDS);
    System.out.println("synchronous command in flight at the kill answered " + answer.statusCode() + " after " + ms(syncSent) + " ms (" + (syncAnsweredAt.get() - killed) / 1_000_000 + " ms after the kill): " + answer.body());
    assertTrue(answer.statusCode() == 503 || answer.statusCode() == 504, "503 or 504: " + answer.statusCode() + " " + answer.body());
    long answeredAfterKillMs = (syncAnsweredAt.get() - killed) / 1_000_000;
    assertTrue(answeredAfterKillMs < ACK_TIMEOUT_SECONDS * 1000L, "answered when the victim left the cluster, not after the "
        + (ACK_TIMEOUT_SECONDS + 2) + " s request timeout: " + answeredAfterKillMs + " ms after the kill");
    eventually("the synchronous command's status is terminal", 15_000, () -> TERMINAL.contains(api0.commandStatus(token, sync[0], syncCommand)));
    String end = api0.commandStatus(token, sync[0], syncCommand);
    assertEquals("EXPIRED", end, "never proven delivered: it ends EXPIRED");
    Thread.sleep(1_000);
    assertEquals(end, api1.commandStatus(token, sync[0], syncCommand), "one terminal status, the same through node 1");
    assertEquals(1, database.count("SELECT count(*) FROM commands WHERE id = '" + syncCommand + "'"));

    assertNull(onSurvivorQ.received.poll(500, TimeUnit.MILLISECONDS), "the queued command is delivered once");
    assertEquals(1, database.count("SELECT count(*) FROM commands WHERE id = '" + queuedCommand + "'"));
    assertNull(onSurvivorR.received.poll(100, TimeUnit.MILLISECONDS), "the redelivered command comes once on node 0");
    onSurvivorR.close();
    for (Unit u : reconnected) {
      u.close();
    }
    onSurvivorQ.close();
    System.out.println("whole test " + ms(t0) + " ms");
  }

  private static long ms(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1_000_000;
  }

  private static Map<String, String> environment(Path key, String clusterName, int[] memberPorts, int index) {
    Map<String, String> env = new HashMap<>();
    env.put("FLEETGATE_DB_URL", database.url);
    env.put("FLEETGATE_JWT_KEY", key.toString());
    env.put("FLEETGATE_ADMIN_CLIENT_ID", ADMIN_ID);
    env.put("FLEETGATE_ADMIN_CLIENT_SECRET", ADMIN_SECRET);
    StringBuilder members = new StringBuilder("127.0.0.1:" + memberPorts[0]);
    if (index > 0) {
      members.append(",127.0.0.1:").append(memberPorts[index]);
    }
    env.put("FLEETGATE_CLUSTER_MEMBERS", members.toString());
    env.put("FLEETGATE_CLUSTER_HOST", "127.0.0.1");
    env.put("FLEETGATE_CLUSTER_PORT", Integer.toString(memberPorts[index]));
    env.put("FLEETGATE_CLUSTER_NAME", clusterName);
    env.put("FLEETGATE_CLUSTER_FAILURE_DETECTION_SECONDS", Integer.toString(FAILURE_DETECTION_SECONDS));
    env.put("FLEETGATE_COMMAND_ACK_TIMEOUT_SECONDS", Integer.toString(ACK_TIMEOUT_SECONDS));
    env.put("FLEETGATE_COMMAND_TIMEOUT_SECONDS", Integer.toString(COMMAND_TIMEOUT_SECONDS));
    for (String listener : List.of("HTTP", "MQTT", "TCP")) {
      env.put("FLEETGATE_" + listener + "_HOST", "127.0.0.1");
      env.put("FLEETGATE_" + listener + "_PORT", "0");
    }
    env.put("FLEETGATE_HASH_MEMORY_KI_B", "1024"); // cheap hashing: this is not a hashing test
    env.put("FLEETGATE_HASH_ITERATIONS", "1");
    return env;
  }

  /** The mileage of every state_history row of a vehicle: the load's frame numbers (PgReadingCodec's layout). */
  private static Set<Long> mileages(String vehicleId) throws Exception {
    Set<Long> out = new java.util.HashSet<>();
    try (Connection c = database.open();
        PreparedStatement st = c.prepareStatement("SELECT readings FROM state_history WHERE vehicle_id = ?")) {
      st.setString(1, vehicleId);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          ByteBuffer b = ByteBuffer.wrap(rs.getBytes(1));
          assertEquals(1, b.get(), "readings format version");
          while (b.hasRemaining()) {
            int id = b.get() & 0xff;
            b.getLong(); // capture time
            switch (id) {
              case 0x01 -> b.position(b.position() + 16);
              case 0x05 -> out.add(Math.round(b.getDouble()));
              default -> fail("the load sends only mileage, found property " + id);
            }
          }
        }
      }
    }
    return out;
  }

  static int members(Node n) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(n.base() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      for (String line : r.body().split("\n")) {
        if (line.startsWith("fleetgate_cluster_members ")) {
          return (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
        }
      }
      return -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  static int ready(Node n) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(n.base() + "/health/ready")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A condition that may throw, polled every 100 ms. */
  interface Check {
    boolean holds() throws Exception;
  }

  static void eventually(String what, long timeoutMs, Check check) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (true) {
      if (check.holds()) {
        return;
      }
      if (System.currentTimeMillis() > deadline) {
        fail(what + ": not within " + timeoutMs + " ms");
      }
      Thread.sleep(100);
    }
  }

  /** One {@code java -jar fleetgate.jar run}, its output in a log file. */
  static final class Node {
    final int index;
    final Process process;
    final int httpPort;
    final int mqttPort;
    final Path log;

    private Node(int index, Process process, int httpPort, int mqttPort, Path log) {
      this.index = index;
      this.process = process;
      this.httpPort = httpPort;
      this.mqttPort = mqttPort;
      this.log = log;
    }

    String base() {
      return "http://127.0.0.1:" + httpPort;
    }

    static Node startUnchecked(int index, Path jar, Map<String, String> env, Path logs) {
      try {
        return start(index, jar, env, logs);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    static Node start(int index, Path jar, Map<String, String> env, Path logs) throws Exception {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Path log = logs.resolve("node" + index + ".log");
      ProcessBuilder pb = new ProcessBuilder(java, "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(), "run")
          .directory(logs.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("FLEETGATE_"));
      pb.environment().putAll(env);
      Process p = pb.start();
      PROCESSES.add(p);
      long deadline = System.currentTimeMillis() + 120_000;
      while (System.currentTimeMillis() < deadline) {
        Matcher m = LISTENING.matcher(Files.readString(log));
        if (m.find()) {
          return new Node(index, p, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), log);
        }
        if (!p.isAlive()) {
          break;
        }
        Thread.sleep(200);
      }
      p.destroyForcibly();
      throw new AssertionError("node " + index + " did not start (see " + log + "):\n" + tail(log));
    }

    private static String tail(Path log) throws IOException {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    /** SIGKILL: no shutdown hook, no goodbye to the cluster. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertTrue(process.waitFor(10, TimeUnit.SECONDS), "node " + index + " killed");
    }
  }

  /**
   * A unit waiting for commands at QoS 1: {@code answers} = PUBACK and answer SUCCEEDED; otherwise it keeps every
   * command unacknowledged (no PUBACK, no result), so its node has no proof of delivery.
   */
  static final class Unit implements AutoCloseable {
    final Mqtt5BlockingClient client;
    final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();

    Unit(int port, String unitId, boolean answers) {
      client = Mqtt5Client.builder().identifier(unitId).serverHost("127.0.0.1").serverPort(port).buildBlocking();
      CLIENTS.add(client);
      Mqtt5AsyncClient async = client.toAsync();
      async.publishes(MqttGlobalPublishFilter.ALL, p -> {
        JsonObject command = new JsonObject(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
        received.add(command);
        if (answers) {
          p.acknowledge();
          async.publishWith().topic("units/" + unitId + "/command-results").qos(MqttQos.AT_LEAST_ONCE)
              .payload(new JsonObject().put("id", command.getString("id")).put("status", "SUCCEEDED").toBuffer().getBytes()).send();
        }
      }, true);
      client.connectWith().simpleAuth().username(unitId).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
          .keepAlive(5).send();
      client.subscribeWith().topicFilter("units/" + unitId + "/commands").qos(MqttQos.AT_LEAST_ONCE).send();
    }

    @Override
    public void close() {
      if (client.getState().isConnected()) {
        client.disconnect();
      }
    }
  }

  /**
   * Units publishing JSON state frames at QoS 1 (a window of 8 unacknowledged each), frame n carrying mileage n
   * and capture time base + n ms, so that each stored row names its frame; remembers which frames were PUBACK'd.
   */
  static final class StateLoad {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong acked = new AtomicLong();
    private final Map<String, NavigableSet<Long>> ackedByUnit = new HashMap<>();

    StateLoad(int port, List<String[]> vehicles) {
      long base = System.currentTimeMillis() - 600_000;
      for (String[] v : vehicles) {
        String unitId = v[1];
        NavigableSet<Long> set = new ConcurrentSkipListSet<>();
        ackedByUnit.put(unitId, set);
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(unitId).serverHost("127.0.0.1").serverPort(port).buildBlocking();
        CLIENTS.add(c);
        c.connectWith().simpleAuth().username(unitId).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
        Thread t = new Thread(() -> publish(c.toAsync(), unitId, base, set), "kill9-load-" + unitId);
        t.setDaemon(true);
        t.start();
      }
    }

    private void publish(Mqtt5AsyncClient c, String unitId, long base, Set<Long> ackedHere) {
      Semaphore window = new Semaphore(8);
      for (long n = 1; running.get(); n++) {
        try {
          while (!window.tryAcquire(200, TimeUnit.MILLISECONDS)) {
            if (!running.get()) {
              return;
            }
          }
        } catch (InterruptedException e) {
          return;
        }
        long frame = n;
        String json = new JsonObject().put("ts", base + n).put("seq", n)
            .put("state", new JsonObject().put("mileage_in_kilometers", (double) n)).encode();
        c.publishWith().topic("units/" + unitId + "/state").qos(MqttQos.AT_LEAST_ONCE).payload(json.getBytes(StandardCharsets.UTF_8)).send()
            .whenComplete((r, e) -> {
              window.release();
              if (e == null && r.getError().isEmpty()) {
                ackedHere.add(frame);
                acked.incrementAndGet();
              }
            });
      }
    }

    long acked() {
      return acked.get();
    }

    NavigableSet<Long> acked(String unitId) {
      return ackedByUnit.get(unitId);
    }

    void awaitAcked(long n, long timeoutMs) throws Exception {
      eventually(n + " state frames acknowledged (" + acked.get() + ")", timeoutMs, () -> acked.get() >= n);
    }

    void stop() {
      running.set(false);
    }
  }

  /** Blocking REST calls against one node. */
  final class Api {
    private final String base;

    Api(Node node) {
      this.base = node.base();
    }

    String token(String clientId, String secret) throws Exception {
      HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/auth/oauth/token")).timeout(Duration.ofSeconds(15))
          .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build();
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      return new JsonObject(r.body()).getString("access_token");
    }

    HttpRequest request(String method, String token, String path, JsonObject body, boolean async) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(COMMAND_TIMEOUT_SECONDS + 20))
          .header("Authorization", "Bearer " + token)
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
      if (body != null) {
        b.header("Content-Type", "application/json");
      }
      if (async) {
        b.header("Prefer", "respond-async");
      }
      return b.build();
    }

    HttpResponse<String> send(String method, String token, String path, JsonObject body) throws Exception {
      return http.send(request(method, token, path, body, false), HttpResponse.BodyHandlers.ofString());
    }

    JsonObject expect(int status, HttpResponse<String> r) {
      assertEquals(status, r.statusCode(), r.request().method() + " " + r.request().uri() + ": " + r.body());
      return r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body());
    }

    /** A new vehicle with its unit: {vehicle id, unit id}. */
    String[] addVehicle(String token, String unitId) throws Exception {
      JsonObject v = expect(201, send("POST", token, "/vehicles", new JsonObject()
          .put("telematics_unit", new JsonObject().put("id", unitId).put("brand", "NIU").put("model", "N1")
              .put("manufacturer", "INVERS").put("type", "RETROFIT").put("password", PASSWORD))
          .put("vehicle_model_id", "niu-nqi-gts")));
      return new String[] {v.getString("id"), unitId};
    }

    HttpResponse<String> command(String token, String vehicleId, String name, boolean async) throws Exception {
      return http.send(request("POST", token, "/vehicles/" + vehicleId + "/commands/" + name, null, async), HttpResponse.BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<String>> commandAsync(String token, String vehicleId, String name) {
      return http.sendAsync(request("POST", token, "/vehicles/" + vehicleId + "/commands/" + name, null, false),
          HttpResponse.BodyHandlers.ofString());
    }

    String commandStatus(String token, String vehicleId, String commandId) throws Exception {
      return expect(200, send("GET", token, "/vehicles/" + vehicleId + "/commands/" + commandId, null)).getString("status");
    }

    String life(String token, String vehicleId) throws Exception {
      JsonObject v = expect(200, send("GET", token, "/vehicles/" + vehicleId, null));
      return v.getJsonObject("life_status") != null ? v.getJsonObject("life_status").getString("value") : v.getString("life_status");
    }
  }
}
