package io.fleetgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** console.tileUrl / console.tileAttribution: unset by default; a template that could widen the CSP is refused. */
class ConsoleSettingsTest {

  @Test
  void noTilesByDefault() {
    GatewayConfig.Console c = ConfigLoader.of(Map.of()).console();
    assertNull(c.tileUrl());
    assertNull(c.tileAttribution());
    assertNull(c.tileOrigin());
  }

  @Test
  void tileOriginIsTheTemplatesSchemeHostAndPort() {
    assertEquals("https://*.tile.example.org", ConfigLoader.of(Map.of("console.tileUrl",
        "https://{s}.tile.example.org/{z}/{x}/{y}.png")).console().tileOrigin());
    GatewayConfig.Console c = ConfigLoader.of(Map.of("console.tileUrl", "http://tiles.local:8081/osm/{z}/{x}/{y}.png",
        "console.tileAttribution", "© OpenStreetMap contributors")).console();
    assertEquals("http://tiles.local:8081", c.tileOrigin());
    assertEquals("© OpenStreetMap contributors", c.tileAttribution());
  }

  @Test
  void badValuesNameTheirSetting() {
    for (String bad : new String[] {"ftp://tiles.example/{z}/{x}/{y}", "https://tiles.example/{z}/{x}.png",
        "https://tiles.example; script-src *; /{z}/{x}/{y}", "https://tiles.example/{z}/{x}/{y} 'unsafe-inline'",
        "https://*/{z}/{x}/{y}", "//tiles.example/{z}/{x}/{y}"}) {
      String message = assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("console.tileUrl", bad)), bad).getMessage();
      assertEquals("console.tileUrl (FLEETGATE_CONSOLE_TILE_URL): must be an http:// or https:// URL template with a host"
          + " (optionally {s}.host) and {z}, {x} and {y} in its path, got '" + bad + "'", message);
    }
    assertEquals("console.tileAttribution (FLEETGATE_CONSOLE_TILE_ATTRIBUTION): needs console.tileUrl",
        assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("console.tileAttribution", "x"))).getMessage());
  }
}
