package io.fleetgate.events.amqp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/** The publisher's meters: what it published, what the broker confirmed or refused, what waits. */
final class AmqpMetrics {
  final Counter published;
  final Counter republished;
  final Counter confirmed;
  final Counter nacked;
  final Counter refused;
  final Counter batches;

  AmqpMetrics(MeterRegistry registry, Supplier<Number> buffered, Supplier<Number> connected) {
    published = Counter.builder("fleetgate_amqp_published").description("Events published to RabbitMQ (alone or in batch messages)")
        .register(registry);
    republished = Counter.builder("fleetgate_amqp_republished")
        .description("Unconfirmed events published again after a reconnection").register(registry);
    confirmed = Counter.builder("fleetgate_amqp_confirmed").description("Events confirmed by RabbitMQ")
        .register(registry);
    nacked = Counter.builder("fleetgate_amqp_nacked")
        .description("Events RabbitMQ refused (nack); their frames are not acknowledged").register(registry);
    refused = Counter.builder("fleetgate_amqp_refused")
        .description("Events refused because amqp.bufferEvents were waiting already; their frames are not acknowledged")
        .register(registry);
    batches = Counter.builder("fleetgate_amqp_batch_messages")
        .description("Batch messages published (amqp.batchEvents above 1), each holding up to that many events").register(registry);
    Gauge.builder("fleetgate_amqp_buffered", buffered).description("Events waiting for the broker's confirm (queued and in flight)")
        .register(registry);
    Gauge.builder("fleetgate_amqp_connected", connected).description("1 while the publisher is connected to RabbitMQ")
        .register(registry);
  }
}
