package io.fleetgate.api;

import io.fleetgate.auth.Permission;
import io.fleetgate.auth.SecretVerifier;
import io.fleetgate.auth.TokenService;
import io.fleetgate.config.GatewayConfig;
import io.fleetgate.fleet.ApiClient;
import io.fleetgate.fleet.FleetDirectory;
import io.fleetgate.ops.RateLimiter;
import io.fleetgate.problem.Problems;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The OAuth 2.0 client-credentials token endpoint and the public key discovery documents. No bearer token
 * here: this is where tokens come from.
 *
 * <p>An unknown client and a wrong secret get the same answer, and cost the same Argon2 verification, so the
 * endpoint is no oracle for client ids.
 *
 * <p>Bounded so that it cannot be used to burn Argon2 CPU, nor to lock someone else out: an attempt that needs
 * a real password check (not answered from the verified-credential cache) takes a token from the bucket of its
 * remote address and from the bucket of its (address, client id) pair; an empty bucket is a 429 before any
 * hashing. Only wrong secrets keep their tokens: a correct one, or a check that could not run (hash queue
 * full), gives them back. Nothing is counted per client id alone, so failures from other addresses never
 * refuse a correct secret from an address that has not failed. The pair's smaller bucket stops a guesser on
 * one client early, and an attempt it refuses gives the address's token back, so one misconfigured client
 * does not lock out its neighbours at the same address. Unknown client ids are counted exactly like known
 * ones (same buckets, same answer), so a 429 says nothing about whether a client exists. What stops a guess
 * on one client spread over many addresses: each address's bucket, the Argon2 cost of every check, and the
 * global bound on queued checks ({@code hash.maxPending}, 503 beyond it); with 256-bit generated secrets
 * that is far beyond reach.
 */
public final class AuthRoutes implements RouteGroup {
  public static final String TOKEN_PATH = "/auth/oauth/token";
  private static final String GRANT = "client_credentials";
  /** Longer credentials are refused before any hashing. */
  private static final int MAX_ID = 200;
  private static final int MAX_SECRET = 1024;

  private final FleetDirectory directory;
  private final SecretVerifier secrets;
  private final TokenService tokens;
  /** Failed password checks per remote address. */
  private final RateLimiter addressChecks;
  /** Failed password checks per (remote address, client id). */
  private final RateLimiter pairChecks;
  private final PublicBaseUrl baseUrl;
  private final java.util.Set<String> trustedProxies;

  public AuthRoutes(FleetDirectory directory, SecretVerifier secrets, TokenService tokens, RateLimiter addressChecks,
      RateLimiter pairChecks, GatewayConfig.Http http) {
    this.baseUrl = new PublicBaseUrl(http);
    this.trustedProxies = http.trustedProxies();
    this.directory = directory;
    this.secrets = secrets;
    this.tokens = tokens;
    this.addressChecks = addressChecks;
    this.pairChecks = pairChecks;
  }

  @Override
  public void mount(Router router, ApiSupport api) {
    router.post(TOKEN_PATH).handler(api.current()).handler(ApiSupport.json(200, this::token));
    router.get("/.well-known/jwks.json").handler(ctx -> {
      ctx.response().putHeader("Cache-Control", "public, max-age=300");
      ApiSupport.sendJson(ctx, 200, tokens.jwks());
    });
    router.get("/.well-known/openid-configuration").handler(ctx -> {
      ctx.response().putHeader("Cache-Control", "public, max-age=300");
      ApiSupport.sendJson(ctx, 200, discovery(baseUrl.of(ctx.request())));
    });
  }

  /** The request's credentials and what it asks for, read and checked before any hashing. */
  /** {@code basic}: whether a refusal challenges with {@code WWW-Authenticate: Basic} (see {@link Problems#badClientCredentials}). */
  private record TokenRequest(String clientId, String secret, Set<Permission> scope, boolean basic) {}

  private Future<JsonObject> token(RoutingContext ctx) {
    ctx.response().putHeader("Cache-Control", "no-store").putHeader("Pragma", "no-cache");
    TokenRequest request = readRequest(ctx);
    return authenticateClient(request, remoteAddress(ctx)).map(client -> answer(client, request.scope()));
  }

  /** The key of the caller's buckets: its address (X-Forwarded-For only from http.trustedProxies), IPv6 by /64. */
  private String remoteAddress(RoutingContext ctx) {
    return ClientAddress.limitKey(ClientAddress.of(ctx.request(), trustedProxies));
  }

  private TokenRequest readRequest(RoutingContext ctx) {
    FormInput.checkBody(ctx);
    String grant = single(ctx.request().params(), "grant_type");
    if (grant == null) {
      throw Problems.validation("/grant_type", "is required (client_credentials)");
    }
    if (!GRANT.equals(grant)) {
      throw Problems.validation("/grant_type", "only 'client_credentials' is supported");
    }
    String scope = single(ctx.request().params(), "scope");
    String[] credentials = credentials(ctx);
    return new TokenRequest(credentials[0], credentials[1], scope == null || scope.isBlank() ? null : scopeOf(scope),
        challenges(ctx));
  }

