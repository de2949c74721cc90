package io.fleetgate.api;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque pagination cursors: base64url of a small JSON object that carries everything needed to produce the
 * page (position, limit, filters). Clients must not build or change them; anything that does not decode is a
 * 400 "bad cursor". Cursors are not secret, so they are not signed: they only ever select among what the
 * caller may see anyway.
 */
public final class Cursors {
  private static final int MAX_LENGTH = 4096;

  private Cursors() {}

  public static String encode(JsonObject state) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(state.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** The state of a cursor; a 400 validation problem for anything malformed. */
  public static JsonObject decode(String cursor) {
    if (cursor == null || cursor.isEmpty() || cursor.length() > MAX_LENGTH) {
      throw Problems.validation("/cursor", "bad cursor");
    }
    try {
      return new JsonObject(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw Problems.validation("/cursor", "bad cursor");
    }
  }
}
