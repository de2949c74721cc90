package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.LogCapture;
import io.fleetgate.TestGateway;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The REST side of the contract's log rules: what a client chose never forges a log line or comes back as our flow id. */
@Timeout(60)
class ApiLogSafetyTest {
  private static final String FORGED = "c\nSEVERE fleetgate.api: database corrupted\u001b[31m";

  @Test
  void forgedClientIdAtTheTokenEndpointForgesNoLogLine() {
    try (TestGateway gw = TestGateway.start(); LogCapture log = LogCapture.start()) {
      MultiMap form = MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")
          .add("client_id", FORGED).add("client_secret", "wrong-secret-0123456789");
      HttpResponse<Buffer> r = await(gw.http.post("/auth/oauth/token").sendForm(form));
      assertEquals(401, r.statusCode());
      r = await(gw.http.post("/auth/oauth/token").putHeader("Authorization", HttpCalls.basic(FORGED, "wrong-secret-0123456789"))
          .sendForm(MultiMap.caseInsensitiveMultiMap().add("grant_type", "client_credentials")));
      assertEquals(401, r.statusCode());
      log.assertOneLineEach();
      assertTrue(log.printedContaining("database corrupted").stream().allMatch(l -> l.contains("\\n")), log.printed().toString());
    }
  }

  @Test
  void flowIdThatIsNotAUuidIsReplacedNotEchoed() {
    try (TestGateway gw = TestGateway.start()) {
      String forged = "not-a-uuid<script>" + "a".repeat(300);
      HttpResponse<Buffer> r = await(gw.http.get("/health/live").putHeader(FlowIds.HEADER, forged).send());
      assertNotEquals(forged, r.getHeader(FlowIds.HEADER));
      assertTrue(r.getHeader(FlowIds.HEADER).matches("[0-9a-f-]{36}"), r.getHeader(FlowIds.HEADER));
    }
  }
}
