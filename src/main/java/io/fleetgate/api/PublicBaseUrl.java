package io.fleetgate.api;

import io.fleetgate.config.GatewayConfig;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code scheme://host[:port][/prefix]} by which the gateway names itself in documents clients cache (the
 * OpenID discovery document is {@code Cache-Control: public}): {@code http.publicBaseUrl} when set, else the
 * listener's own scheme, {@code http.host} and bound port. Never the request's {@code Host}: a forged one would
 * otherwise be served from shared caches to every other client, pointing their token requests elsewhere.
 */
final class PublicBaseUrl {
  /** The configured URL (validated at start-up, no trailing slash), or null. */
  private final String configured;
  private final String scheme;
  private final String host;

  PublicBaseUrl(GatewayConfig.Http http) {
    this.configured = http.publicBaseUrl();
    this.scheme = http.tls() ? "https" : "http";
    this.host = hostOf(http.host());
  }

  /** For {@code request}: only its local port is read (the listener's bound port, e.g. with http.port 0). */
  String of(HttpServerRequest request) {
    return configured != null ? configured : scheme + "://" + host + ":" + request.localAddress().port();
  }

  /** A wildcard bind address names no host a client can use: {@code localhost}; an IPv6 literal in brackets. */
  static String hostOf(String bind) {
    String h = bind.startsWith("[") && bind.endsWith("]") ? bind.substring(1, bind.length() - 1) : bind;
    if (h.equals("0.0.0.0") || h.equals("::") || h.equals("0:0:0:0:0:0:0:0")) {
      return "localhost";
    }
    return h.contains(":") ? "[" + h + "]" : h;
  }
}
