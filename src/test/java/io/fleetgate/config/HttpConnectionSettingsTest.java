package io.fleetgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The connection settings of issue 12: defaults, and one clear line naming a bad value. */
class HttpConnectionSettingsTest {

  @Test
  void defaults() {
    GatewayConfig.Http http = ConfigLoader.of(Map.of()).http();
    assertEquals(256, http.maxConnectionsPerAddress());
    assertEquals(10, http.requestHeaderTimeoutSeconds());
    assertEquals(1024, http.minBodyBytesPerSecond());
    assertEquals(Set.of(), http.trustedProxies());
  }

  @Test
  void trustedProxiesAreIpLiteralsNormalizedAsSocketsReportThem() {
    GatewayConfig.Http http = ConfigLoader.of(Map.of("http.trustedProxies", "10.0.0.1, ::1")).http();
    assertEquals(Set.of("10.0.0.1", "0:0:0:0:0:0:0:1"), http.trustedProxies());
  }

  @Test
  void badValuesNameTheirSetting() {
    assertEquals("http.trustedProxies (FLEETGATE_HTTP_TRUSTED_PROXIES): must be comma-separated IP addresses, got 'proxy.example'",
        assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("http.trustedProxies", "10.0.0.1,proxy.example"))).getMessage());
    assertEquals("http.maxConnectionsPerAddress (FLEETGATE_HTTP_MAX_CONNECTIONS_PER_ADDRESS): must be a whole number from 1 to 1000000, got '0'",
        assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("http.maxConnectionsPerAddress", 0))).getMessage());
    assertEquals("http.requestHeaderTimeoutSeconds (FLEETGATE_HTTP_REQUEST_HEADER_TIMEOUT_SECONDS): must be a whole number from 1 to 300, got '0'",
        assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("http.requestHeaderTimeoutSeconds", 0))).getMessage());
    assertEquals("http.minBodyBytesPerSecond (FLEETGATE_HTTP_MIN_BODY_BYTES_PER_SECOND): must be a whole number from 1 to 100000000, got '0'",
        assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("http.minBodyBytesPerSecond", 0))).getMessage());
  }
}
