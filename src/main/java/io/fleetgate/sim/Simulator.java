package io.fleetgate.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code fleetgate simulate}: simulated units against a running gateway. Steps: (provision) → connect at the
 * ramp rate → send for {@code --duration} seconds → drain outstanding PUBACKs → disconnect → summary. Every step
 * is bounded in time, so a run always ends by itself.
 *
 * <p>Besides the human lines it prints {@code MARK <phase>} lines (connected, sending, drained, done) and one
 * {@code SUMMARY key=value …} line, which the benchmark scripts use to time their measurements.
 */
public final class Simulator {
  private static final AtomicInteger WARNINGS = new AtomicInteger();
  private static final int MAX_WARNINGS = 20;

  private Simulator() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out));
  }

  /** The whole CLI; returns the exit status (0 ok, 1 the run failed, 2 bad arguments). */
  /** The fleet's API client made by --provision: it sends the commands of --mode commands. */
  private static volatile Credentials.ApiClient commandClient;

  static int run(String[] args, Map<String, String> env, PrintStream out) {
    SimOptions options;
    try {
      options = SimOptions.parse(args, env);
    } catch (SimOptions.BadArgument e) {
      if (e.getMessage().equals("--help")) {
        out.print(SimOptions.USAGE);
        return 0;
      }
      System.err.println("fleetgate simulate: " + e.getMessage() + " (see fleetgate simulate --help)");
      return 2;
    }
    Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setPreferNativeTransport(true));
    try {
      List<Credentials.Unit> units = units(vertx, options, out);
      if (options.provisionOnly()) {
        return 0;
      }
      return simulate(vertx, options, units, out);
    } catch (SimOptions.BadArgument e) {
      System.err.println("fleetgate simulate: " + e.getMessage());
      return 2;
    } catch (Provisioner.ProvisioningException e) {
      System.err.println("fleetgate simulate: provisioning failed: " + e.getMessage());
      return 1;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().completeOnTimeout(null, 5, TimeUnit.SECONDS).join();
    }
  }

  private static List<Credentials.Unit> units(Vertx vertx, SimOptions options, PrintStream out) {
    if (options.provision()) {
      List<Credentials.Unit> units = provision(vertx, options, out);
      if (options.credentials() != null) {
        writeCredentials(options, units, out);
      }
      return units;
    }
    if (options.credentials() != null) {
      List<Credentials.Unit> all = Credentials.read(options.credentials()).units();
      return options.units() > 0 && options.units() < all.size() ? all.subList(0, options.units()) : all;
    }
    List<Credentials.Unit> units = new ArrayList<>(options.units());
    for (int n = 1; n <= options.units(); n++) {
      units.add(new Credentials.Unit(options.unitId(n), options.password(), null, null));
    }
    return units;
  }

  private static List<Credentials.Unit> provision(Vertx vertx, SimOptions options, PrintStream out) {
    out.println("provisioning fleet " + options.fleetId() + " and " + options.units() + " vehicles at " + options.apiUrl());
    try (Provisioner p = new Provisioner(vertx, options.apiUrl())) {
      List<io.vertx.core.json.JsonObject> bodies = new ArrayList<>();
      for (int n = 1; n <= options.units(); n++) {
        bodies.add(Provisioner.vehicleBody(options.unitId(n), options.password(), n));
      }
      AtomicInteger done = new AtomicInteger();
      Future<List<Credentials.Unit>> units = p.login(options.adminId(), options.adminSecret())
          .compose(admin -> p.ensureFleet(admin, options.fleetId(), "Simulated fleet " + options.fleetId())
              .compose(v -> p.createApiClient(admin, options.fleetId(), null, "simulator")))
          .compose(client -> {
            commandClient = client;
            return p.login(client.clientId(), client.clientSecret());
          })
          .compose(fleet -> p.createVehicles(fleet, options.fleetId(), bodies, 8, () -> {
            int n = done.incrementAndGet();
            if (n % 1000 == 0) {
              out.println("  " + n + " vehicles");
            }
          }));
      // bounded: a generous minute plus 200 ms per vehicle (password hashing on a small machine)
      long timeoutMs = 60_000 + 200L * options.units();
      List<Credentials.Unit> result = await(units, timeoutMs, "provisioning");
      out.println("provisioned " + result.size() + " units (" + result.stream().filter(u -> u.vehicleId() == null).count()
          + " existed already)");
      return result;
    }
  }

  private static void writeCredentials(SimOptions options, List<Credentials.Unit> units, PrintStream out) {
    try {
      new Credentials(options.apiUrl(), options.host(), options.port(), List.of(), units).write(options.credentials());
      out.println("wrote " + options.credentials());
    } catch (java.io.IOException e) {
      throw new SimOptions.BadArgument("--credentials: cannot write " + options.credentials() + " (" + e.getMessage() + ")");
    }
  }

  private static int simulate(Vertx vertx, SimOptions options, List<Credentials.Unit> units, PrintStream out) {
    SimTls tls = null;
    if (options.tls()) {
      if (options.clientCertificates()) {
        out.println("issuing " + units.size() + " client certificates (CN = unit id) with " + options.clientCaCert());
      }
      tls = SimTls.load(options, units.stream().map(Credentials.Unit::unitId).toList());
      out.println(tls.describe());
    }
    long connectingSince = System.nanoTime();
    SimulatorRun run = await(SimulatorRun.start(vertx, options, units, tls), 30_000, "start");
    SimReport report = new SimReport(run, out);
    long reporter = vertx.setPeriodic(options.reportEverySeconds() * 1000L, t -> out.println(report.progressLine()));
    try {
      String what = options.idle() ? "idle" : options.mode() == SimOptions.Mode.LOAD
          ? "load " + (options.targetRate() == 0 ? "flat out" : options.targetRate() + " frames/s")
          : "realistic " + options.rate() + " frames/s per unit";
      out.println("simulating " + units.size() + " units against " + options.describeGateways() + " ("
          + what + ", " + (options.protocol() == SimOptions.Protocol.TCP ? "TCP, binary, every frame acknowledged"
          : "MQTT, " + options.format().name().toLowerCase() + ", QoS " + options.qos())
          + (tls == null ? "" : ", TLS " + tls.engineName() + (tls.clientCertificates() ? ", client certificates" : ", passwords"))
          + ", " + options.durationSeconds() + " s)");
      long rampMs = 30_000 + 1000L * units.size() / options.connectRate();
      if (options.tls()) {
        rampMs += 10L * units.size(); // a full handshake costs milliseconds of CPU on each side
      }
      if (options.mode() != SimOptions.Mode.REALISTIC || options.idle()) {
        // measure only with every unit connected: connecting costs the gateway a password hash each
        boolean all = await(run.awaitConnected(rampMs), rampMs + 5_000, "connect");
        out.println((all ? "" : "not ") + "all units connected (" + run.stats().connected.get() + "/" + units.size() + ") "
            + String.format(java.util.Locale.ROOT, "in %.1f s", (System.nanoTime() - connectingSince) / 1e9));
        if (run.stats().connected.get() == 0) {
          System.err.println("fleetgate simulate: no unit could connect to " + options.describeGateways());
          return 1;
        }
        out.println("MARK connected");
      }
      if (!options.idle()) {
        await(run.startSending(), 30_000, "start sending"); // a loaded machine can take seconds to fill every window
        out.println("MARK sending");
      }
      if (options.mode() == SimOptions.Mode.COMMANDS) {
        runCommands(vertx, options, units, out);
      } else {
        sleep(options.durationSeconds() * 1000L);
      }
      if (!options.idle()) {
        await(run.stopSending(Math.min(10_000, options.ackTimeoutSeconds() * 1000L)), 20_000, "drain");
        out.println("MARK drained");
      }
      vertx.cancelTimer(reporter);
      if (options.ackedOut() != null) {
        writeAcked(options.ackedOut(), await(run.ackedByUnit(), 10_000, "acked counts"));
        out.println("wrote " + options.ackedOut());
      }
      await(run.stop(), 15_000, "disconnect");
      report.printSummary();
      out.println("MARK done");
      return run.stats().connects.sum() == 0 ? 1 : 0;
    } finally {
      vertx.cancelTimer(reporter);
    }
  }

  private static void writeAcked(java.nio.file.Path file, java.util.Map<String, Long> acked) {
    StringBuilder b = new StringBuilder();
    acked.forEach((unit, n) -> b.append(unit).append(' ').append(n).append('\n'));
    try {
      java.nio.file.Files.writeString(file, b);
    } catch (java.io.IOException e) {
      throw new SimOptions.BadArgument("--acked-out: cannot write " + file + " (" + e.getMessage() + ")");
    }
  }

  /** --mode commands: synchronous REST commands to the connected units' vehicles for --duration seconds. */
  private static void runCommands(Vertx vertx, SimOptions options, List<Credentials.Unit> units, PrintStream out) {
    List<String> vehicles = units.stream().map(Credentials.Unit::vehicleId).filter(java.util.Objects::nonNull).toList();
    if (vehicles.isEmpty() || commandClient == null) {
      throw new SimOptions.BadArgument("--mode commands: no freshly provisioned vehicle to command (use a new --fleet-id / --unit-prefix)");
    }
    out.println("commands: " + options.commandRate() + "/s, synchronous, over " + vehicles.size() + " vehicles for "
        + options.durationSeconds() + " s");
    CommandLoad load = new CommandLoad(vertx, options.apiUrl(), vehicles, options.commandRate());
    try {
      await(load.run(commandClient.clientId(), commandClient.clientSecret(), options.warmupSeconds(), options.durationSeconds()),
          (options.warmupSeconds() + options.durationSeconds()) * 1000L + 60_000, "commands");
      load.print(out, options.durationSeconds());
    } finally {
      load.close();
    }
  }

  static <T> T await(Future<T> future, long timeoutMs, String step) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new Provisioner.ProvisioningException(step + ": " + SimulatedUnit.describe(cause));
    } catch (java.util.concurrent.TimeoutException e) {
      throw new Provisioner.ProvisioningException(step + ": no result within " + timeoutMs / 1000 + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Provisioner.ProvisioningException(step + ": interrupted");
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A warning line on stderr; after {@value #MAX_WARNINGS} of them, the rest only count. */
  static void warn(String line) {
    int n = WARNINGS.incrementAndGet();
    if (n <= MAX_WARNINGS) {
      System.err.println("sim: " + line);
    } else if (n == MAX_WARNINGS + 1) {
      System.err.println("sim: (further warnings suppressed; the summary counts them)");
    }
  }
}
