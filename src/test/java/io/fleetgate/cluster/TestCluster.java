package io.fleetgate.cluster;

import io.fleetgate.TestGateway;
import io.fleetgate.TestKeys;
import io.fleetgate.store.PgTestDatabase;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * N gateway nodes in one JVM for a test: each a {@link TestGateway} with its own clustered Vert.x and embedded
 * Hazelcast member on 127.0.0.1 (free ports, a cluster name of its own so parallel runs never merge), all on one
 * fresh PostgreSQL database and one jwt.key. Nodes start one after the other; node i lists nodes 0..i as members
 * (what is already there, and itself), so no node waits for members that are not up yet.
 *
 * <pre>{@code
 * try (TestCluster c = TestCluster.start(3)) { c.node(0) ... c.stop(2) ... }
 * }</pre>
 */
public final class TestCluster implements AutoCloseable {
  /** Short, so that a stopped member is declared dead within a test's patience. */
  public static final int FAILURE_DETECTION_SECONDS = 3;

  public final String name = "fleetgate-test-" + UUID.randomUUID().toString().substring(0, 8);
  public final PgTestDatabase database;
  private final Path keyDir;
  private final Map<String, Object> overrides;
  private final List<Integer> memberPorts = new ArrayList<>();
  private final List<TestGateway> nodes = new ArrayList<>();
  private final java.util.Set<Integer> cut = new java.util.HashSet<>();

  private TestCluster(PgTestDatabase database, Path keyDir, Map<String, Object> overrides) {
    this.database = database;
    this.keyDir = keyDir;
    this.overrides = overrides;
  }

  public static TestCluster start(int nodes) {
    return start(nodes, Map.of());
  }

  /** With extra settings for every node (dotted keys). */
  public static TestCluster start(int nodes, Map<String, Object> overrides) {
    PgTestDatabase db = PgTestDatabase.create();
    TestCluster cluster = null;
    try {
      Path dir = Files.createTempDirectory("fleetgate-cluster-key");
      TestKeys.write(dir, "jwt.pem", TestKeys.ecP256());
      cluster = new TestCluster(db, dir, overrides);
      for (int i = 0; i < nodes; i++) {
        cluster.add();
      }
      return cluster;
    } catch (IOException e) {
      db.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      if (cluster != null) {
        cluster.closeQuietly();
      } else {
        db.close();
      }
      throw e;
    }
  }

  /** Starts one more node, joining the ones already there; returns its index. */
  public int add() {
    return add(Map.of());
  }

