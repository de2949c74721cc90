package io.fleetgate.api;

import io.fleetgate.problem.ProblemException;
import io.fleetgate.problem.Problems;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Opaque pagination cursors: base64url of a small JSON object that carries everything needed to produce the
 * page (position, limit, filters). Clients must not build or change them; anything that does not decode
 * exactly is a 400 "bad cursor". Cursors are not secret, so they are not signed: they only ever select among
 * what the caller may see anyway. Decoding is strict so that a changed cursor is refused rather than read
 * as something else: only the unpadded base64url alphabet in its one canonical form (no padding, no other
 * spelling of the same bytes), then strict JSON ({@link StrictJson}: UTF-8, no duplicate keys) holding an
 * object; the listing then checks the keys and their ranges ({@link PageCursor}).
 */
public final class Cursors {
  private static final int MAX_LENGTH = 4096;
  private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+");

  private Cursors() {}

  public static String encode(JsonObject state) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(state.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** The state of a cursor; a 400 validation problem at {@code /cursor} for anything malformed. */
  public static JsonObject decode(String cursor) {
    if (cursor == null || cursor.isEmpty() || cursor.length() > MAX_LENGTH) {
      throw bad("empty or longer than " + MAX_LENGTH + " characters");
    }
    if (!BASE64URL.matcher(cursor).matches()) {
      throw bad("not unpadded base64url");
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(cursor);
    } catch (IllegalArgumentException e) {
      throw bad("not unpadded base64url");
    }
    if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(cursor)) {
      throw bad("not unpadded base64url"); // unused low bits set: another spelling of the same bytes
    }
    Object state;
    try {
      state = StrictJson.parse(bytes);
    } catch (ProblemException e) {
      throw bad("not a JSON object");
    }
    if (!(state instanceof JsonObject o)) {
      throw bad("not a JSON object");
    }
    return o;
  }

  /** A bad cursor, with what is wrong with it (a cursor is the gateway's own output: the detail is short). */
  public static ProblemException bad(String why) {
    return Problems.validation("/cursor", "bad cursor (" + why + "); use a cursor exactly as a listing returned it");
  }
}
