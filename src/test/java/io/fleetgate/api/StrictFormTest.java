package io.fleetgate.api;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.api.VehicleApi.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fleetgate.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The token endpoint's form body and query are strict too: invalid percent-encoding or percent-encoded bytes
 * that are not UTF-8 are a 400 validation problem naming the parameter, not a guess (Netty's decoder replaces
 * invalid UTF-8), and a correct request keeps working.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StrictFormTest {
  static TestGateway gw;
  static JsonObject client;

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
    client = AuthRoutesTest.newFleetClient(gw, "vehicles");
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static HttpResponse<Buffer> form(String uri, byte[] body) {
    return await(gw.http.post(uri).putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(Buffer.buffer(body)));
  }

  /** A correct form with {@code raw} (already encoded, possibly spoiled) appended to the client id. */
  static byte[] formWithId(String raw) {
    return ("grant_type=client_credentials&client_id=" + client.getString("client_id") + raw + "&client_secret="
        + URLEncoder.encode(client.getString("client_secret"), StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void spoiledFormsAreValidationErrors() {
    Map<String, byte[]> bad = new LinkedHashMap<>();
    bad.put("not hex", formWithId("%zz"));
    bad.put("truncated escape", formWithId("%4"));
    bad.put("escape at the end", ("grant_type=client_credentials%").getBytes(StandardCharsets.US_ASCII));
    bad.put("invalid UTF-8", formWithId("%C3%28"));
    bad.put("overlong UTF-8", formWithId("%C0%AF"));
    bad.put("encoded surrogate", formWithId("%ED%A0%80"));
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    raw.writeBytes(formWithId(""));
    raw.writeBytes(HexFormat.of().parseHex("26783dc328")); // &x=<invalid UTF-8 bytes, not escaped>
    bad.put("raw invalid UTF-8", raw.toByteArray());
    for (Map.Entry<String, byte[]> e : bad.entrySet()) {
      HttpResponse<Buffer> r = form(AuthRoutes.TOKEN_PATH, e.getValue());
      assertEquals(400, r.statusCode(), e.getKey() + ": " + r.bodyAsString());
      assertProblem(r, 400, "validation-error");
      assertNotNull(r.bodyAsJsonObject().getJsonArray("errors"), e.getKey() + ": " + r.bodyAsString());
    }
    // a bad query next to a form body: Vert.x's body handler threw and the request was never answered
    for (String query : new String[] {"?grant_type=client%zz", "?scope=%C3%28", "?x=%E0%80%80", "?a%=1"}) {
      HttpResponse<Buffer> r = form(AuthRoutes.TOKEN_PATH + query, formWithId(""));
      assertEquals(400, r.statusCode(), query + ": " + r.bodyAsString());
      assertProblem(r, 400, "validation-error");
    }

    HttpResponse<Buffer> good = form(AuthRoutes.TOKEN_PATH, formWithId(""));
    assertEquals(200, good.statusCode(), good.bodyAsString());
    assertNotNull(good.bodyAsJsonObject().getString("access_token"));
  }
}