  /** Starts one more node with settings of its own on top (e.g. its db.url through a proxy); returns its index. */
  public int add(Map<String, Object> nodeOverrides) {
    int port = freePort();
    memberPorts.add(port);
    StringBuilder members = new StringBuilder();
    for (int p : memberPorts) {
      members.append(members.length() == 0 ? "" : ",").append("127.0.0.1:").append(p);
    }
    Map<String, Object> settings = new HashMap<>();
    settings.put("db.url", database.url);
    settings.put("jwt.key", keyDir.resolve("jwt.pem").toString());
    settings.put("cluster.members", members.toString());
    settings.put("cluster.host", "127.0.0.1");
    settings.put("cluster.port", port);
    settings.put("cluster.busPort", 0);
    settings.put("cluster.name", name);
    settings.put("cluster.failureDetectionSeconds", FAILURE_DETECTION_SECONDS);
    settings.putAll(overrides);
    settings.putAll(nodeOverrides);
    List<TestGateway> running = nodes.stream().filter(java.util.Objects::nonNull).toList();
    running.forEach(TestGateway::suspendBlockedWatch);
    try {
      nodes.add(TestGateway.start(settings));
      // the checker reports a block up to its interval (1 s) after it began
      Thread.sleep(1_100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      running.forEach(TestGateway::resumeBlockedWatch);
    }
    return nodes.size() - 1;
  }

  public TestGateway node(int i) {
    return nodes.get(i);
  }

  public int size() {
    return nodes.size();
  }

  /** Stops node {@code i} as an operator would: its listeners, then its Vert.x (which leaves the cluster). */
  public void stop(int i) {
    TestGateway g = nodes.set(i, null);
    if (g == null) {
      return;
    }
    if (!cut.remove(i)) {
      g.close();
      return;
    }
    try {
      g.close(); // its Vert.x cannot leave a cluster it was cut off from: that failure is expected
    } catch (RuntimeException expected) {
      // the listeners and the store were closed before the failed leave
    }
  }

  /**
   * Node {@code i}'s Hazelcast member vanishes without saying goodbye (as after kill -9; its sockets close, so
   * the others may notice before the heartbeat deadline). The gateway itself keeps running until {@link #stop}
   * or {@link #close}, cut off from the cluster.
   */
  public void cutOff(int i) {
    cut.add(i);
    ((HazelcastClusterManager) ((io.vertx.core.internal.VertxInternal) nodes.get(i).vertx).clusterManager())
        .getHazelcastInstance().getLifecycleService().terminate();
  }

  /**
   * A vehicle and its unit in the database and in every running node's working set (until the write barrier
   * carries such changes between nodes, a test puts them everywhere itself).
   */
  public TestGateway.ProvisionedUnit provisionUnit(String fleetId, String unitId, String password, List<String> commands) {
    TestGateway first = firstRunning();
    TestGateway.ProvisionedUnit p = first.provisionUnit(fleetId, unitId, password, commands,
        java.util.Arrays.asList(io.fleetgate.vehicle.Property.values()));
    for (TestGateway g : nodes) {
      if (g != null && g != first) {
        g.gateway.directory.put(first.gateway.directory.fleet(fleetId));
        g.gateway.registry.put(first.gateway.registry.unit(unitId));
        g.gateway.registry.put(first.gateway.registry.vehicle(p.vehicleId()));
      }
    }
    return p;
  }

  /** A bearer token of a new client of {@code fleetId}, known to every running node. */
  public String token(String fleetId, io.fleetgate.auth.Permission... permissions) {
    TestGateway first = firstRunning();
    first.fleet(fleetId);
    java.util.EnumSet<io.fleetgate.auth.Permission> perms = java.util.EnumSet.noneOf(io.fleetgate.auth.Permission.class);
    perms.addAll(java.util.Arrays.asList(permissions));
    io.fleetgate.fleet.ApiClient client = new io.fleetgate.fleet.ApiClient("c-" + UUID.randomUUID(), fleetId, "test", perms,
        "$argon2id$unused", java.time.Instant.now());
    for (TestGateway g : nodes) {
      if (g != null) {
        g.gateway.directory.put(first.gateway.directory.fleet(fleetId));
        g.gateway.directory.put(client);
      }
    }
    return first.gateway.tokens.issue(client.clientId(), fleetId, perms);
  }

  private TestGateway firstRunning() {
    return nodes.stream().filter(java.util.Objects::nonNull).findFirst().orElseThrow();
  }

  /** The gateway's node id in the cluster. */
  public String nodeId(int i) {
    return nodes.get(i).gateway.cluster.nodeId();
  }

  @Override
  public void close() {
    Throwable first = null;
    for (int i = nodes.size() - 1; i >= 0; i--) {
      try {
        stop(i);
      } catch (RuntimeException | AssertionError e) {
        first = first == null ? e : first;
      }
    }
    database.close();
    deleteKey();
    if (first instanceof RuntimeException r) {
      throw r;
    }
    if (first instanceof AssertionError a) {
      throw a;
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException ignored) {
      // the start failure is what the test reports
    }
  }

  private void deleteKey() {
    try {
      Files.deleteIfExists(keyDir.resolve("jwt.pem"));
      Files.deleteIfExists(keyDir);
    } catch (IOException ignored) {
      // a temporary directory
    }
  }

  /** A port free on 127.0.0.1 right now (Hazelcast needs a fixed one: it does not take 0). */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
