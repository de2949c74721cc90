package io.fleetgate.auth;

import static io.fleetgate.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The verified-token cache: a token's signature is checked once, a tampered one is never served from it. */
class TokenServiceCacheTest {
  private final Vertx vertx = Vertx.vertx();
  private final TokenService tokens = TokenService.create(vertx, null, "fleetgate", 900);

  @AfterEach
  void close() {
    await(vertx.close());
  }

  @Test
  void aTokenSeenBeforeIsAnsweredFromTheCache() {
    String token = tokens.issue("client-a", "fleet-a", EnumSet.of(Permission.VEHICLES));
    JsonObject first = await(tokens.verify(token));
    assertEquals("client-a", first.getString("sub"));
    assertEquals(900, first.getLong("exp") - first.getLong("iat"), "claims carry exp and iat");
    assertEquals(null, first.getValue("access_token"), "the raw token is not kept in the claims");
    assertSame(first, await(tokens.verify(token)), "second check must be a cache hit");
  }

  @Test
  void aTamperedTokenFailsEvenAfterTheGenuineOneWasCached() {
    String token = tokens.issue("client-a", "fleet-a", EnumSet.of(Permission.VEHICLES));
    await(tokens.verify(token));
    String tampered = token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BB" : "AA");
    assertThrows(RuntimeException.class, () -> await(tokens.verify(tampered)));
  }
}
