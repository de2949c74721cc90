package io.fleetgate.events.amqp;

import com.github.f4b6a3.ulid.UlidCreator;
import com.rabbitmq.client.Channel;
import io.fleetgate.events.Event;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** One round of the publisher thread on the channel: its messages, written to the socket once at the end. */
final class MessageRound {
  private MessageRound() {}

  /**
   * Publishes {@code taken} one message per event ({@code batches} null) or as the batch messages of
   * {@code batches}, in order; the socket is flushed once, at the end.
   */
  static void publish(Channel ch, RoundFlushing.Handler socket, String exchange, List<Pending> taken,
      List<List<Pending>> batches) throws IOException {
    socket.hold();
    try {
      if (batches == null) {
        for (Pending p : taken) {
          Event e = p.event;
          ch.basicPublish(exchange, AmqpMessages.routingKey(e.fleetId(), e.type()), false, AmqpMessages.properties(e), p.body);
        }
      } else {
        for (List<Pending> m : batches) {
          publishBatch(ch, exchange, m);
        }
      }
    } finally {
      socket.release();
    }
  }

  /** One batch message: the events' envelopes in order, under the routing key they share. */
  private static void publishBatch(Channel ch, String exchange, List<Pending> m) throws IOException {
    Event first = m.get(0).event;
    List<byte[]> bodies = new ArrayList<>(m.size());
    for (Pending p : m) {
      bodies.add(p.body);
    }
    ch.basicPublish(exchange, AmqpMessages.routingKey(first.fleetId(), first.type()), false,
        AmqpMessages.batchProperties(UlidCreator.getMonotonicUlid().toString(), first, m.size()),
        AmqpMessages.batchBody(bodies));
  }
}
