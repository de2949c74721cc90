package io.fleetgate.ops;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** What was built and what it runs on: the gateway version (filled in by the build), Vert.x and Java. */
public record BuildInfo(String version, String vertxVersion, String javaVersion) {
  private static final String UNKNOWN = "unknown";

  /** Read once at start-up (class-path resources: call it off the event loop). */
  public static BuildInfo current() {
    return new BuildInfo(gatewayVersion(), readVertxVersion(), System.getProperty("java.version", UNKNOWN));
  }

  private static String gatewayVersion() {
    try (InputStream in = BuildInfo.class.getResourceAsStream("/fleetgate-build.properties")) {
      if (in == null) {
        return UNKNOWN;
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", UNKNOWN).trim();
      // an unfiltered resource (e.g. run from an IDE without the Maven build) still says the placeholder
      return v.isEmpty() || v.startsWith("${") ? UNKNOWN : v;
    } catch (IOException e) {
      return UNKNOWN;
    }
  }

  private static String readVertxVersion() {
    try (InputStream in = io.vertx.core.Vertx.class.getResourceAsStream("/META-INF/vertx/vertx-version.txt")) {
      return in == null ? UNKNOWN : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return UNKNOWN;
    }
  }
}
