package io.fleetgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cluster.*: unset members = a single node; a cluster needs db.url and jwt.key, and says which one is missing in one line. */
class ClusterSettingsTest {
  @TempDir
  Path dir;

  @Test
  void singleNodeByDefault() {
    GatewayConfig.Cluster c = ConfigLoader.of(Map.of()).cluster();
    assertFalse(c.enabled());
    assertEquals(List.of(), c.members());
    assertEquals("127.0.0.1", c.host());
    assertEquals(5701, c.port());
    assertEquals(0, c.busPort());
    assertEquals("fleetgate", c.name());
    assertEquals(10, c.failureDetectionSeconds());
  }

  @Test
  void clusterFromTheEnvironment() throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
        "FLEETGATE_CLUSTER_MEMBERS", "10.0.0.1:5701, 10.0.0.2:5701,node-c.internal:5702",
        "FLEETGATE_CLUSTER_HOST", "10.0.0.1", "FLEETGATE_CLUSTER_PORT", "5801", "FLEETGATE_CLUSTER_BUS_PORT", "5901",
        "FLEETGATE_CLUSTER_NAME", "prod-eu", "FLEETGATE_CLUSTER_FAILURE_DETECTION_SECONDS", "4",
        "FLEETGATE_DB_URL", "postgresql://postgres@127.0.0.1/fleet", "FLEETGATE_JWT_KEY", key()));
    GatewayConfig.Cluster c = ConfigLoader.load(Files.writeString(dir.resolve("empty.json"), "{}"), env).cluster();
    assertTrue(c.enabled());
    assertEquals(List.of("10.0.0.1:5701", "10.0.0.2:5701", "node-c.internal:5702"), c.members());
    assertEquals("10.0.0.1", c.host());
    assertEquals(5801, c.port());
    assertEquals(5901, c.busPort());
    assertEquals("prod-eu", c.name());
    assertEquals(4, c.failureDetectionSeconds());
  }

  @Test
  void clusterWithoutDatabaseNamesDbUrlInOneLine() throws Exception {
    String message = assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("cluster.members", "127.0.0.1:5701",
        "jwt.key", key()))).getMessage();
    assertEquals("db.url (FLEETGATE_DB_URL): required when cluster.members is set (every node of a cluster works on one PostgreSQL)",
        message);
    assertFalse(message.contains("\n"));
  }

  @Test
  void clusterWithoutSigningKeyNamesJwtKeyInOneLine() {
    String message = assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("cluster.members", "127.0.0.1:5701",
        "db.url", "postgresql://postgres@127.0.0.1/fleet"))).getMessage();
    assertEquals("jwt.key (FLEETGATE_JWT_KEY): required when cluster.members is set (every node signs and verifies tokens"
        + " with the same key)", message);
    assertFalse(message.contains("\n"));
  }

  @Test
  void clusterWithNeitherNamesTheDatabaseFirst() {
    assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("cluster.members", "127.0.0.1:5701")))
        .getMessage().startsWith("db.url (FLEETGATE_DB_URL): required when cluster.members is set"));
  }

  @Test
  void badValuesNameTheirSetting() throws Exception {
    Map<String, Object> base = Map.of("db.url", "postgresql://postgres@127.0.0.1/fleet", "jwt.key", key());
    for (String bad : new String[] {"127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", ":5701", "a b:5701"}) {
      Map<String, Object> settings = new HashMap<>(base);
      settings.put("cluster.members", "127.0.0.1:5701," + bad);
      assertEquals("cluster.members (FLEETGATE_CLUSTER_MEMBERS): must be comma-separated host:port entries, got '" + bad + "'",
          assertThrows(ConfigException.class, () -> ConfigLoader.of(settings), bad).getMessage());
    }
    assertEquals("cluster.host (FLEETGATE_CLUSTER_HOST): must be an IPv4 address of this machine, got 'localhost'",
        assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("cluster.host", "localhost"))).getMessage());
    assertEquals("cluster.port (FLEETGATE_CLUSTER_PORT): must be a whole number from 1 to 65535, got '0'",
        assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("cluster.port", 0))).getMessage());
    assertEquals("cluster.failureDetectionSeconds (FLEETGATE_CLUSTER_FAILURE_DETECTION_SECONDS): must be a whole number from 2 to 600,"
        + " got '1'", assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("cluster.failureDetectionSeconds", 1))).getMessage());
    assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("cluster.name", "a b"))).getMessage()
        .startsWith("cluster.name (FLEETGATE_CLUSTER_NAME): 1-100 characters"));
  }

  private String key() throws Exception {
    Path key = dir.resolve("jwt.pem");
    if (!Files.exists(key)) {
      io.fleetgate.TestKeys.write(dir, "jwt.pem", io.fleetgate.TestKeys.ecP256());
    }
    return key.toString();
  }
}
