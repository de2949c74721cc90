package io.fleetgate.auth;

import io.fleetgate.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import java.util.UUID;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.math.ec.ECPoint;

/**
 * Issues and verifies the gateway's access tokens (JWT, ES256 or RS256). The key comes from a PEM file or is
 * made at start-up; either way it is turned into one JWK that both signs and is published (public part)
 * at {@code /.well-known/jwks.json}.
 */
public final class TokenService {
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  private static final int CACHE_MAX = 100_000;

  private final JWTAuth jwt;
  private final JsonObject publicJwk;
  private final String algorithm;
  private final String issuer;
  private final int ttlSeconds;
  private final boolean ephemeral;
  /**
   * Tokens already verified → their claims, until they expire. Every REST request carries a token that its
   * client reuses for the token's whole life, and a signature check costs 50 µs (RS256) to 1 ms (ES256 on
   * JDK 17): a hit is one map lookup. Bounded; cleared when full.
   */
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();

  private TokenService(Vertx vertx, JsonObject privateJwk, String issuer, int ttlSeconds, boolean ephemeral) {
    this.algorithm = privateJwk.getString("alg");
    this.issuer = issuer;
    this.ttlSeconds = ttlSeconds;
    this.ephemeral = ephemeral;
    JsonObject pub = privateJwk.copy();
    for (String k : new String[] {"d", "p", "q", "dp", "dq", "qi"}) {
      pub.remove(k);
    }
    this.publicJwk = pub;
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addJwk(privateJwk)
        .setJWTOptions(new JWTOptions().setIssuer(issuer).setLeeway(5)));
  }

  /** From the PEM file at {@code keyFile}, or an ephemeral ES256 key when it is null. */
  public static TokenService create(Vertx vertx, String keyFile, String issuer, int ttlSeconds) {
    if (keyFile == null) {
      return new TokenService(vertx, ephemeralJwk(), issuer, ttlSeconds, true);
    }
    return new TokenService(vertx, jwkFromPem(keyFile), issuer, ttlSeconds, false);
  }

  public boolean isEphemeral() {
    return ephemeral;
  }

  public int ttlSeconds() {
    return ttlSeconds;
  }

  public String algorithm() {
    return algorithm;
  }

  public String issuer() {
    return issuer;
  }

  /** A signed token for a client. */
  public String issue(String clientId, String fleetId, Set<Permission> permissions) {
    JsonObject claims = new JsonObject()
        .put("sub", clientId)
        .put("scope", Permission.scope(permissions))
        .put("jti", UUID.randomUUID().toString());
    if (fleetId != null) {
      claims.put("fleet_id", fleetId);
    }
    return jwt.generateToken(claims, new JWTOptions()
        .setAlgorithm(algorithm)
        .setIssuer(issuer)
        .setExpiresInSeconds(ttlSeconds)
        .setHeader(new JsonObject().put("kid", publicJwk.getString("kid"))));
  }

  /**
   * The verified claims of a token: signature, algorithm, {@code exp} (required) and {@code iss} are checked,
   * and every claim the gateway reads has its type ({@link TokenClaims}). Fails for anything else, including
   * {@code alg: none}.
   */
  public Future<JsonObject> verify(String token) {
    long now = System.currentTimeMillis();
    Verified hit = verified.get(token);
    if (hit != null) {
      if (hit.expiresAtMs > now) {
        return Future.succeededFuture(hit.claims);
      }
      verified.remove(token);
    }
    return verifySignature(token).map(claims -> {
      Long exp = claims.getLong("exp");
      if (exp != null) {
        if (verified.size() >= CACHE_MAX) {
          verified.clear();
        }
        verified.put(token, new Verified(claims, exp * 1000));
      }
      return claims;
    });
  }

  /** The full check without the cache: what a token costs the first time (and what the benchmark measures). */
  public Future<JsonObject> verifySignature(String token) {
    Future<io.vertx.ext.auth.User> user;
    try {
      user = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      return Future.failedFuture(e); // a claim of an unexpected type can fail the library outside its future
    }
    return user.map(this::claimsOf);
  }

  /** The claims of a user the library accepted, checked for the shape the gateway issues ({@link TokenClaims}). */
  private JsonObject claimsOf(io.vertx.ext.auth.User user) {
    // vertx-auth-jwt keeps exp/iat in the user's attributes and the raw token in the principal
    JsonObject claims = user.principal().copy();
    claims.remove("access_token");
    for (String k : new String[] {"exp", "iat"}) {
      Object v = user.attributes().getValue(k);
      if (v != null) {
        claims.put(k, v);
      }
    }
    TokenClaims.check(claims, System.currentTimeMillis() / 1000, ttlSeconds);
    return claims;
  }

  private record Verified(JsonObject claims, long expiresAtMs) {}

  /** The public key set. */
  public JsonObject jwks() {
    return new JsonObject().put("keys", new JsonArray().add(publicJwk));
  }

  /**
   * An ephemeral RS256 key: RSA verification is about 20× cheaper than P-256 ECDSA on JDK 17, and the
   * gateway verifies far more often than it signs.
   */
  private static JsonObject ephemeralJwk() {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048);
      KeyPair pair = gen.generateKeyPair();
      return rsaJwk((RSAPrivateCrtKey) pair.getPrivate());
    } catch (Exception e) {
      throw new IllegalStateException("cannot generate an RSA key", e);
    }
  }

  private static JsonObject jwkFromPem(String keyFile) {
    String pem;
    try {
      pem = Files.readString(Path.of(keyFile));
    } catch (IOException e) {
      throw new ConfigException("jwt.key (FLEETGATE_JWT_KEY): cannot read '" + keyFile + "'");
    }
    if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
      throw new ConfigException("jwt.key (FLEETGATE_JWT_KEY): '" + keyFile
          + "' must be a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----); convert with 'openssl pkcs8 -topk8 -nocrypt'");
    }
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("jwt.key (FLEETGATE_JWT_KEY): '" + keyFile + "' is not valid PEM");
    }
    for (String kind : new String[] {"EC", "RSA"}) {
      try {
        PrivateKey key = KeyFactory.getInstance(kind).generatePrivate(new PKCS8EncodedKeySpec(der));
        if (key instanceof ECPrivateKey ec) {
          if (ec.getParams().getCurve().getField().getFieldSize() != 256) {
            throw new ConfigException("jwt.key (FLEETGATE_JWT_KEY): EC keys must be on P-256 (ES256)");
          }
          ECNamedCurveParameterSpec spec = ECNamedCurveTable.getParameterSpec("secp256r1");
          ECPoint q = spec.getG().multiply(ec.getS()).normalize();
          return ecJwk(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger(), ec.getS());
        }
        if (key instanceof RSAPrivateCrtKey rsa) {
          if (rsa.getModulus().bitLength() < 2048) {
            throw new ConfigException("jwt.key (FLEETGATE_JWT_KEY): RSA keys must have at least 2048 bits");
          }
          return rsaJwk(rsa);
        }
      } catch (ConfigException e) {
        throw e;
      } catch (Exception ignored) {
        // try the next kind
      }
    }
    throw new ConfigException("jwt.key (FLEETGATE_JWT_KEY): '" + keyFile + "' is neither an EC P-256 nor an RSA private key");
  }

  private static JsonObject rsaJwk(RSAPrivateCrtKey rsa) {
    JsonObject jwk = new JsonObject().put("kty", "RSA").put("alg", "RS256").put("use", "sig")
        .put("n", b64(rsa.getModulus(), 0)).put("e", b64(rsa.getPublicExponent(), 0))
        .put("d", b64(rsa.getPrivateExponent(), 0)).put("p", b64(rsa.getPrimeP(), 0))
        .put("q", b64(rsa.getPrimeQ(), 0)).put("dp", b64(rsa.getPrimeExponentP(), 0))
        .put("dq", b64(rsa.getPrimeExponentQ(), 0)).put("qi", b64(rsa.getCrtCoefficient(), 0));
    return jwk.put("kid", kid(jwk.getString("n")));
  }

  private static JsonObject ecJwk(BigInteger x, BigInteger y, BigInteger d) {
    String xs = b64(x, 32);
    return new JsonObject().put("kty", "EC").put("crv", "P-256").put("alg", "ES256").put("use", "sig")
        .put("kid", kid(xs)).put("x", xs).put("y", b64(y, 32)).put("d", b64(d, 32));
  }

  private static String kid(String material) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(material.getBytes());
      return B64URL.encodeToString(digest).substring(0, 16);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Unsigned big-endian base64url, left-padded to {@code size} bytes when size > 0. */
  private static String b64(BigInteger v, int size) {
    byte[] raw = v.toByteArray();
    int start = raw.length > 1 && raw[0] == 0 ? 1 : 0;
    int len = raw.length - start;
    byte[] out = new byte[Math.max(size, len)];
    System.arraycopy(raw, start, out, out.length - len, len);
    return B64URL.encodeToString(out);
  }
}
