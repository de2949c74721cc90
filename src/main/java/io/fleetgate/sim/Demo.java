package io.fleetgate.sim;

import io.fleetgate.Gateway;
import io.fleetgate.Main;
import io.fleetgate.config.ConfigLoader;
import io.fleetgate.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code fleetgate demo}: a gateway in memory in this process, seeded through its own REST API (two partner
 * fleets, an API client each, vehicles with telematics units, a few vehicles of the first fleet shared with the
 * second), driven by simulated units at about one frame a
 * second each, three in four over MQTT and one in four over the fleetgate TCP protocol. Prints the
 * credentials, copy-paste {@code curl} examples and a live line per protocol; Ctrl-C stops it.
 */
public final class Demo {
  public static final Path CREDENTIALS_FILE = Path.of("fleetgate-demo-credentials.json");
  private static final String[][] FLEETS = {{"acme-berlin", "Acme Berlin"}, {"partner-mobility", "Partner Mobility"}};
  /** Vehicles of the first fleet shared with the second after seeding. */
  static final int SHARED_VEHICLES = 3;
  private static final String USAGE = """
      usage: fleetgate demo [--vehicles N] [--http-port N] [--mqtt-port N] [--tcp-port N] [--amqp-url URL]
        --vehicles N     simulated vehicles, split between two fleets (default 50); every fourth unit
                         speaks the fleetgate TCP protocol, the others MQTT
        --http-port N    REST API port (default 8080; 0 = any free port)
        --mqtt-port N    MQTT device port (default 1884; 0 = any free port)
        --tcp-port N     TCP device port (default 5100; 0 = any free port)
        --amqp-url URL   publish events to RabbitMQ (default: FLEETGATE_AMQP_URL; unset = SSE only); each fleet
                         gets an event consumer and the live line counts what its queues receive
      """;

  private Demo() {}