  /**
   * {@code [client_id, secret]} from HTTP Basic or from the form body (never from the query string, where
   * secrets end up in logs); both at once, or neither, is a 401.
   */
  private static String[] credentials(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    MultiMap form = ctx.request().formAttributes();
    boolean inForm = form.contains("client_id") || form.contains("client_secret");
    String[] found = null;
    if (header != null) {
      found = inForm ? null : basic(header);
    } else if (inForm) {
      String id = single(form, "client_id");
      String secret = single(form, "client_secret");
      found = id == null || secret == null ? null : new String[] {id, secret};
    }
    if (found == null || found[0].isEmpty() || found[0].length() > MAX_ID || found[1].isEmpty()
        || found[1].length() > MAX_SECRET) {
      throw Problems.badClientCredentials(challenges(ctx));
    }
    return found;
  }

  /** Only a caller that used the Authorization header, or sent no credentials at all, is challenged to use Basic. */
  private static boolean challenges(RoutingContext ctx) {
    MultiMap form = ctx.request().formAttributes();
    return ctx.request().getHeader("Authorization") != null
        || !(form.contains("client_id") || form.contains("client_secret"));
  }

  private static String[] basic(String header) {
    if (!header.regionMatches(true, 0, "Basic ", 0, 6) || header.length() > 4096) {
      return null;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = decoded.indexOf(':');
    return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
  }

  /** The value of a parameter given at most once; a repeated one is a 400 (RFC 6749 §3.2). */
  private static String single(MultiMap params, String name) {
    List<String> all = params.getAll(name);
    if (all.size() > 1) {
      throw Problems.validation("/" + name, "must be given once");
    }
    return all.isEmpty() ? null : all.get(0);
  }

  private static Set<Permission> scopeOf(String scope) {
    Set<Permission> out = EnumSet.noneOf(Permission.class);
    for (String s : scope.trim().split(" +")) {
      Permission p = Permission.of(s);
      if (p == null && !s.isEmpty()) {
        throw Problems.validation("/scope", "unknown permission '" + s + "'");
      }
      if (p != null) {
        out.add(p);
      }
    }
    return out;
  }

  /** The client whose secret matches; the same 401 for an unknown client and a wrong secret. */
  private Future<ApiClient> authenticateClient(TokenRequest request, String address) {
    ApiClient client = directory.client(request.clientId());
    if (client != null && secrets.isCached(client.clientId(), request.secret(), client.secretHash())) {
      return Future.succeededFuture(client);
    }
    Runnable refund = charge(address, request.clientId());
    Future<Boolean> verified = client == null
        ? secrets.rejectUnknown(request.secret())
        : secrets.verify(client.clientId(), request.secret(), client.secretHash());
    return verified.andThen(ar -> {
      // only a wrong secret counts: not a correct one, nor a check that never ran (hash queue full)
      if (ar.failed() || ar.result()) {
        refund.run();
      }
    }).compose(ok -> {
      // the client may have been deleted while its secret was checked
      ApiClient current = directory.client(request.clientId());
      return ok && current == client
          ? Future.succeededFuture(client)
          : Future.failedFuture(Problems.badClientCredentials(request.basic()));
    });
  }

  /**
   * Takes a token from the address's bucket, then from the (address, client) pair's; when either is empty,
   * none is kept and the answer is a 429 that reads the same whichever bucket refused and whether or not the
   * client exists. The address is checked first so that an address already refused creates no pair entries.
   *
   * @return gives both tokens back
   */
  private Runnable charge(String address, String clientId) {
    // an address never contains a space: the pair key is unambiguous
    String pair = address + " " + clientId;
    RateLimiter.Decision d = addressChecks.tryAcquire(address);
    if (d.allowed()) {
      RateLimiter.Decision p = pairChecks.tryAcquire(pair);
      if (p.allowed()) {
        return () -> {
          addressChecks.refund(address);
          pairChecks.refund(pair);
        };
      }
      addressChecks.refund(address);
      d = p;
    }
    throw Problems.tooManyRequests("too many failed token requests from this address; retry after "
        + d.retryAfterSeconds() + " s", ApiSupport.rateHeaders(d));
  }

  private JsonObject answer(ApiClient client, Set<Permission> requested) {
    Set<Permission> granted = client.permissions().isEmpty()
        ? EnumSet.noneOf(Permission.class) : EnumSet.copyOf(client.permissions());
    if (client.fleetId() != null) {
      granted.remove(Permission.ADMIN);
    }
    if (requested != null) {
      Set<Permission> allowed = Permission.effective(granted);
      for (Permission p : requested) {
        if (!allowed.contains(p)) {
          throw Problems.validation("/scope", "the client does not hold '" + p.wire + "'");
        }
      }
      granted = requested.isEmpty() ? EnumSet.noneOf(Permission.class) : EnumSet.copyOf(requested);
    }
    return new JsonObject()
        .put("access_token", tokens.issue(client.clientId(), client.fleetId(), granted))
        .put("token_type", "bearer")
        .put("expires_in", tokens.ttlSeconds())
        .put("scope", Permission.scope(granted));
  }

  private JsonObject discovery(String base) {
    JsonArray scopes = new JsonArray();
    for (Permission p : Permission.values()) {
      scopes.add(p.wire);
    }
    return new JsonObject()
        .put("issuer", tokens.issuer())
        .put("token_endpoint", base + TOKEN_PATH)
        .put("jwks_uri", base + "/.well-known/jwks.json")
        .put("grant_types_supported", new JsonArray().add(GRANT))
        .put("token_endpoint_auth_methods_supported", new JsonArray().add("client_secret_basic").add("client_secret_post"))
        .put("scopes_supported", scopes)
        .put("id_token_signing_alg_values_supported", new JsonArray().add(tokens.algorithm()));
  }
}
