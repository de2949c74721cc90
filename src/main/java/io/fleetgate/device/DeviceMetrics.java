package io.fleetgate.device;

import io.fleetgate.vehicle.IngestService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The device-side meters. Counters are looked up once per label combination and kept, so the ingest path
 * only increments.
 *
 * <ul>
 *   <li>{@code fleetgate_mqtt_connections} (gauge)
 *   <li>{@code fleetgate_frames_accepted_total{protocol,format}}
 *   <li>{@code fleetgate_frames_rejected_total{protocol,reason}}: a {@code FrameException.Reason} label or a
 *       session-level one ({@code not_authorized}, {@code unknown_format}, {@code too_large}, ...)
 *   <li>{@code fleetgate_properties_dropped_total{reason=not_capable|stale}}
 *   <li>{@code fleetgate_mqtt_connect_refused_total{reason}}
 *   <li>{@code fleetgate_command_results_total{protocol,status}}
 *   <li>{@code fleetgate_unit_logins_total{verifier=keyed|argon2|cached}}: password logins by how the password
 *       was verified (a storm of known units should be all {@code keyed})
 *   <li>{@code fleetgate_device_read_pauses_total{protocol,cause=inflight|congested|write_queue}}: a connection
 *       stopped reading (its frames in flight at the limit; the store's or broker's buffer near its bound; its
 *       socket's writes backed up)
 *   <li>{@code fleetgate_device_paused_connections{protocol}} (gauge): connections not reading now
 * </ul>
 */
public final class DeviceMetrics implements IngestService.IngestMetrics {
  private final MeterRegistry registry;
  private final Counter droppedNotCapable;
  private final Counter droppedStale;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> paused = new ConcurrentHashMap<>();

  public DeviceMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.droppedNotCapable = Counter.builder("fleetgate_properties_dropped").tag("reason", "not_capable")
        .description("State properties dropped: no capability, or older than the value held").register(registry);
    this.droppedStale = Counter.builder("fleetgate_properties_dropped").tag("reason", "stale").register(registry);
  }

  /** Publishes the number of MQTT connections as a gauge. */
  public void mqttConnections(Supplier<Number> connections) {
    Gauge.builder("fleetgate_mqtt_connections", connections).description("Open MQTT device connections")
        .register(registry);
  }

  /** Publishes the number of TCP device connections as a gauge. */
  public void tcpConnections(Supplier<Number> connections) {
    Gauge.builder("fleetgate_tcp_connections", connections).description("Open TCP device connections")
        .register(registry);
  }

  /** The accepted-frames counter of a protocol and format; sessions keep it, so a frame costs no lookup. */
  public Counter accepted(String protocol, String format) {
    return counter("fleetgate_frames_accepted", "format", protocol, format);
  }

  public void frameRejected(String protocol, String reason) {
    counter("fleetgate_frames_rejected", "reason", protocol, reason).increment();
  }

  public void connectRefused(String reason) {
    counter("fleetgate_mqtt_connect_refused", "reason", null, reason).increment();
  }

  public void tcpLoginRefused(String reason) {
    counter("fleetgate_tcp_login_refused", "reason", null, reason).increment();
  }

  public void unitLogin(String verifier) {
    counter("fleetgate_unit_logins", "verifier", null, verifier).increment();
  }

  public void commandResult(String protocol, String status) {
    counter("fleetgate_command_results", "status", protocol, status).increment();
  }

  /** A connection stopped reading; {@link #readResumed} when it reads again or closes. */
  public void readPaused(String protocol, String cause) {
    counter("fleetgate_device_read_pauses", "cause", protocol, cause).increment();
    pausedConnections(protocol).incrementAndGet();
  }

  public void readResumed(String protocol) {
    pausedConnections(protocol).decrementAndGet();
  }

  private AtomicInteger pausedConnections(String protocol) {
    AtomicInteger n = paused.get(protocol);
    if (n == null) {
      n = paused.computeIfAbsent(protocol, p -> {
        AtomicInteger value = new AtomicInteger();
        Gauge.builder("fleetgate_device_paused_connections", value, AtomicInteger::get).tag("protocol", p)
            .description("Device connections not reading now (back-pressure)").register(registry);
        return value;
      });
    }
    return n;
  }

  @Override
  public void droppedNotCapable(int n) {
    if (n > 0) {
      droppedNotCapable.increment(n);
    }
  }

  @Override
  public void droppedStale(int n) {
    if (n > 0) {
      droppedStale.increment(n);
    }
  }

  private Counter counter(String name, String tag, String protocol, String value) {
    String key = name + '|' + protocol + '|' + value;
    Counter c = counters.get(key);
    if (c == null) {
      c = counters.computeIfAbsent(key, k -> {
        Counter.Builder b = Counter.builder(name).tag(tag, value);
        if (protocol != null) {
          b.tag("protocol", protocol);
        }
        return b.register(registry);
      });
    }
    return c;
  }
}
