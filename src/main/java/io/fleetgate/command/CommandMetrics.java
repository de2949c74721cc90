package io.fleetgate.command;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@code fleetgate_command_status_changes_total{status}}, ignored results and full queues. */
final class CommandMetrics {
  private final MeterRegistry meters;
  private final Map<CommandStatus, Counter> statuses = new EnumMap<>(CommandStatus.class);
  private final Map<String, Counter> ignored = new ConcurrentHashMap<>();
  private final Counter queueFull;

  CommandMetrics(MeterRegistry meters) {
    this.meters = meters;
    for (CommandStatus s : CommandStatus.values()) {
      statuses.put(s, Counter.builder("fleetgate_command_status_changes").tag("status", s.name())
          .description("commands that entered this status").register(meters));
    }
    this.queueFull = Counter.builder("fleetgate_command_queue_full").description("asynchronous commands refused because the vehicle's queue was full").register(meters);
  }

  void status(CommandStatus s) {
    statuses.get(s).increment();
  }

  void resultIgnored(String reason) {
    ignored.computeIfAbsent(reason, r -> Counter.builder("fleetgate_command_results_ignored").tag("reason", r)
        .description("unit results that matched no open command of that vehicle").register(meters)).increment();
  }

  void queueFull() {
    queueFull.increment();
  }
}
