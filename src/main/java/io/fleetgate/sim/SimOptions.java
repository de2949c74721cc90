package io.fleetgate.sim;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The options of {@code fleetgate simulate}, parsed and checked. Load tests and idle-connection runs may only
 * target loopback addresses (127.0.0.0/8), and only from loopback source addresses.
 *
 * <p>{@code gateways} is never empty: the addresses of {@code --gateways}, else the one of {@code --host} and
 * {@code --port}. Unit i starts on address i mod N and moves to the next one when its connection is lost.
 */
public record SimOptions(
    List<Address> gateways, int units, String unitPrefix, String password, Path credentials,
    int qos, Format format, Mode mode, double rate, double targetRate, int window, int durationSeconds,
    List<String> sourceAddresses, boolean idle, int connectRate, int keepAliveSeconds, int reportEverySeconds,
    int ackTimeoutSeconds, boolean provision, boolean provisionOnly, String apiUrl, String adminId, String adminSecret, String fleetId,
    double commandFailureRate, int commandDelayMs, double commandRate, int warmupSeconds, Protocol protocol, Path ackedOut,
    boolean tls, Path ca, Path clientCaCert, Path clientCaKey, TlsEngine tlsEngine) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 1884;
  /** The gateway's TCP device port, the default of {@code --port} with {@code --protocol tcp}. */
  public static final int DEFAULT_TCP_PORT = 5100;
  /** The gateway's MQTT TLS port (mqtt.tlsPort), the default of {@code --port} with {@code --tls}. */
  public static final int DEFAULT_MQTT_TLS_PORT = 8884;
  /** The gateway's TCP TLS port (tcp.tlsPort), the default of {@code --port} with {@code --tls --protocol tcp}. */
  public static final int DEFAULT_TCP_TLS_PORT = 5101;
  public static final int DEFAULT_UNITS = 10;
  public static final String DEFAULT_UNIT_PREFIX = "sim-";
  /** Every simulated unit's password unless --credentials says otherwise (at least 12 characters, as POST /vehicles needs). */
  public static final String DEFAULT_PASSWORD = "sim-unit-password";
  public static final int DEFAULT_DURATION_SECONDS = 60;
  public static final int MAX_DURATION_SECONDS = 7 * 24 * 3600;
  public static final int DEFAULT_WINDOW = 32;
  public static final int DEFAULT_CONNECT_RATE = 500;
  public static final String DEFAULT_API_URL = "http://127.0.0.1:8080";
  public static final String DEFAULT_FLEET_ID = "sim-fleet";
  /** At most this many addresses in {@code --gateways}. */
  public static final int MAX_GATEWAYS = 64;

  /** One gateway device address (MQTT, or TCP with {@code --protocol tcp}). */
  public record Address(String host, int port) {
    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** How units talk to the gateway: MQTT, or the fleetgate TCP protocol (binary state, always acknowledged). */
  public enum Protocol { MQTT, TCP }

  /** The simulator's own TLS engine: OpenSSL (netty-tcnative, when it loads) or the JDK's. */
  public enum TlsEngine { OPENSSL, JDK }

  /** Frame encoding on the state topic. */
  public enum Format { JSON, BINARY }

  /**
   * realistic: each unit sends --rate frames/s; load: --target-rate frames/s in total, 0 = as fast as acks
   * allow; commands: units as in realistic, and --command-rate synchronous REST commands/s to them.
   */
  public enum Mode { REALISTIC, LOAD, COMMANDS }

  public static final String USAGE = """
      usage: fleetgate simulate [options]         simulated telematics units over MQTT or TCP

        --protocol mqtt|tcp         how units talk to the gateway (default mqtt); tcp: the fleetgate TCP protocol,
                                    binary state frames, every frame acknowledged (STATE→STATE_ACK latency)
        --host HOST                 gateway device host (default 127.0.0.1)
        --port N                    gateway device port (default 1884 for mqtt, 5100 for tcp; with --tls 8884, 5101)
        --gateways H:P,H:P,…        several gateway nodes' device addresses instead of --host/--port (MQTT ports,
                                    TCP ports with --protocol tcp): unit i starts on address i mod N; a unit whose
                                    connection is lost or refused tries the next address after 0.1-2 s
        --tls                       connect to the gateway's TLS listener (server certificate checked against --ca,
                                    else the JVM's trusted CAs, and against --host)
        --ca FILE                   PEM CA certificate(s) to trust for the gateway's certificate (with --tls)
        --client-ca-cert FILE       with --tls: every unit logs in with a client certificate (subject CN = unit id,
        --client-ca-key FILE        EC P-256 key) issued in memory at start-up by this PEM CA certificate and its PEM
                                    PKCS#8 key (the gateway's tls.clientCa); no password is sent
        --tls-engine openssl|jdk    the simulator's TLS engine (default openssl, the JDK's where it cannot load)
        --units N                   number of units (default 10)
        --unit-prefix P             unit ids are P000001, P000002, … (default sim-)
        --password PW               every unit's password (default sim-unit-password)
        --credentials FILE          unit ids and passwords from FILE (written by `fleetgate demo` or --provision);
                                    with --provision, FILE is written instead
        --qos 0|1                   state frame QoS (default 1; QoS 1 measures publish→PUBACK = applied latency)
        --format json|binary        state frame encoding (default json; tcp: binary only)
        --mode realistic|load|commands
                                    realistic: --rate per unit; load: --target-rate in total; commands: realistic
                                    units plus --command-rate synchronous REST commands/s to them (needs --provision)
                                    (default realistic)
        --rate F                    frames/s per unit in realistic mode (default 1)
        --target-rate F             frames/s over all units in load mode; 0 = flat out (default 0)
        --window N                  unacknowledged frames per connection, QoS 1 (default 32)
        --duration S                seconds to run, then stop (default 60)
        --source-addresses A-B|A,B  spread connections over these local (127.x) addresses, e.g. 127.0.0.1-127.0.0.16
        --idle                      connect, subscribe and only keep alive (idle-connection memory runs)
        --connect-rate N            new connections per second while ramping up (default 500)
        --keep-alive S              MQTT keep-alive / TCP heartbeat interval in seconds (default 60, as the gateway)
        --report-every S            seconds between progress lines (default 5)
        --ack-timeout S             seconds before an unacknowledged QoS 1 frame counts as lost (default 30)
        --acked-out FILE            after the run, write "UNIT_ID FRAMES_ACKED" per unit to FILE (benchmarks'
                                    check that every acknowledged frame is stored)
        --provision                 first create the fleet, its API client and the units' vehicles over REST
        --provision-only            like --provision, then exit without connecting
        --api-url URL               gateway REST API (default http://127.0.0.1:8080)
        --admin-id ID               platform admin client (default: $FLEETGATE_ADMIN_CLIENT_ID)
        --admin-secret S            its secret (default: $FLEETGATE_ADMIN_CLIENT_SECRET)
        --fleet-id ID               fleet of provisioned vehicles (default sim-fleet)
        --command-rate F            commands mode: synchronous commands/s over all units (default 100)
        --command-failure-rate F    share of commands a unit answers FAILED, 0..1 (default 0)
        --command-delay-ms N        how long a unit takes to answer a command (default 0)
        --warmup S                  commands mode: send for S more seconds first, not measured (JIT warm-up; default 0)
        --help                      this text
      """;

  private static final java.util.Set<String> VALUED = java.util.Set.of("--host", "--port", "--units", "--unit-prefix",
      "--password", "--credentials", "--qos", "--format", "--mode", "--rate", "--target-rate", "--window", "--duration",
      "--source-addresses", "--connect-rate", "--keep-alive", "--report-every", "--ack-timeout", "--acked-out", "--api-url",
      "--admin-id", "--admin-secret", "--fleet-id", "--command-rate", "--command-failure-rate", "--command-delay-ms", "--warmup",
      "--protocol", "--ca", "--client-ca-cert", "--client-ca-key", "--tls-engine", "--gateways");

  /** A bad command line: one line for the user. */
  public static final class BadArgument extends RuntimeException {
    public BadArgument(String message) {
      super(message);
    }
  }

  public static SimOptions parse(String[] args, Map<String, String> env) {
    String host = DEFAULT_HOST;
    boolean hostGiven = false;
    int port = DEFAULT_PORT;
    boolean portGiven = false;
    List<Address> gateways = null;
    Protocol protocol = Protocol.MQTT;
    boolean formatGiven = false;
    boolean qosGiven = false;
    int units = DEFAULT_UNITS;
    boolean unitsGiven = false;
    String prefix = DEFAULT_UNIT_PREFIX;
    String password = DEFAULT_PASSWORD;
    Path credentials = null;
    int qos = 1;
    Format format = Format.JSON;
    Mode mode = Mode.REALISTIC;
    double rate = 1;
    double targetRate = 0;
    int window = DEFAULT_WINDOW;
    int duration = DEFAULT_DURATION_SECONDS;
    List<String> sources = List.of();
    boolean idle = false;
    int connectRate = DEFAULT_CONNECT_RATE;
    int keepAlive = 60;
    int reportEvery = 5;
    int ackTimeout = 30;
    Path ackedOut = null;
    boolean provision = false;
    boolean provisionOnly = false;
    String apiUrl = DEFAULT_API_URL;
    String adminId = env.get("FLEETGATE_ADMIN_CLIENT_ID");
    String adminSecret = env.get("FLEETGATE_ADMIN_CLIENT_SECRET");
    String fleetId = DEFAULT_FLEET_ID;
    double commandFailureRate = 0;
    int commandDelayMs = 0;
    double commandRate = 100;
    int warmupSeconds = 0;
    boolean tls = false;
    Path ca = null;
    Path clientCaCert = null;
    Path clientCaKey = null;
    TlsEngine tlsEngine = TlsEngine.OPENSSL;
    boolean tlsEngineGiven = false;

    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (name.equals("--idle") || name.equals("--provision") || name.equals("--provision-only") || name.equals("--tls")
          || name.equals("--help") || name.equals("-h")) {
        if (value != null) {
          throw new BadArgument(name + " takes no value");
        }
        switch (name) {
          case "--idle" -> idle = true;
          case "--tls" -> tls = true;
          case "--provision" -> provision = true;
          case "--provision-only" -> {
            provision = true;
            provisionOnly = true;
          }
          default -> throw new BadArgument("--help");
        }
        continue;
      }
      if (!name.startsWith("--")) {
        throw new BadArgument("unexpected argument '" + arg + "'");
      }
      if (!VALUED.contains(name)) {
        throw new BadArgument("unknown option '" + name + "'");
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new BadArgument(name + ": needs a value");
        }
        value = args[++i];
      }
      switch (name) {
        case "--host" -> {
          host = nonEmpty(name, value);
          hostGiven = true;
        }
        case "--gateways" -> gateways = gateways(name, value);
        case "--port" -> {
          port = integer(name, value, 1, 65535);
          portGiven = true;
        }
        case "--protocol" -> protocol = choice(name, value, Protocol.class);
        case "--units" -> {
          units = integer(name, value, 1, 1_000_000);
          unitsGiven = true;
        }
        case "--unit-prefix" -> {
          if (!value.matches("[A-Za-z0-9_-]{0,40}")) {
            throw new BadArgument(name + ": up to 40 characters of [A-Za-z0-9_-], got '" + value + "'");
          }
          prefix = value;
        }
        case "--password" -> {
          if (value.length() < 12) {
            throw new BadArgument(name + ": at least 12 characters");
          }
          password = value;
        }
        case "--credentials" -> credentials = Path.of(nonEmpty(name, value));
        case "--qos" -> {
          qos = integer(name, value, 0, 1);
          qosGiven = true;
        }
        case "--format" -> {
          format = choice(name, value, Format.class);
          formatGiven = true;
        }
        case "--mode" -> mode = choice(name, value, Mode.class);
        case "--rate" -> rate = number(name, value, 0.001, 1000);
        case "--target-rate" -> targetRate = number(name, value, 0, 10_000_000);
        case "--window" -> window = integer(name, value, 1, 1024);
        case "--duration" -> duration = integer(name, value, 1, MAX_DURATION_SECONDS);
        case "--source-addresses" -> sources = addresses(name, value);
        case "--connect-rate" -> connectRate = integer(name, value, 1, 100_000);
        case "--keep-alive" -> keepAlive = integer(name, value, 5, 65535);
        case "--report-every" -> reportEvery = integer(name, value, 1, 3600);
        case "--ack-timeout" -> ackTimeout = integer(name, value, 1, 3600);
        case "--acked-out" -> ackedOut = Path.of(nonEmpty(name, value));
        case "--api-url" -> {
          if (!value.matches("https?://[^/\\s]+/?")) {
            throw new BadArgument(name + ": an http(s)://host:port URL, got '" + value + "'");
          }
          apiUrl = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        }
        case "--admin-id" -> adminId = nonEmpty(name, value);
        case "--admin-secret" -> adminSecret = nonEmpty(name, value);
        case "--fleet-id" -> {
          if (!value.matches("[A-Za-z0-9_-]{1,100}")) {
            throw new BadArgument(name + ": 1-100 characters of [A-Za-z0-9_-], got '" + value + "'");
          }
          fleetId = value;
        }
        case "--command-rate" -> commandRate = number(name, value, 0.001, 1_000_000);
        case "--warmup" -> warmupSeconds = integer(name, value, 0, 3600);
        case "--command-failure-rate" -> commandFailureRate = number(name, value, 0, 1);
        case "--command-delay-ms" -> commandDelayMs = integer(name, value, 0, 3_600_000);
        case "--ca" -> ca = readableFile(name, value);
        case "--client-ca-cert" -> clientCaCert = readableFile(name, value);
        case "--client-ca-key" -> clientCaKey = readableFile(name, value);
        case "--tls-engine" -> {
          tlsEngine = choice(name, value, TlsEngine.class);
          tlsEngineGiven = true;
        }
        default -> throw new BadArgument("unknown option '" + name + "'");
      }
    }
    if (!tls && (ca != null || clientCaCert != null || clientCaKey != null || tlsEngineGiven)) {
      String given = ca != null ? "--ca" : clientCaCert != null ? "--client-ca-cert" : clientCaKey != null ? "--client-ca-key"
          : "--tls-engine";
      throw new BadArgument(given + ": only with --tls (it configures the TLS connection)");
    }
    if ((clientCaCert == null) != (clientCaKey == null)) {
      throw new BadArgument(clientCaCert == null ? "--client-ca-key: needs --client-ca-cert (the CA certificate of that key)"
          : "--client-ca-cert: needs --client-ca-key (its private key, to issue the units' certificates)");
    }
    if (gateways != null && (hostGiven || portGiven)) {
      throw new BadArgument("--gateways: not with " + (hostGiven ? "--host" : "--port")
          + " (each address of --gateways has its own host:port)");
    }
    if (tls && !portGiven) {
      port = protocol == Protocol.TCP ? DEFAULT_TCP_TLS_PORT : DEFAULT_MQTT_TLS_PORT;
      portGiven = true;
    }
    if (protocol == Protocol.TCP) {
      if (formatGiven && format != Format.BINARY) {
        throw new BadArgument("--format json: the TCP protocol carries binary state frames only (use --format binary or leave it out)");
      }
      if (qosGiven && qos != 1) {
        throw new BadArgument("--qos 0: TCP state frames are always acknowledged (leave --qos out with --protocol tcp)");
      }
      format = Format.BINARY;
      qos = 1;
      if (!portGiven) {
        port = DEFAULT_TCP_PORT;
      }
    }
    if (mode == Mode.COMMANDS && (!provision || provisionOnly)) {
      throw new BadArgument("--mode commands: needs --provision (its API client sends the commands)");
    }
    if (provision && (adminId == null || adminSecret == null)) {
      throw new BadArgument("--provision: needs --admin-id and --admin-secret (or FLEETGATE_ADMIN_CLIENT_ID/_SECRET)");
    }
    if (idle && mode == Mode.LOAD) {
      throw new BadArgument("--idle: not with --mode load (idle units send no frames)");
    }
    String addressOption = gateways == null ? "--host" : "--gateways";
    if (gateways == null) {
      gateways = List.of(new Address(host, port));
    }
    if (mode != Mode.REALISTIC || idle) {
      String option = addressOption;
      for (Address a : gateways) {
        if (!isLoopback(option, a.host())) {
          throw new BadArgument(option + ": load and idle runs only target loopback addresses (127.0.0.0/8), got '" + a.host() + "'");
        }
      }
    }
    if (!unitsGiven && credentials != null && !provision) {
      units = 0; // every unit of the file
    }
    return new SimOptions(gateways, units, prefix, password, credentials, qos, format, mode, rate, targetRate,
        window, duration, sources, idle, connectRate, keepAlive, reportEvery, ackTimeout, provision, provisionOnly, apiUrl,
        adminId, adminSecret, fleetId, commandFailureRate, commandDelayMs, commandRate, warmupSeconds, protocol, ackedOut,
        tls, ca, clientCaCert, clientCaKey, tlsEngine);
  }

  /** The first gateway address's host (the only one without {@code --gateways}). */
  public String host() {
    return gateways.get(0).host();
  }

  /** The first gateway address's port (the only one without {@code --gateways}). */
  public int port() {
    return gateways.get(0).port();
  }

  /** The gateway addresses as the user wrote them: {@code 127.0.0.1:1884, 127.0.0.1:1885}. */
  public String describeGateways() {
    return String.join(", ", gateways.stream().map(Address::toString).toList());
  }

  /** The id of the n-th unit (1-based) when ids are generated. */
  public String unitId(int n) {
    return unitPrefix + String.format("%06d", n);
  }

  /** Whether units log in with client certificates issued at start-up (else with passwords). */
  public boolean clientCertificates() {
    return clientCaCert != null;
  }

  private static Path readableFile(String name, String value) {
    Path file = Path.of(nonEmpty(name, value));
    if (!java.nio.file.Files.isRegularFile(file) || !java.nio.file.Files.isReadable(file)) {
      throw new BadArgument(name + ": '" + value + "' is not a readable file");
    }
    return file;
  }

  private static String nonEmpty(String name, String value) {
    if (value.isBlank()) {
      throw new BadArgument(name + ": must not be empty");
    }
    return value;
  }

  private static int integer(String name, String value, int min, int max) {
    try {
      int v = Integer.parseInt(value.trim());
      if (v < min || v > max) {
        throw new BadArgument(name + ": must be between " + min + " and " + max + ", got " + v);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new BadArgument(name + ": must be a whole number, got '" + value + "'");
    }
  }

  private static double number(String name, String value, double min, double max) {
    try {
      double v = Double.parseDouble(value.trim());
      if (!(v >= min && v <= max)) {
        throw new BadArgument(name + ": must be between " + min + " and " + max + ", got " + value);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new BadArgument(name + ": must be a number, got '" + value + "'");
    }
  }

  private static <E extends Enum<E>> E choice(String name, String value, Class<E> type) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(value)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(java.util.Locale.ROOT));
    }
    throw new BadArgument(name + ": one of " + String.join(", ", names) + ", got '" + value + "'");
  }

  /** {@code 127.0.0.1-127.0.0.16} (a range within one /24) or a comma-separated list; loopback only. */
  static List<String> addresses(String name, String value) {
    List<String> out = new ArrayList<>();
    for (String part : value.split(",")) {
      String p = part.trim();
      int dash = p.indexOf('-');
      if (dash > 0) {
        String from = p.substring(0, dash).trim();
        String to = p.substring(dash + 1).trim();
        int cut = from.lastIndexOf('.');
        if (cut < 0 || !to.startsWith(from.substring(0, cut + 1))) {
          throw new BadArgument(name + ": a range stays within one /24, e.g. 127.0.0.1-127.0.0.16, got '" + p + "'");
        }
        int a = octet(name, from.substring(cut + 1));
        int b = octet(name, to.substring(cut + 1));
        if (b < a) {
          throw new BadArgument(name + ": empty range '" + p + "'");
        }
        for (int i = a; i <= b; i++) {
          out.add(loopback(name, from.substring(0, cut + 1) + i));
        }
      } else if (!p.isEmpty()) {
        out.add(loopback(name, p));
      }
    }
    if (out.isEmpty()) {
      throw new BadArgument(name + ": no address in '" + value + "'");
    }
    return List.copyOf(out);
  }

  private static int octet(String name, String s) {
    try {
      int v = Integer.parseInt(s);
      if (v >= 0 && v <= 255) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new BadArgument(name + ": '" + s + "' is not an address octet");
  }

  private static String loopback(String name, String address) {
    if (!address.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
      throw new BadArgument(name + ": source addresses must be loopback IPv4 (127.x.y.z), got '" + address + "'");
    }
    return address;
  }

  /**
   * {@code host:port,host:port,…}; an IPv6 host in brackets ({@code [::1]:1884}). Every port is given (the
   * nodes of one machine differ only by port), and no address twice.
   */
  static List<Address> gateways(String name, String value) {
    List<Address> out = new ArrayList<>();
    for (String part : value.split(",", -1)) {
      String p = part.trim();
      int colon = p.lastIndexOf(':');
      String host = colon > 0 ? p.substring(0, colon) : "";
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      } else if (host.indexOf(':') >= 0) {
        host = ""; // an IPv6 address needs its brackets
      }
      if (host.isBlank() || host.matches(".*[\\s/\\[\\]].*")) {
        throw new BadArgument(name + ": each address is HOST:PORT (e.g. 127.0.0.1:1884,127.0.0.1:1885), got '" + p + "'");
      }
      int port;
      try {
        port = Integer.parseInt(p.substring(colon + 1));
      } catch (NumberFormatException e) {
        port = 0;
      }
      if (port < 1 || port > 65535) {
        throw new BadArgument(name + ": '" + p + "' needs a port between 1 and 65535 (each address is HOST:PORT)");
      }
      Address a = new Address(host, port);
      if (out.contains(a)) {
        throw new BadArgument(name + ": " + a + " is listed twice");
      }
      out.add(a);
    }
    if (out.size() > MAX_GATEWAYS) {
      throw new BadArgument(name + ": at most " + MAX_GATEWAYS + " addresses, got " + out.size());
    }
    return List.copyOf(out);
  }

  static boolean isLoopback(String option, String host) {
    try {
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      throw new BadArgument(option + ": unknown host '" + host + "'");
    }
  }
}
