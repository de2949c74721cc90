package io.fleetgate.config;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/** The validated, typed configuration. Build it with {@link ConfigLoader}. */
public record GatewayConfig(
    Http http, Mqtt mqtt, Tcp tcp, Tls tls, Db db, String amqpUrl, Admin admin, Jwt jwt,
    int commandTimeoutSeconds, int historyPerVehicle, Hash hash, String catalogFile, Archive archive, Rate rate,
    Commands commands, Sharing sharing, Events events, Amqp amqp, Console console, Cluster cluster) {

  /** Queue, history and delivery limits of commands ({@code command.*} besides the timeout). */
  public record Commands(int queuePerVehicle, int historyPerVehicle, int ackTimeoutSeconds) {}

  /**
   * {@code tls}: the API speaks HTTPS with {@code tls.cert} ({@code http.tls}); {@code trustedProxies}: normalized
   * IP literals (empty when unset).
   */
  public record Http(String host, int port, int bodyLimitBytes, int maxConnections, boolean tls,
      int maxConnectionsPerAddress, int requestHeaderTimeoutSeconds, int minBodyBytesPerSecond,
      java.util.Set<String> trustedProxies, String publicBaseUrl) {}

  public record Mqtt(String host, int port, int tlsPort, int maxConnections, int maxFrameBytes,
      int connectTimeoutSeconds, int maxKeepAliveSeconds, int invalidFramesPerMinute, int maxInflightPerConnection) {}

  public record Tcp(String host, int port, int tlsPort, int maxConnections, int loginTimeoutSeconds,
      int heartbeatSeconds, int maxInflightPerConnection) {}

  /** {@code engine}: "openssl" or "jdk". */
  public record Tls(String cert, String key, String clientCa, String engine) {
    public boolean enabled() {
      return cert != null;
    }
  }

  /** The PostgreSQL store ({@code db.*}); {@code url} null = in memory. */
  public record Db(String url, int poolSize, int timeoutMs, int writeBehindMs, int maxPendingRows, int historyRetentionDays,
      int historyPartitionsAhead) {
    /** With the default number of history partitions created ahead. */
    public Db(String url, int poolSize, int timeoutMs, int writeBehindMs, int maxPendingRows, int historyRetentionDays) {
      this(url, poolSize, timeoutMs, writeBehindMs, maxPendingRows, historyRetentionDays, 3);
    }
  }

  /** The PostgreSQL URL, or null for the in-memory store. */
  public String dbUrl() {
    return db.url();
  }

  public record Admin(String clientId, String clientSecret) {}

  public record Jwt(String keyFile, String issuer, int ttlSeconds) {}

  public record Hash(int memoryKiB, int iterations, int maxPending, String verifierKey, int unitFailuresPerMinute,
      int unitFailuresPerAddressPerMinute) {}

  public record Archive(int retentionDays) {}

  public record Rate(int requestsPerSecond, int burst, int tokenFailuresPerMinute, int tokenFailuresPerClientPerMinute) {}

  public record Sharing(int maxInvitationsPerFleet, int maxInvitationSeconds) {}

  public record Events(int sseBufferEvents, int keepAliveSeconds, int maxStreamsPerClient, int logPerFleet, int logRetentionDays) {}

  /** The RabbitMQ publisher and event consumers ({@code amqp.*} besides the URL, which is {@link #amqpUrl()}). */
  public record Amqp(String exchange, int bufferEvents, int batchSize, int reconnectMaxSeconds, int maxConsumersPerFleet,
      int batchEvents, int batchLingerMs) {}

  /**
   * The operator console's map ({@code console.*}): {@code tileUrl} null = no tiles; {@code tileOrigin} is the
   * CSP source its images come from ({@code {s}.} becomes {@code *.}).
   */
  public record Console(String tileUrl, String tileAttribution, String tileOrigin) {}

  /**
   * Several nodes as one gateway ({@code cluster.*}): {@code members} are the {@code host:port} Hazelcast
   * addresses to join, empty when unset (a single node, no cluster manager).
   */
  public record Cluster(java.util.List<String> members, String host, int port, int busPort, String name,
      int failureDetectionSeconds) {
    /** Whether this node joins a cluster ({@code cluster.members} is set). */
    public boolean enabled() {
      return !members.isEmpty();
    }
  }

  static GatewayConfig from(JsonObject c) {
    Reader r = new Reader(c);
    Http http = new Http(r.string("http.host"), r.port("http.port"), r.range("http.bodyLimitBytes", 1024, 16 << 20),
        r.range("http.maxConnections", 1, 1_000_000), r.bool("http.tls"),
        r.range("http.maxConnectionsPerAddress", 1, 1_000_000), r.range("http.requestHeaderTimeoutSeconds", 1, 300),
        r.range("http.minBodyBytesPerSecond", 1, 100_000_000), r.ipAddresses("http.trustedProxies"), r.baseUrl("http.publicBaseUrl"));
    Mqtt mqtt = new Mqtt(r.string("mqtt.host"), r.port("mqtt.port"), r.port("mqtt.tlsPort"),
        r.range("mqtt.maxConnections", 1, 10_000_000), r.range("mqtt.maxFrameBytes", 256, 1 << 20),
        r.range("mqtt.connectTimeoutSeconds", 1, 300), r.range("mqtt.maxKeepAliveSeconds", 10, 65535),
        r.range("mqtt.invalidFramesPerMinute", 1, 1_000_000), r.range("mqtt.maxInflightPerConnection", 1, 65535));
    Tcp tcp = new Tcp(r.string("tcp.host"), r.port("tcp.port"), r.port("tcp.tlsPort"),
        r.range("tcp.maxConnections", 1, 10_000_000), r.range("tcp.loginTimeoutSeconds", 1, 300),
        r.range("tcp.heartbeatSeconds", 1, 3600), r.range("tcp.maxInflightPerConnection", 1, 65535));
    Tls tls = new Tls(r.file("tls.cert"), r.file("tls.key"), r.file("tls.clientCa"), r.oneOf("tls.engine", "openssl", "jdk"));
    if (tls.cert() != null && tls.key() == null) {
      throw new ConfigException(r.name("tls.key") + ": required when tls.cert is set");
    }
    if (tls.cert() == null && (tls.key() != null || tls.clientCa() != null)) {
      throw new ConfigException(r.name(tls.key() != null ? "tls.key" : "tls.clientCa") + ": needs tls.cert (TLS is off without it)");
    }
    if (http.tls() && !tls.enabled()) {
      throw new ConfigException(r.name("http.tls") + ": needs tls.cert and tls.key");
    }
    Db db = new Db(r.url("db.url", "postgresql", "postgres"), r.range("db.poolSize", 1, 100),
        r.range("db.timeoutMs", 100, 600_000), r.range("db.writeBehindMs", 10, 60_000),
        r.range("db.maxPendingRows", 1000, 10_000_000), r.range("db.historyRetentionDays", 1, 36_500),
        r.range("db.historyPartitionsAhead", 1, 60));
    String amqp = r.url("amqp.url", "amqp", "amqps");
    Admin admin = new Admin(r.optional("admin.clientId"), r.optional("admin.clientSecret"));
    if (admin.clientId() != null && !admin.clientId().matches("[A-Za-z0-9_.-]{3,100}")) {
      throw new ConfigException(r.name("admin.clientId") + ": 3-100 characters of [A-Za-z0-9_.-]");
    }
    if ((admin.clientId() == null) != (admin.clientSecret() == null)) {
      throw new ConfigException(r.name(admin.clientId() == null ? "admin.clientId" : "admin.clientSecret")
          + ": set both admin.clientId and admin.clientSecret, or neither");
    }
    if (admin.clientSecret() != null && admin.clientSecret().length() < 16) {
      throw new ConfigException(r.name("admin.clientSecret") + ": must be at least 16 characters");
    }
    Jwt jwt = new Jwt(r.file("jwt.key"), r.string("jwt.issuer"), r.range("jwt.ttlSeconds", 60, 86400));
    Hash hash = new Hash(r.range("hash.memoryKiB", 8, 1 << 21), r.range("hash.iterations", 1, 100),
        r.range("hash.maxPending", 1, 100_000), r.file("hash.verifierKey"),
        r.range("hash.unitFailuresPerMinute", 1, 1_000_000), r.range("hash.unitFailuresPerAddressPerMinute", 1, 100_000_000));
    return new GatewayConfig(http, mqtt, tcp, tls, db, amqp, admin, jwt,
        r.range("command.timeoutSeconds", 1, 3600), r.range("history.perVehicle", 0, 100_000), hash,
        r.string("catalog.file"), new Archive(r.range("archive.retentionDays", 1, 3650)),
        new Rate(r.range("rate.requestsPerSecond", 1, 1_000_000), r.range("rate.burst", 1, 1_000_000),
            r.range("rate.tokenFailuresPerMinute", 1, 1_000_000), r.range("rate.tokenFailuresPerClientPerMinute", 1, 1_000_000)),
        new Commands(r.range("command.queuePerVehicle", 1, 10_000), r.range("command.historyPerVehicle", 1, 100_000),
            r.range("command.ackTimeoutSeconds", 1, 300)),
        new Sharing(r.range("sharing.maxInvitationsPerFleet", 1, 10_000), r.range("sharing.maxInvitationSeconds", 60, 31_536_000)),
        new Events(r.range("events.sseBufferEvents", 1, 1_000_000), r.range("events.keepAliveSeconds", 1, 3600),
            r.range("events.maxStreamsPerClient", 1, 1000), r.range("events.logPerFleet", 1, 1_000_000),
            r.range("events.logRetentionDays", 1, 36_500)),
        new Amqp(r.matching("amqp.exchange", "[A-Za-z0-9_.:-]{1,200}", "1-200 characters of A-Z, a-z, 0-9, '_', '.', ':' and '-'"),
            r.range("amqp.bufferEvents", 1, 10_000_000), r.range("amqp.batchSize", 1, 10_000),
            r.range("amqp.reconnectMaxSeconds", 1, 3600), r.range("amqp.maxConsumersPerFleet", 1, 1000),
            r.range("amqp.batchEvents", 1, 1000), r.range("amqp.batchLingerMs", 0, 1000)),
        console(r), cluster(r, db, jwt));
  }

  /**
   * Every node of a cluster works on one PostgreSQL and signs and verifies tokens with one key, so a cluster
   * without {@code db.url} or {@code jwt.key} is refused at start-up, naming the missing setting.
   */
  private static Cluster cluster(Reader r, Db db, Jwt jwt) {
    java.util.List<String> members = r.members("cluster.members");
    String host = r.ipv4("cluster.host");
    Cluster cluster = new Cluster(members, host, r.range("cluster.port", 1, 65535), r.port("cluster.busPort"),
        r.matching("cluster.name", "[A-Za-z0-9_.-]{1,100}", "1-100 characters of A-Z, a-z, 0-9, '_', '.' and '-'"),
        r.range("cluster.failureDetectionSeconds", 2, 600));
    if (cluster.enabled() && db.url() == null) {
      throw new ConfigException(r.name("db.url") + ": required when cluster.members is set (every node of a cluster works on one PostgreSQL)");
    }
    if (cluster.enabled() && jwt.keyFile() == null) {
      throw new ConfigException(r.name("jwt.key") + ": required when cluster.members is set (every node signs and verifies tokens with the same key)");
    }
    return cluster;
  }

  /**
   * The tile template goes into the console's CSP and map, so it is held to a plain shape: an http(s) origin
   * of letters, digits, dots and dashes (optionally behind {@code {s}.}), a path without spaces, quotes,
   * semicolons or commas, and the {z}, {x} and {y} placeholders.
   */
  private static Console console(Reader r) {
    String url = r.optional("console.tileUrl");
    String attribution = r.optional("console.tileAttribution");
    if (url == null) {
      if (attribution != null) {
        throw new ConfigException(r.name("console.tileAttribution") + ": needs console.tileUrl");
      }
      return new Console(null, null, null);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("(https?://)(\\{s\\}\\.)?([A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*)(:[0-9]{1,5})?(/[^\\s;,'\"<>\\\\]*)")
        .matcher(url);
    if (!m.matches() || !url.contains("{z}") || !url.contains("{x}") || !url.contains("{y}")) {
      throw new ConfigException(r.name("console.tileUrl") + ": must be an http:// or https:// URL template with a host"
          + " (optionally {s}.host) and {z}, {x} and {y} in its path, got '" + url + "'");
    }
    if (attribution != null && (attribution.length() > 300 || attribution.chars().anyMatch(ch -> ch < 0x20))) {
      throw new ConfigException(r.name("console.tileAttribution") + ": at most 300 characters on one line");
    }
    String origin = m.group(1) + (m.group(2) != null ? "*." : "") + m.group(3) + (m.group(4) != null ? m.group(4) : "");
    return new Console(url, attribution, origin);
  }

  /** Reads settings out of the merged JSON, failing with the setting's name. */
  private record Reader(JsonObject c) {
    String name(String key) {
      return key + " (" + Settings.ALL.get(key).envName() + ")";
    }

    Object raw(String key) {
      String[] parts = key.split("\\.");
      return c.getJsonObject(parts[0]).getValue(parts[1]);
    }

    String optional(String key) {
      Object v = raw(key);
      return v == null ? null : v.toString();
    }

    String string(String key) {
      String v = optional(key);
      if (v == null || v.isBlank()) {
        throw new ConfigException(name(key) + ": must not be empty");
      }
      return v;
    }

    int range(String key, int min, int max) {
      Object v = raw(key);
      if (!(v instanceof Integer i) || i < min || i > max) {
        throw new ConfigException(name(key) + ": must be a whole number from " + min + " to " + max + ", got '" + v + "'");
      }
      return i;
    }

    String matching(String key, String regex, String rule) {
      String v = string(key);
      if (!v.matches(regex)) {
        throw new ConfigException(name(key) + ": " + rule + ", got '" + v + "'");
      }
      return v;
    }

    boolean bool(String key) {
      Object v = raw(key);
      if (!(v instanceof Boolean b)) {
        throw new ConfigException(name(key) + ": must be true or false, got '" + v + "'");
      }
      return b;
    }

    String oneOf(String key, String... allowed) {
      String v = string(key);
      for (String a : allowed) {
        if (a.equals(v)) {
          return v;
        }
      }
      throw new ConfigException(name(key) + ": must be one of " + String.join(", ", allowed) + ", got '" + v + "'");
    }

    /**
     * A comma-separated list of IP literals, normalized as the socket reports them ({@code ::1} becomes
     * {@code 0:0:0:0:0:0:0:1}). Host names are refused: resolving them would make the check depend on DNS.
     */
    java.util.Set<String> ipAddresses(String key) {
      String v = optional(key);
      java.util.Set<String> out = new java.util.LinkedHashSet<>();
      if (v == null) {
        return java.util.Set.of();
      }
      for (String part : v.split(",")) {
        String a = part.trim();
        boolean literal = a.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || (a.contains(":") && a.matches("[0-9A-Fa-f:.]+"));
        try {
          if (!literal) {
            throw new java.net.UnknownHostException(a);
          }
          out.add(java.net.InetAddress.getByName(a).getHostAddress()); // a literal: no lookup
        } catch (java.net.UnknownHostException e) {
          throw new ConfigException(name(key) + ": must be comma-separated IP addresses, got '" + a + "'");
        }
      }
      return java.util.Set.copyOf(out);
    }

    int port(String key) {
      return range(key, 0, 65535);
    }

    /** An IPv4 literal (Hazelcast binds and advertises it as is; a host name would depend on DNS). */
    String ipv4(String key) {
      String v = string(key);
      if (!v.matches("(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}")) {
        throw new ConfigException(name(key) + ": must be an IPv4 address of this machine, got '" + v + "'");
      }
      return v;
    }

    /** Comma-separated {@code host:port} entries (port 1-65535), empty when unset. */
    java.util.List<String> members(String key) {
      String v = optional(key);
      if (v == null) {
        return java.util.List.of();
      }
      java.util.List<String> out = new java.util.ArrayList<>();
      for (String part : v.split(",")) {
        String m = part.trim();
        int colon = m.lastIndexOf(':');
        boolean ok = colon > 0 && m.substring(0, colon).matches("[A-Za-z0-9.-]+") && m.substring(colon + 1).matches("[0-9]{1,5}")
            && Integer.parseInt(m.substring(colon + 1)) >= 1 && Integer.parseInt(m.substring(colon + 1)) <= 65535;
        if (!ok) {
          throw new ConfigException(name(key) + ": must be comma-separated host:port entries, got '" + m + "'");
        }
        out.add(m);
      }
      return java.util.List.copyOf(out);
    }

    String file(String key) {
      String v = optional(key);
      if (v != null && !Files.isReadable(Path.of(v))) {
        throw new ConfigException(name(key) + ": file '" + v + "' cannot be read");
      }
      return v;
    }

    /** An absolute http(s) URL with a host and no query, fragment or user info, without a trailing slash; null when unset. */
    String baseUrl(String key) {
      String v = optional(key);
      if (v == null) {
        return null;
      }
      try {
        URI uri = new URI(v);
        boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
        if (http && uri.getHost() != null && uri.getRawQuery() == null && uri.getRawFragment() == null
            && uri.getRawUserInfo() == null && !v.contains("?") && !v.contains("#")) {
          return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
        }
      } catch (Exception ignored) {
        // reported below
      }
      throw new ConfigException(name(key) + ": must be an absolute http:// or https:// URL with a host and no query or fragment, got '" + v + "'");
    }

    String url(String key, String... schemes) {
      String v = optional(key);
      if (v == null) {
        return null;
      }
      try {
        URI uri = new URI(v);
        for (String s : schemes) {
          if (s.equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null) {
            return v;
          }
        }
      } catch (Exception ignored) {
        // reported below
      }
      throw new ConfigException(name(key) + ": must be a " + schemes[0] + ":// URL with a host");
    }
  }
}
