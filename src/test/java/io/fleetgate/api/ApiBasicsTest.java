package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fleetgate.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiBasicsTest {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }


  @Test
  void everyResponseCarriesAFlowIdAndEchoesAUuidOne() throws Exception {
    String mine = UUID.randomUUID().toString();
    HttpResponse<Buffer> r = await(gw.http.get("/health/live").putHeader("X-Flow-ID", mine).send());
    assertEquals(200, r.statusCode());
    assertEquals(mine, r.getHeader("X-Flow-ID"));
    HttpResponse<Buffer> r2 = await(gw.http.get("/health/live").putHeader("X-Flow-ID", "not-a-uuid").send());
    UUID.fromString(r2.getHeader("X-Flow-ID"));
  }

  @Test
  void unknownRouteIsProblemJson404() throws Exception {
    HttpResponse<Buffer> r = await(gw.http.get("/no/such/thing").send());
    assertEquals(404, r.statusCode());
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    JsonObject body = r.bodyAsJsonObject();
    assertEquals("/problems/resource-not-found", body.getString("type"));
    assertEquals(404, body.getInteger("status"));
    assertEquals(r.getHeader("X-Flow-ID"), body.getString("flow_id"));
    assertNotNull(body.getString("title"));
  }

  @Test
  void nonJsonBodyIs415() throws Exception {
    HttpResponse<Buffer> r = await(gw.http.post("/fleets").putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("x")));
    assertEquals(415, r.statusCode());
    assertEquals("/problems/unsupported-media-type", r.bodyAsJsonObject().getString("type"));
  }
}