  public static void main(String[] args) {
    int vehicles = 50;
    int httpPort = 8080;
    int mqttPort = 1884;
    String amqpUrl = System.getenv("FLEETGATE_AMQP_URL");
    int tcpPort = 5100;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          System.out.print(USAGE);
          return;
        }
        if (i + 1 >= args.length) {
          throw new SimOptions.BadArgument(a.startsWith("--") ? a + ": needs a value" : "unexpected argument '" + a + "'");
        }
        switch (a) {
          case "--vehicles" -> vehicles = intArg(a, args[++i], 1, 10_000);
          case "--http-port" -> httpPort = intArg(a, args[++i], 0, 65535);
          case "--mqtt-port" -> mqttPort = intArg(a, args[++i], 0, 65535);
          case "--amqp-url" -> amqpUrl = args[++i];
          case "--tcp-port" -> tcpPort = intArg(a, args[++i], 0, 65535);
          default -> throw new SimOptions.BadArgument("unknown option '" + a + "'");
        }
      }
    } catch (SimOptions.BadArgument e) {
      System.err.println("fleetgate demo: " + e.getMessage() + " (see fleetgate demo --help)");
      System.exit(2);
    }
    System.exit(run(vehicles, httpPort, mqttPort, tcpPort, amqpUrl == null || amqpUrl.isBlank() ? null : amqpUrl));
  }

  /** Settings the demo takes from the environment (FLEETGATE_DB_URL, FLEETGATE_JWT_KEY). */
  private static final List<String> DEMO_ENVIRONMENT = List.of("db.url", "jwt.key");

  private static int run(int vehicles, int httpPort, int mqttPort, int tcpPort, String amqpUrl) {
    String adminId = "demo-admin";
    String adminSecret = randomToken(24);
    Map<String, Object> settings = new HashMap<>();
    settings.put("http.host", "127.0.0.1");
    settings.put("http.port", httpPort);
    settings.put("mqtt.host", "127.0.0.1");
    settings.put("mqtt.port", mqttPort);
    settings.put("tcp.host", "127.0.0.1");
    settings.put("tcp.port", tcpPort);
    settings.put("admin.clientId", adminId);
    settings.put("admin.clientSecret", adminSecret);
    if (amqpUrl != null) {
      settings.put("amqp.url", amqpUrl);
    }
    // the demo is in memory unless the environment names a database (and a signing key, for tokens that
    // outlive the process); each run seeds new fleets, so give it an empty database
    for (String key : DEMO_ENVIRONMENT) {
      String value = System.getenv(io.fleetgate.config.Settings.ALL.get(key).envName());
      if (value != null && !value.isBlank()) {
        settings.put(key, value);
      }
    }
    GatewayConfig config = ConfigLoader.of(settings);
    Gateway gateway = Main.startOrExit(config);
    if (!gateway.registry.units().isEmpty()) {
      System.err.println("fleetgate demo: the database " + gateway.database.where() + " already holds telematics units"
          + " (an earlier demo?); the demo seeds fresh fleets and units, so give it an empty database (FLEETGATE_DB_URL)");
      gateway.stop().onComplete(ar -> gateway.vertx.close()).toCompletionStage().toCompletableFuture()
          .completeOnTimeout(null, 10, TimeUnit.SECONDS).join();
      return 1;
    }
    String apiUrl = "http://127.0.0.1:" + gateway.httpPort();

    Vertx vertx = Vertx.vertx();
    Credentials credentials;
    Map<String, List<String>> queues = new java.util.LinkedHashMap<>();
    try (Provisioner p = new Provisioner(vertx, apiUrl)) {
      System.out.println("seeding the demo through the REST API at " + apiUrl + " …");
      credentials = Simulator.await(seed(p, adminId, adminSecret, vehicles, apiUrl, gateway.mqttPort()),
          120_000 + 500L * vehicles, "seeding");
      credentials.write(CREDENTIALS_FILE);
      if (amqpUrl != null) {
        for (Credentials.ApiClient client : credentials.apiClients()) {
          Map<String, String> q = Simulator.await(p.login(client.clientId(), client.clientSecret())
              .compose(session -> p.createEventConsumer(session, "demo", EVENT_TYPES)), 30_000, "event consumer");
          queues.put(client.fleetId(), new ArrayList<>(q.values()));
        }
      }
    } catch (Provisioner.ProvisioningException e) {
      System.err.println("fleetgate demo: seeding failed: " + e.getMessage());
      vertx.close();
      return 1;
    } catch (IOException e) {
      System.err.println("fleetgate demo: cannot write " + CREDENTIALS_FILE + ": " + e.getMessage());
      vertx.close();
      return 1;
    }
    List<Credentials.Unit> tcpUnits = new ArrayList<>();
    List<Credentials.Unit> mqttUnits = new ArrayList<>();
    for (int i = 0; i < credentials.units().size(); i++) {
      (i % 4 == 3 ? tcpUnits : mqttUnits).add(credentials.units().get(i));
    }
    printWelcome(credentials, adminId, adminSecret, gateway.tcpPort(), tcpUnits.size());
    EventQueueWatcher watcher = amqpUrl == null ? null : watchQueues(vertx, amqpUrl, queues);

    List<SimulatorRun> runs = new ArrayList<>();
    List<SimReport> reports = new ArrayList<>();
    startUnits(vertx, mqttUnits, "--port", String.valueOf(gateway.mqttPort()), "--qos", "1").ifPresent(runs::add);
    startUnits(vertx, tcpUnits, "--protocol", "tcp", "--port", String.valueOf(gateway.tcpPort())).ifPresent(runs::add);
    for (SimulatorRun r : runs) {
      reports.add(new SimReport(r, System.out));
    }
    String[] labels = runs.size() == 2 ? new String[] {"mqtt ", "tcp  "} : new String[] {""};
    vertx.setPeriodic(5_000, t -> {
      for (int i = 0; i < reports.size(); i++) {
        System.out.println(labels[Math.min(i, labels.length - 1)] + reports.get(i).progressLine());
      }
      if (watcher != null) {
        System.out.println("  rabbitmq: events consumed per fleet's queues: " + watcher.countsByFleet() + "; "
            + watcher.wrongFleet() + " addressed to another fleet than the queue's");
      }
    });

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("stopping the simulated units …");
      Future.join(runs.stream().map(SimulatorRun::stop).toList()).eventually(vertx::close).toCompletionStage().toCompletableFuture()
          .completeOnTimeout(null, 5, TimeUnit.SECONDS).join();
      stopped.countDown();
    }, "fleetgate-demo-stop"));
    try {
      stopped.await(); // until Ctrl-C
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static final List<String> EVENT_TYPES = java.util.Arrays.stream(io.fleetgate.events.EventType.values())
      .map(t -> t.wire).toList();

  /** One consumer per fleet (its queues printed), counted by a watcher that checks every message's fleet. */
  private static EventQueueWatcher watchQueues(Vertx vertx, String amqpUrl, Map<String, List<String>> queues) {
    System.out.println("RabbitMQ: events go to the exchange fleetgate.events; each fleet has an event consumer:");
    queues.forEach((fleet, q) -> System.out.println("  fleet " + fleet + ": " + String.join(", ", q)));
    List<String> all = new ArrayList<>();
    queues.values().forEach(all::addAll);
    return Simulator.await(EventQueueWatcher.start(vertx, amqpUrl, all), 30_000, "consuming the event queues");
  }

  /** Simulated units in realistic mode (one frame a second, answering commands), if there are any. */
  private static java.util.Optional<SimulatorRun> startUnits(Vertx vertx, List<Credentials.Unit> units, String... protocolArgs) {
    if (units.isEmpty()) {
      return java.util.Optional.empty();
    }
    List<String> args = new ArrayList<>(List.of(protocolArgs));
    args.addAll(List.of("--rate", "1", "--connect-rate", "100"));
    SimOptions options = SimOptions.parse(args.toArray(String[]::new), Map.of());
    SimulatorRun run = Simulator.await(SimulatorRun.start(vertx, options, units), 30_000, "start");
    Simulator.await(run.startSending(), 10_000, "start sending");
    return java.util.Optional.of(run);
  }

  /** Admin token → two fleets → one API client each → the vehicles, alternating between the fleets. */
  private static Future<Credentials> seed(Provisioner p, String adminId, String adminSecret, int vehicles, String apiUrl,
      int mqttPort) {
    List<Credentials.ApiClient> clients = new ArrayList<>();
    List<Credentials.Unit> units = new ArrayList<>();
    Future<Void> chain = p.login(adminId, adminSecret).compose(admin -> {
      Future<Void> fleets = Future.succeededFuture();
      for (String[] fleet : FLEETS) {
        fleets = fleets.compose(v -> p.ensureFleet(admin, fleet[0], fleet[1]))
            .compose(v -> p.createApiClient(admin, fleet[0], fleet[1], fleet[1] + " operations"))
            .map(client -> {
              clients.add(client);
              return null;
            });
      }
      return fleets;
    });
    for (int f = 0; f < FLEETS.length; f++) {
      int fleetIndex = f;
      chain = chain.compose(v -> {
        Credentials.ApiClient client = clients.get(fleetIndex);
        List<JsonObject> bodies = new ArrayList<>();
        for (int n = fleetIndex + 1; n <= vehicles; n += FLEETS.length) {
          bodies.add(Provisioner.vehicleBody(String.format("DE%014X", 0xF1EE_0000L + n), randomToken(18), n));
        }
        return p.login(client.clientId(), client.clientSecret())
            .compose(session -> p.createVehicles(session, client.fleetId(), bodies, 4, () -> { }))
            .map(created -> {
              units.addAll(created);
              return null;
            });
      });
    }
    chain = chain.compose(v -> shareSome(p, adminId, adminSecret, clients.get(0), FLEETS[1][0], units));
    return chain.map(v -> new Credentials(apiUrl, "127.0.0.1", mqttPort, List.copyOf(clients), List.copyOf(units)));
  }

  /** The admin partners the two fleets; the first fleet shares its first few vehicles with the second. */
  private static Future<Void> shareSome(Provisioner p, String adminId, String adminSecret, Credentials.ApiClient owner,
      String partnerFleetId, List<Credentials.Unit> units) {
    List<String> vehicleIds = units.stream().filter(u -> owner.fleetId().equals(u.fleetId()) && u.vehicleId() != null)
        .map(Credentials.Unit::vehicleId).limit(SHARED_VEHICLES).toList();
    return p.login(adminId, adminSecret)
        .compose(admin -> p.ensurePartnership(admin, owner.fleetId(), partnerFleetId))
        .compose(v -> p.login(owner.clientId(), owner.clientSecret()))
        .compose(session -> {
          Future<Void> shares = Future.succeededFuture();
          for (String id : vehicleIds) {
            shares = shares.compose(v -> p.share(session, id, partnerFleetId));
          }
          return shares;
        });
  }

  private static void printWelcome(Credentials c, String adminId, String adminSecret, int tcpPort, int tcpUnits) {
    String api = c.apiUrl();
    System.out.println();
    System.out.println("fleetgate demo is running: REST " + api + ", MQTT 127.0.0.1:" + c.mqttPort() + ", TCP 127.0.0.1:" + tcpPort
        + " (" + (c.units().size() - tcpUnits) + " units over MQTT, " + tcpUnits + " over TCP)");
    System.out.println("  platform admin: " + adminId + " / " + adminSecret);
    for (Credentials.ApiClient client : c.apiClients()) {
      long count = c.units().stream().filter(u -> client.fleetId().equals(u.fleetId())).count();
      System.out.println("  fleet " + client.fleetId() + " (" + count + " vehicles): client_id " + client.clientId()
          + "  client_secret " + client.clientSecret());
    }
    System.out.println("  operator console: " + api + "/console/  (sign in with a fleet's client_id and client_secret"
        + " above, or the platform admin's for the Fleets page)");
    System.out.println("  every unit's id and password: " + CREDENTIALS_FILE.toAbsolutePath());
    System.out.println("  FleetShare: " + FLEETS[0][0] + " and " + FLEETS[1][0] + " are partners; " + SHARED_VEHICLES
        + " vehicles of " + FLEETS[0][0] + " are shared with " + FLEETS[1][0]
        + " (GET /vehicles?sharing=shared_with_me as " + FLEETS[1][0] + ", ?sharing=shared_by_me as " + FLEETS[0][0] + ")");
    Credentials.ApiClient first = c.apiClients().get(0);
    // the first SHARED_VEHICLES are lent to the partner (owner commands to them answer 409): show an unshared one
    String vehicleId = c.units().stream().filter(u -> first.fleetId().equals(u.fleetId()) && u.vehicleId() != null)
        .map(Credentials.Unit::vehicleId).skip(SHARED_VEHICLES).findFirst().orElse("VEHICLE_ID");
    System.out.println();
    System.out.println("try it (" + first.fleetName() + "):");
    System.out.println("  TOKEN=$(curl -s -u '" + first.clientId() + ":" + first.clientSecret()
        + "' -d grant_type=client_credentials " + api + "/auth/oauth/token | sed -E 's/.*\"access_token\": *\"([^\"]+)\".*/\\1/')");
    System.out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" '" + api + "/vehicles?limit=5'");
    System.out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" " + api + "/vehicles/" + vehicleId);
    System.out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" " + api + "/vehicles/" + vehicleId + "/state");
    System.out.println("  curl -s -H \"Authorization: Bearer $TOKEN\" '" + api + "/vehicles/" + vehicleId + "/states?limit=3'");
    System.out.println("  curl -s -X POST -H \"Authorization: Bearer $TOKEN\" " + api + "/vehicles/" + vehicleId + "/commands/request-vehicle-state");
    System.out.println("  curl -s -i -X POST -H \"Authorization: Bearer $TOKEN\" -H 'Prefer: respond-async' " + api + "/vehicles/" + vehicleId + "/commands/draw-attention");
    System.out.println("  API reference: " + api + "/docs    metrics: " + api + "/metrics");
    System.out.println();
    System.out.println("simulated units connect now; a live line follows every 5 s. Ctrl-C stops the demo.");
  }

  private static int intArg(String name, String value, int min, int max) {
    try {
      int v = Integer.parseInt(value);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new SimOptions.BadArgument(name + ": a whole number from " + min + " to " + max + ", got '" + value + "'");
  }

  static String randomToken(int bytes) {
    byte[] b = new byte[bytes];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
