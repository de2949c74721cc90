package io.fleetgate;

import io.fleetgate.config.ConfigException;
import io.fleetgate.config.ConfigLoader;
import io.fleetgate.config.GatewayConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.logging.LogManager;

/** The command line: {@code run} (default), {@code demo}, {@code simulate}. */
public final class Main {
  private static final String USAGE = """
      usage: java -jar fleetgate.jar [run] [--config FILE]   the gateway (config/fleetgate.json + FLEETGATE_* environment)
             java -jar fleetgate.jar demo [--vehicles N]      in memory, two partner fleets, simulated units, live figures
             java -jar fleetgate.jar simulate --help          simulated units against a running gateway (demo or load)
      """;

  private Main() {}

  public static void main(String[] args) {
    configureLogging();
    String command = args.length == 0 || args[0].startsWith("-") ? "run" : args[0];
    String[] rest = args.length == 0 || args[0].startsWith("-") ? args : Arrays.copyOfRange(args, 1, args.length);
    try {
      switch (command) {
        case "run" -> run(rest);
        case "demo" -> io.fleetgate.sim.Demo.main(rest);
        case "simulate" -> io.fleetgate.sim.Simulator.main(rest);
        case "help", "--help", "-h" -> System.out.print(USAGE);
        default -> {
          System.err.println("fleetgate: unknown command '" + command + "'");
          System.err.print(USAGE);
          System.exit(2);
        }
      }
    } catch (ConfigException e) {
      System.err.println("fleetgate: configuration error: " + e.getMessage());
      System.exit(2);
    }
  }

  private static void run(String[] args) {
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        file = Path.of(args[++i]);
      } else if (args[i].equals("--help") || args[i].equals("-h")) {
        System.out.print(USAGE);
        return;
      } else {
        throw new ConfigException("unknown argument '" + args[i] + "'");
      }
    }
    GatewayConfig config = ConfigLoader.load(file, System.getenv());
    startOrExit(config);
  }

  /** Starts a gateway in a new Vert.x instance, or prints one line and exits when it cannot start. */
  public static Gateway startOrExit(GatewayConfig config) {
    PrometheusMeterRegistry metrics = Gateway.newMetrics();
    Vertx vertx;
    try {
      // clustered (cluster.members): the Hazelcast member has joined when this returns
      vertx = Gateway.newVertx(metrics, 2000, config).toCompletionStage().toCompletableFuture().join();
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("fleetgate: cannot join the cluster: " + (cause.getMessage() != null ? cause.getMessage() : cause));
      System.exit(1);
      return null;
    }
    CompletableFuture<Gateway> started = Gateway.start(vertx, config, metrics).toCompletionStage().toCompletableFuture();
    try {
      Gateway g = started.join();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          g.stop().compose(v -> vertx.close()).toCompletionStage().toCompletableFuture().get();
        } catch (Exception ignored) {
          // exiting anyway
        }
      }, "fleetgate-shutdown"));
      return g;
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      vertx.close();
      if (cause instanceof ConfigException ce) {
        throw ce;
      }
      String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
      if (cause instanceof java.net.BindException || message.contains("Address already in use")) {
        message = "a port is already in use (" + message + "); set another with FLEETGATE_*_PORT";
      }
      System.err.println("fleetgate: cannot start: " + message);
      System.exit(1);
      return null;
    }
  }

  /** One line per log record, quiet libraries; a -Djava.util.logging.config.file wins. */
  static void configureLogging() {
    if (System.getProperty("java.util.logging.config.file") != null) {
      return;
    }
    try (InputStream in = Main.class.getResourceAsStream("/fleetgate-logging.properties")) {
      if (in != null) {
        LogManager.getLogManager().readConfiguration(in);
      }
    } catch (Exception ignored) {
      // default JUL configuration
    }
  }
}
