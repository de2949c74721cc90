package io.fleetgate.config;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every setting of the gateway, with its default and its environment variable. The one place that documents
 * configuration: {@code config/fleetgate.json} mirrors {@link #defaults()} (a test keeps them equal), the
 * README's table is generated from the same list.
 *
 * <p>A setting {@code section.someKey} is overridden by the environment variable
 * {@code FLEETGATE_SECTION_SOME_KEY}.
 */
public final class Settings {

  /** One setting: dotted key, type, default (null = unset) and what it does. */
  public record Setting(String key, Class<?> type, Object defaultValue, String doc) {
    public String envName() {
      StringBuilder sb = new StringBuilder("FLEETGATE_");
      for (char c : key.toCharArray()) {
        if (c == '.') {
          sb.append('_');
        } else if (Character.isUpperCase(c)) {
          sb.append('_').append(c);
        } else {
          sb.append(Character.toUpperCase(c));
        }
      }
      return sb.toString().toUpperCase(Locale.ROOT);
    }
  }

  public static final Map<String, Setting> ALL = new LinkedHashMap<>();

  private static void add(String key, Class<?> type, Object def, String doc) {
    ALL.put(key, new Setting(key, type, def, doc));
  }

  static {
    add("http.host", String.class, "0.0.0.0", "address the REST API binds");
    add("http.port", Integer.class, 8080, "REST API port (0 = any free port)");
    add("http.bodyLimitBytes", Integer.class, 65536, "largest accepted request body");
    add("http.maxConnections", Integer.class, 10000, "concurrent HTTP connections, counted from accept (at most HTTP's share of the open-file limit, logged at start-up); more are answered 503 or closed at accept");
    add("http.tls", Boolean.class, false, "true: the REST API on http.port speaks HTTPS with tls.cert (no client certificate asked)");
    add("http.publicBaseUrl", String.class, null, "absolute http(s) URL the OpenID discovery document names the gateway by (no query or fragment; a path prefix is kept); unset = the listener's own scheme, http.host (localhost when 0.0.0.0 or ::) and bound port, never the request's Host");
    add("http.maxConnectionsPerAddress", Integer.class, 256, "concurrent HTTP connections from one remote address (counted from accept; a trusted proxy is exempt); more are answered 503 or closed at accept");
    add("http.requestHeaderTimeoutSeconds", Integer.class, 10, "time a connection has to send a complete request head, from accept and from the end of the previous response (keep-alive idle), else it is closed");
    add("http.minBodyBytesPerSecond", Integer.class, 1024, "slowest average rate of a request body once http.requestHeaderTimeoutSeconds have passed since its head; a slower one is closed");
    add("http.trustedProxies", String.class, null, "comma-separated IP addresses of reverse proxies whose X-Forwarded-For names the client (right-most entry that is not a proxy); exempt from http.maxConnectionsPerAddress");
    add("mqtt.host", String.class, "0.0.0.0", "address the MQTT listener binds");
    add("mqtt.port", Integer.class, 1884, "MQTT device port (0 = any free port)");
    add("mqtt.tlsPort", Integer.class, 8884, "MQTT over TLS port, used only when tls.cert is set");
    add("mqtt.maxConnections", Integer.class, 200000, "concurrent MQTT connections before CONNACK 'server unavailable'");
    add("mqtt.maxFrameBytes", Integer.class, 8192, "largest frame (MQTT payload) a unit may publish; a bigger one closes the connection");
    add("mqtt.connectTimeoutSeconds", Integer.class, 10, "time from TCP accept to CONNECT before the socket is closed");
    add("mqtt.maxKeepAliveSeconds", Integer.class, 300, "cap on the keep-alive a unit asks for (0 in CONNECT is raised to it)");
    add("mqtt.invalidFramesPerMinute", Integer.class, 10, "invalid frames a 3.1.1 unit may send in a minute before it is disconnected");
    add("mqtt.maxInflightPerConnection", Integer.class, 64, "frames (QoS 0 and 1) being applied per connection before reading pauses; announced to MQTT 5 units as Receive Maximum");
    add("tcp.port", Integer.class, 5100, "TCP binary device port (0 = any free port)");
    add("tcp.tlsPort", Integer.class, 5101, "TCP binary over TLS port, used only when tls.cert is set");
    add("tcp.host", String.class, "0.0.0.0", "address the TCP device listener binds");
    add("tcp.maxConnections", Integer.class, 200000, "concurrent TCP device connections before new ones are closed at accept");
    add("tcp.loginTimeoutSeconds", Integer.class, 10, "time from TCP accept to LOGIN before ERROR 2 and close");
    add("tcp.heartbeatSeconds", Integer.class, 60, "heartbeat interval units are configured with; silence for 1.5 times it closes the connection");
    add("tcp.maxInflightPerConnection", Integer.class, 64, "frames being applied per TCP connection before reading pauses");
    add("tls.cert", String.class, null, "PEM certificate chain for the TLS listeners (unset = TLS off)");
    add("tls.key", String.class, null, "PEM private key of tls.cert");
    add("tls.clientCa", String.class, null, "PEM CA whose client certificates authenticate units on the TLS device ports (subject CN = unit id, no password); unset = passwords only");
    add("tls.engine", String.class, "openssl", "openssl (BoringSSL via netty-tcnative; falls back to jdk, logged, where it cannot load) or jdk");
    add("db.url", String.class, null, "postgresql:// URL (unset = in-memory store)");
    add("db.poolSize", Integer.class, 8, "PostgreSQL connections (each pipelines its statements)");
    add("db.timeoutMs", Integer.class, 5000, "how long an API write waits for PostgreSQL before it answers 503 service-unavailable");
    add("db.writeBehindMs", Integer.class, 1000, "latest state is written behind, coalesced per vehicle, at most this late: the only data a crash can lose");
    add("db.maxPendingRows", Integer.class, 100000, "state-history rows waiting for PostgreSQL; above it units are not acknowledged (they slow down and resend)");
    add("db.historyRetentionDays", Integer.class, 30, "days of state history kept in PostgreSQL before it is deleted");
    add("db.historyPartitionsAhead", Integer.class, 3, "UTC days of state-history partitions created ahead of today (at start-up and every hour)");
    add("amqp.url", String.class, null, "amqp:// URL of RabbitMQ (unset = in-process events only)");
    add("amqp.exchange", String.class, "fleetgate.events", "durable topic exchange events are published to (declared at start-up)");
    add("amqp.bufferEvents", Integer.class, 20000, "events waiting for the broker's confirm (queued and in flight); when full, new events are refused and their device frames are not acknowledged");
    add("amqp.batchSize", Integer.class, 256, "events published per hand-off to the publisher thread");
    add("amqp.reconnectMaxSeconds", Integer.class, 10, "longest pause between reconnection attempts (the back-off starts at 0.25 s and doubles)");
    add("amqp.maxConsumersPerFleet", Integer.class, 10, "event consumers (POST /event-consumers) a fleet may have; more are refused with 409");
    add("amqp.batchEvents", Integer.class, 1, "events of one recipient fleet and type per AMQP message: 1 = one message per event (application/json); more = batch messages (application/vnd.fleetgate.events+json, see Events over RabbitMQ) that consumers must unpack");
    add("amqp.batchLingerMs", Integer.class, 2, "with amqp.batchEvents above 1: how long the oldest waiting event may wait for its batch to fill (publishing starts at once when amqp.batchEvents events wait); 0 = publish what is there");
    add("admin.clientId", String.class, null, "client id of the first platform administrator (unset = generated and printed once)");
    add("admin.clientSecret", String.class, null, "its secret (at least 16 characters); only from the environment or a file");
    add("jwt.key", String.class, null, "path to a PEM private key (EC P-256 → ES256, RSA → RS256); unset = ephemeral key, tokens die with the process");
    add("jwt.issuer", String.class, "fleetgate", "the iss claim of issued tokens");
    add("jwt.ttlSeconds", Integer.class, 900, "lifetime of an access token");
    add("command.timeoutSeconds", Integer.class, 20, "how long a synchronous command waits for the unit");
    add("command.queuePerVehicle", Integer.class, 20, "asynchronous commands waiting per vehicle for its unit; more are refused with 409");
    add("command.historyPerVehicle", Integer.class, 100, "commands kept per vehicle, in memory or in PostgreSQL (queued ones are never dropped)");
    add("command.ackTimeoutSeconds", Integer.class, 10, "how long a sent command waits for the unit's PUBACK (proof of delivery)");
    add("history.perVehicle", Integer.class, 256, "state history entries kept per vehicle in memory");
    add("hash.memoryKiB", Integer.class, 19456, "Argon2id memory cost for secrets and unit passwords");
    add("hash.iterations", Integer.class, 2, "Argon2id time cost");
    add("hash.maxPending", Integer.class, 256, "password verifications queued at once; more are refused as overload");
    add("hash.verifierKey", String.class, null, "path to a file with ≥ 32 random bytes in base64 (openssl rand -base64 32): the key of the fast unit password verifiers, kept outside the database; unset = derived from jwt.key, else ephemeral (each unit pays one Argon2 login after a restart)");
    add("hash.unitFailuresPerMinute", Integer.class, 30, "wrong unit passwords (or unknown unit ids) from one remote address for one unit id per minute; past it that address's password logins for that id are refused until the next minute (the online-guessing bound now that a wrong guess costs no Argon2; never per unit id alone, so others' failures cannot lock a unit out)");
    add("hash.unitFailuresPerAddressPerMinute", Integer.class, 600, "wrong unit passwords (or unknown unit ids) from one remote address (IPv6: one /64) per minute, over all unit ids; past it that address's password logins are refused until the next minute. High by default: many units may share a carrier's NAT address");
    add("sharing.maxInvitationsPerFleet", Integer.class, 20, "outstanding (unexpired, unused) invitation codes a fleet may have at once");
    add("sharing.maxInvitationSeconds", Integer.class, 2592000, "longest lifetime an invitation code may be given (expires_in_seconds)");
    add("events.sseBufferEvents", Integer.class, 1000, "events buffered per event stream while its connection cannot take more; a stream that overflows it is disconnected");
    add("events.keepAliveSeconds", Integer.class, 15, "interval of the keep-alive comment on an event stream");
    add("events.maxStreamsPerClient", Integer.class, 5, "event streams an API client may hold open at once; more are refused with 429");
    add("events.logPerFleet", Integer.class, 10000, "events kept per fleet in the in-memory event log (GET /events, stream resume); the oldest go first");
    add("events.logRetentionDays", Integer.class, 30, "days the event log keeps an event (deleted hourly on PostgreSQL, skipped in memory)");
    add("catalog.file", String.class, "config/vehicle-models.json", "vehicle model catalog (the built-in one when the file is absent)");
    add("archive.retentionDays", Integer.class, 90, "days a removed vehicle stays in the archive (restorable) before it is purged");
    add("rate.requestsPerSecond", Integer.class, 50, "sustained authenticated requests per second per API client (token bucket refill)");
    add("rate.burst", Integer.class, 100, "authenticated requests an API client may send at once (token bucket size)");
    add("rate.tokenFailuresPerMinute", Integer.class, 20, "failed token requests (wrong secret, or a password check still in flight) per remote address, per minute (and at once); more get 429");
    add("rate.tokenFailuresPerClientPerMinute", Integer.class, 5, "failed token requests per remote address and client id, per minute (and at once); more get 429 without using up the address's allowance");
    add("console.tileUrl", String.class, null, "tile URL template of the console's map ({z}/{x}/{y}, optional {s} subdomain, http or https); the console's CSP then allows images from that one origin; unset = no tiles, vehicles on a coordinate grid (works offline, sends no positions elsewhere)");
    add("console.tileAttribution", String.class, null, "attribution shown on the console's map under console.tileUrl's tiles, as plain text (e.g. the tile server's copyright line); needs console.tileUrl");
    add("cluster.members", String.class, null, "comma-separated host:port of the Hazelcast members to join (TCP-IP join; this node's own address may be listed); needs db.url and jwt.key. Unset = a single node, no cluster manager at all");
    add("cluster.host", String.class, "127.0.0.1", "address this node binds and advertises for cluster traffic (Hazelcast and the event bus); not encrypted: keep it on a private network");
    add("cluster.port", Integer.class, 5701, "this node's Hazelcast member port (no auto-increment: taken = the node does not start)");
    add("cluster.busPort", Integer.class, 0, "this node's event-bus port (0 = any free port, advertised through the cluster)");
    add("cluster.name", String.class, "fleetgate", "nodes join only a cluster of the same name (keeps test clusters on one machine apart)");
    add("cluster.failureDetectionSeconds", Integer.class, 10, "silence after which a member is declared dead and its work taken over (Hazelcast's max no-heartbeat time; heartbeats every fifth of it, at least every second)");
  }

  private Settings() {}

  /** Every setting at its default, as the nested JSON of the config file (unset ones as null). */
  public static JsonObject defaults() {
    JsonObject root = new JsonObject();
    for (Setting s : ALL.values()) {
      String[] parts = s.key().split("\\.");
      JsonObject section = root.getJsonObject(parts[0]);
      if (section == null) {
        section = new JsonObject();
        root.put(parts[0], section);
      }
      section.put(parts[1], s.defaultValue());
    }
    return root;
  }
}
