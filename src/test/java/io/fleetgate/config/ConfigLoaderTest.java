package io.fleetgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Defaults, then the file, then {@code FLEETGATE_*}; every bad value a {@link ConfigException} naming its setting. */
class ConfigLoaderTest {
  @TempDir
  Path dir;
  Path empty;

  @BeforeEach
  void emptyFile() throws Exception {
    empty = Files.writeString(dir.resolve("empty.json"), "{}");
  }

  GatewayConfig load(Map<String, String> env) {
    return ConfigLoader.load(empty, env);
  }

  void assertRejected(Map<String, String> env, String setting) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(env));
    assertTrue(e.getMessage().contains(setting), () -> "'" + e.getMessage() + "' should name " + setting);
  }

  @Test
  void defaults() {
    GatewayConfig c = load(Map.of());
    assertEquals(8080, c.http().port());
    assertEquals(1884, c.mqtt().port());
    assertEquals(8884, c.mqtt().tlsPort());
    assertEquals(5100, c.tcp().port());
    assertEquals(5101, c.tcp().tlsPort());
    assertEquals(65536, c.http().bodyLimitBytes());
    assertEquals(900, c.jwt().ttlSeconds());
    assertEquals(20, c.commandTimeoutSeconds());
    assertNull(c.dbUrl());
    assertNull(c.amqpUrl());
    assertNull(c.admin().clientId());
    assertNull(c.jwt().keyFile());
  }

  @Test
  void everyContractVariableIsASetting() {
    Set<String> names = new HashSet<>();
    Settings.ALL.values().forEach(s -> names.add(s.envName()));
    for (String v : List.of("FLEETGATE_HTTP_PORT", "FLEETGATE_MQTT_PORT", "FLEETGATE_MQTT_TLS_PORT", "FLEETGATE_TCP_PORT",
        "FLEETGATE_TCP_TLS_PORT", "FLEETGATE_DB_URL", "FLEETGATE_AMQP_URL", "FLEETGATE_ADMIN_CLIENT_ID",
        "FLEETGATE_ADMIN_CLIENT_SECRET", "FLEETGATE_JWT_KEY", "FLEETGATE_COMMAND_TIMEOUT_SECONDS", "FLEETGATE_TLS_CERT",
        "FLEETGATE_TLS_KEY", "FLEETGATE_TLS_CLIENT_CA")) {
      assertTrue(names.contains(v), v);
    }
    assertEquals("FLEETGATE_HTTP_BODY_LIMIT_BYTES", Settings.ALL.get("http.bodyLimitBytes").envName());
  }

  @Test
  void environmentOverridesDefaults(@TempDir Path keys) throws Exception {
    Path key = Files.writeString(keys.resolve("k.pem"), "not checked here");
    Map<String, String> env = new HashMap<>();
    env.put("FLEETGATE_HTTP_PORT", "9090");
    env.put("FLEETGATE_MQTT_PORT", " 0 ");
    env.put("FLEETGATE_MQTT_TLS_PORT", "8885");
    env.put("FLEETGATE_TCP_PORT", "5200");
    env.put("FLEETGATE_TCP_TLS_PORT", "5201");
    env.put("FLEETGATE_HTTP_BODY_LIMIT_BYTES", "2048");
    env.put("FLEETGATE_COMMAND_TIMEOUT_SECONDS", "45");
    env.put("FLEETGATE_JWT_TTL_SECONDS", "60");
    env.put("FLEETGATE_JWT_KEY", key.toString());
    env.put("FLEETGATE_DB_URL", "postgresql://db.local:5432/fleetgate");
    env.put("FLEETGATE_AMQP_URL", "amqp://guest:guest@mq.local:5672");
    env.put("FLEETGATE_ADMIN_CLIENT_ID", "root-admin");
    env.put("FLEETGATE_ADMIN_CLIENT_SECRET", "sixteen-chars-at-least");
    GatewayConfig c = load(env);
    assertEquals(9090, c.http().port());
    assertEquals(0, c.mqtt().port());
    assertEquals(8885, c.mqtt().tlsPort());
    assertEquals(5200, c.tcp().port());
    assertEquals(5201, c.tcp().tlsPort());
    assertEquals(2048, c.http().bodyLimitBytes());
    assertEquals(45, c.commandTimeoutSeconds());
    assertEquals(60, c.jwt().ttlSeconds());
    assertEquals(key.toString(), c.jwt().keyFile());
    assertEquals("postgresql://db.local:5432/fleetgate", c.dbUrl());
    assertEquals("amqp://guest:guest@mq.local:5672", c.amqpUrl());
    assertEquals("root-admin", c.admin().clientId());
    assertEquals("sixteen-chars-at-least", c.admin().clientSecret());
  }

  @Test
  void environmentOverridesTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("f.json"), "{\"http\": {\"port\": 7000, \"host\": \"127.0.0.1\"}}");
    assertEquals(7000, ConfigLoader.load(file, Map.of()).http().port());
    assertEquals("127.0.0.1", ConfigLoader.load(file, Map.of()).http().host());
    assertEquals(7001, ConfigLoader.load(file, Map.of("FLEETGATE_HTTP_PORT", "7001")).http().port());
    assertEquals(7000, ConfigLoader.load(null, Map.of("FLEETGATE_CONFIG", file.toString())).http().port());
  }

  @Test
  void badValuesNameTheSetting() {
    assertRejected(Map.of("FLEETGATE_HTTP_PORT", "eighty"), "FLEETGATE_HTTP_PORT");
    assertRejected(Map.of("FLEETGATE_HTTP_PORT", "70000"), "http.port");
    assertRejected(Map.of("FLEETGATE_MQTT_PORT", "-1"), "mqtt.port");
    assertRejected(Map.of("FLEETGATE_JWT_TTL_SECONDS", "5"), "jwt.ttlSeconds");
    assertRejected(Map.of("FLEETGATE_JWT_KEY", dir.resolve("nope.pem").toString()), "jwt.key");
    assertRejected(Map.of("FLEETGATE_TLS_CERT", dir.resolve("nope.crt").toString()), "tls.cert");
    assertRejected(Map.of("FLEETGATE_ADMIN_CLIENT_ID", "root-admin"), "admin.clientSecret");
    assertRejected(Map.of("FLEETGATE_ADMIN_CLIENT_SECRET", "sixteen-chars-at-least"), "admin.clientId");
    assertRejected(Map.of("FLEETGATE_ADMIN_CLIENT_ID", "root-admin", "FLEETGATE_ADMIN_CLIENT_SECRET", "short"),
        "admin.clientSecret");
    assertRejected(Map.of("FLEETGATE_ADMIN_CLIENT_ID", "no spaces!", "FLEETGATE_ADMIN_CLIENT_SECRET", "sixteen-chars-at-least"),
        "admin.clientId");
    assertRejected(Map.of("FLEETGATE_DB_URL", "mysql://db.local/fleetgate"), "db.url");
    assertRejected(Map.of("FLEETGATE_DB_URL", "not a url"), "db.url");
    assertRejected(Map.of("FLEETGATE_AMQP_URL", "http://mq.local"), "amqp.url");
  }

  @Test
  void badFilesAreRejected() throws Exception {
    Path unknownKey = Files.writeString(dir.resolve("a.json"), "{\"http\": {\"prot\": 8080}}");
    ConfigException e1 = assertThrows(ConfigException.class, () -> ConfigLoader.load(unknownKey, Map.of()));
    assertTrue(e1.getMessage().contains("http.prot"), e1.getMessage());
    Path unknownSection = Files.writeString(dir.resolve("b.json"), "{\"htp\": {\"port\": 8080}}");
    ConfigException e2 = assertThrows(ConfigException.class, () -> ConfigLoader.load(unknownSection, Map.of()));
    assertTrue(e2.getMessage().contains("htp.port"), e2.getMessage());
    Path wrongType = Files.writeString(dir.resolve("c.json"), "{\"http\": {\"port\": \"x\"}}");
    ConfigException e3 = assertThrows(ConfigException.class, () -> ConfigLoader.load(wrongType, Map.of()));
    assertTrue(e3.getMessage().contains("http.port"), e3.getMessage());
    Path notJson = Files.writeString(dir.resolve("d.json"), "port = 8080");
    assertThrows(ConfigException.class, () -> ConfigLoader.load(notJson, Map.of()));
    ConfigException e4 = assertThrows(ConfigException.class, () -> ConfigLoader.load(dir.resolve("missing.json"), Map.of()));
    assertTrue(e4.getMessage().contains("missing.json"), e4.getMessage());
    assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("http.bogus", 1)));
  }
}
