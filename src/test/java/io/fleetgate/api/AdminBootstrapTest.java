package io.fleetgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fleetgate.TestGateway;
import io.fleetgate.config.ConfigLoader;
import io.fleetgate.config.GatewayConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The first platform administrator: from the environment, or generated and printed once. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminBootstrapTest {

  @Test
  void aConfiguredAdministratorGetsAToken(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("fleetgate.json"),
        "{\"http\": {\"host\": \"127.0.0.1\"}, \"mqtt\": {\"host\": \"127.0.0.1\"}, \"hash\": {\"memoryKiB\": 64, \"iterations\": 1}}");
    Map<String, String> env = Map.of(
        "FLEETGATE_HTTP_PORT", "0", "FLEETGATE_MQTT_PORT", "0", "FLEETGATE_TCP_PORT", "0",
        "FLEETGATE_ADMIN_CLIENT_ID", "ops-root", "FLEETGATE_ADMIN_CLIENT_SECRET", "a-long-configured-secret");
    GatewayConfig config = ConfigLoader.load(file, env);
    try (TestGateway gw = TestGateway.start(config)) {
      String token = AuthRoutesTest.tokenOf(gw, "ops-root", "a-long-configured-secret");
      assertEquals("ops-root", HttpCalls.payload(token).getString("sub"));
      assertEquals(200, HttpCalls.send(gw.http.get("/fleets"), token).statusCode());
      HttpCalls.problem(AuthRoutesTest.tokenBasic(gw, TestGateway.ADMIN_ID, TestGateway.ADMIN_SECRET), 401, "unauthorized");
    }
  }

  @Test
  void withoutOneAnAdministratorIsGeneratedAndPrinted() {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("admin.clientId", null);
    overrides.put("admin.clientSecret", null);
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    TestGateway gw;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      gw = TestGateway.start(overrides);
    } finally {
      System.setOut(original);
    }
    try (gw) {
      String out = captured.toString(StandardCharsets.UTF_8);
      Matcher id = Pattern.compile("client_id:\\s+(\\S+)").matcher(out);
      Matcher secret = Pattern.compile("client_secret:\\s+(\\S+)").matcher(out);
      assertEquals(true, id.find() && secret.find(), out);
      String token = AuthRoutesTest.tokenOf(gw, id.group(1), secret.group(1));
      assertNotNull(token);
      assertEquals(200, HttpCalls.send(gw.http.get("/fleets"), token).statusCode());
    }
  }
}
