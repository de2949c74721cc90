package io.fleetgate.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Readiness evaluation without a network: outcomes, timeouts, misbehaving checks. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReadinessTest {

  static Readiness.Report evaluate(Readiness r) throws Exception {
    return r.evaluate().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void noChecksMeansReady() throws Exception {
    Readiness.Report report = evaluate(new Readiness());
    assertTrue(report.up());
    assertEquals(new JsonObject().put("status", "UP").put("checks", new io.vertx.core.json.JsonArray()), report.toJson());
  }

  @Test
  void upListsEveryCheck() throws Exception {
    Readiness r = new Readiness()
        .register(ReadinessCheck.of("a", () -> Future.succeededFuture(ReadinessCheck.Result.up("fine"))))
        .register(ReadinessCheck.of("b", () -> Future.succeededFuture(ReadinessCheck.Result.up("also fine"))));
    JsonObject json = evaluate(r).toJson();
    assertEquals("UP", json.getString("status"));
    assertEquals(2, json.getJsonArray("checks").size());
  }

  @Test
  void aSlowThrowingOrNullCheckIsDownNotAnError() throws Exception {
    Readiness r = new Readiness(50)
        .register(ReadinessCheck.of("slow", () -> Promise.<ReadinessCheck.Result>promise().future()))
        .register(ReadinessCheck.of("throws", () -> {
          throw new IllegalStateException("pool closed");
        }))
        .register(ReadinessCheck.of("null", () -> null))
        .register(ReadinessCheck.of("ok", () -> Future.succeededFuture(ReadinessCheck.Result.up("fine"))));
    Readiness.Report report = evaluate(r);
    assertFalse(report.up());
    JsonObject json = report.toJson();
    assertEquals("DOWN", json.getString("status"));
    assertEquals(3, json.getJsonArray("checks").size(), json.encode());
    assertEquals("no answer within 50 ms", json.getJsonArray("checks").getJsonObject(0).getString("detail"));
    assertEquals("pool closed", json.getJsonArray("checks").getJsonObject(1).getString("detail"));
    assertEquals("null", json.getJsonArray("checks").getJsonObject(2).getString("name"));
  }

  @Test
  void namesAreUnique() {
    Readiness r = new Readiness().register(ReadinessCheck.of("store", () -> Future.succeededFuture(ReadinessCheck.Result.up(""))));
    assertThrows(IllegalArgumentException.class,
        () -> r.register(ReadinessCheck.of("store", () -> Future.succeededFuture(ReadinessCheck.Result.up("")))));
  }
}
