package io.fleetgate.auth;

import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The shape every claim set must have once its signature holds, before anything reads it: a token is only as
 * good as what the gateway issues (see {@link TokenService#issue}). The signature library checks {@code exp}
 * only when it is there and takes it in whatever JSON type it comes, so a token without {@code exp} never
 * expired and a string {@code exp} or an array {@code sub} failed later with a 500; here each is refused.
 */
final class TokenClaims {
  /** Clock skew allowed on {@code exp} and {@code iat}, as for the signature check. */
  static final long LEEWAY_SECONDS = 5;

  private TokenClaims() {}

  /**
   * Fails with the reason unless: {@code sub} a non-empty string; {@code scope}, {@code fleet_id},
   * {@code jti} and {@code iss} absent or strings; {@code exp} an integer of seconds, not past and at most
   * {@code ttlSeconds} ahead (no longer-lived token was ever issued); {@code iat} absent or an integer of
   * seconds, not in the future.
   */
  static void check(JsonObject claims, long nowSeconds, long ttlSeconds) {
    Object sub = claims.getValue("sub");
    if (!(sub instanceof String s) || s.isEmpty()) {
      throw new IllegalArgumentException("sub is not a string");
    }
    for (String k : new String[] {"scope", "fleet_id", "jti", "iss"}) {
      Object v = claims.getValue(k);
      if (v != null && !(v instanceof String)) {
        throw new IllegalArgumentException(k + " is not a string");
      }
    }
    Long exp = seconds(claims.getValue("exp"));
    if (exp == null) {
      throw new IllegalArgumentException("exp is missing or not an integer");
    }
    if (exp + LEEWAY_SECONDS < nowSeconds) {
      throw new IllegalArgumentException("expired");
    }
    if (exp > nowSeconds + ttlSeconds + LEEWAY_SECONDS) {
      throw new IllegalArgumentException("exp is further ahead than any token the gateway issues");
    }
    Object iatValue = claims.getValue("iat");
    if (iatValue != null) {
      Long iat = seconds(iatValue);
      if (iat == null || iat > nowSeconds + LEEWAY_SECONDS) {
        throw new IllegalArgumentException("iat is not an integer or in the future");
      }
    }
  }

  /** A JSON number that is a whole number of seconds in {@code long} range, else null (strings, fractions, huge). */
  static Long seconds(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger b) {
      return b.bitLength() < 63 ? b.longValue() : null;
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? (long) d : null;
    }
    if (v instanceof BigDecimal d) {
      try {
        return d.longValueExact();
      } catch (ArithmeticException e) {
        return null;
      }
    }
    return null;
  }
}
