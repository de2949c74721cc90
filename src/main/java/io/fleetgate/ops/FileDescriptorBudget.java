package io.fleetgate.ops;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * How the process's open-file limit is divided, so that HTTP can never take the descriptors the device
 * listeners need to accept units, and neither can take those of the JVM, the database pool, the broker and
 * log files. A tenth of the limit (at least 256, at most 4,096) is kept back for those; of the rest, HTTP gets
 * at most a quarter (its connections plus the {@link HttpConnectionLimits#PROBATION_SLOTS} being refused), and
 * the device listeners (MQTT and TCP, plain and TLS, together) everything HTTP does not take.
 *
 * @param limit the open-file limit, or -1 when the platform does not say (then nothing is clamped)
 * @param reserve descriptors kept for everything but connections
 * @param http the effective http.maxConnections
 * @param devices MQTT and TCP device connections in all
 */
public record FileDescriptorBudget(long limit, long reserve, int http, int devices) {

  /** The process's open-file limit, or -1 where the JVM cannot tell (not a Unix). */
  public static long processLimit() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount();
    }
    return -1;
  }

  /** Divides {@code limit} given the configured http.maxConnections and mqtt + tcp maxConnections. */
  public static FileDescriptorBudget divide(long limit, int httpMax, long deviceMax) {
    int devicesCapped = (int) Math.min(Integer.MAX_VALUE, deviceMax);
    if (limit <= 0) {
      return new FileDescriptorBudget(-1, 0, httpMax, devicesCapped);
    }
    long reserve = Math.max(256, Math.min(4096, limit / 10));
    long available = Math.max(0, limit - reserve);
    long httpShare = available / 4 - HttpConnectionLimits.PROBATION_SLOTS;
    int http = (int) Math.max(1, Math.min(httpMax, httpShare));
    long devices = Math.max(1, available - http - HttpConnectionLimits.PROBATION_SLOTS);
    return new FileDescriptorBudget(limit, reserve, http, (int) Math.min(devicesCapped, devices));
  }

  /** The start-up line stating the division; says which configured bounds it lowered. */
  public String describe(int httpMax, int mqttMax, int tcpMax) {
    if (limit < 0) {
      return "file descriptors: the open-file limit is unknown on this platform; connection bounds as configured";
    }
    StringBuilder sb = new StringBuilder("file descriptors: limit ").append(limit).append(", ")
        .append(reserve).append(" kept for the JVM, database, broker and files; HTTP ").append(http)
        .append(" connections (+").append(HttpConnectionLimits.PROBATION_SLOTS).append(" being refused)");
    if (http < httpMax) {
      sb.append(", http.maxConnections ").append(httpMax).append(" lowered");
    }
    sb.append("; MQTT and TCP units ").append(devices).append(" connections together");
    if (devices < mqttMax || devices < tcpMax) {
      sb.append(", mqtt.maxConnections/tcp.maxConnections ").append(mqttMax).append('/').append(tcpMax)
          .append(" lowered to at most that");
    }
    if (http < httpMax || devices < mqttMax || devices < tcpMax) {
      sb.append(" (raise the limit, ulimit -n / LimitNOFILE, to serve more)");
    }
    return sb.toString();
  }
}
