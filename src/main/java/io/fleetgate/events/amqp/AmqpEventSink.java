package io.fleetgate.events.amqp;

import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import io.fleetgate.events.Event;
import io.fleetgate.events.EventSink;
import io.fleetgate.events.EventType;
import io.fleetgate.ops.ReadinessCheck;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes every event to RabbitMQ with publisher confirms; {@link #deliver} completes once the broker has
 * confirmed the message, so a device frame is acknowledged only when its events are safe.
 *
 * <p>One connection, one confirm-mode channel, driven by one worker thread (connect, declare, publish in
 * batches of {@code amqp.batchSize}); confirms arrive asynchronously on the client's connection thread
 * ({@link ConfirmListener}), nothing ever waits for them. Events wait in a FIFO bounded by
 * {@code amqp.bufferEvents} (queued plus published-but-unconfirmed): when it is full, {@link #deliver} fails
 * at once, so the frame is not acknowledged and the unit resends later; from three quarters full the sink is
 * {@link #congested()}, and device sessions stop reading while they have frames in flight, so that units are
 * slowed before events have to be refused. When the connection is lost, the
 * unconfirmed messages go back to the head of the queue in their order and are published again after the
 * reconnection (at-least-once; consumers de-duplicate on {@code message_id}), so events of one vehicle stay
 * in the order they were delivered here. Reconnection backs off from 0.25 s doubling to
 * {@code amqp.reconnectMaxSeconds}.
 *
 * <p>With {@code amqp.batchEvents} N above 1, events of one fleet and type travel as batch messages of up to N
 * ({@link EventBatches}, {@link AmqpMessages#batchProperties}): the broker's cost is per message, so this is
 * what lets it carry more events. A batch's confirm completes every event in it; the buffer still counts
 * events. The worker waits up to {@code amqp.batchLingerMs} for N events to gather: under load the broker's
 * backlog sits in its socket and mailbox, not in this queue, so without a linger batches would stay small.
 * A round of publishes is written to the socket at once ({@link RoundFlushing}), in either mode.
 *
 * <p>Thread-safe: {@link #deliver} is called on whichever event loop published; all state is guarded by one
 * lock held only for queue operations.
 */
public final class AmqpEventSink implements EventSink {
  private static final Logger LOG = Logger.getLogger("fleetgate.amqp");
  static final long FIRST_BACKOFF_MS = 250;
  private static final int CONNECT_TIMEOUT_MS = 5_000;
  private static final int HEARTBEAT_SECONDS = 10;
  /** Batches one worker hand-off may publish before it yields (so that stopping and reconnecting get a turn). */
  private static final int MAX_ROUNDS = 16;

  private final Vertx vertx;
  private final String url;
  private final String exchange;
  private final int capacity;
  /** {@link #size} from which the sink is {@link #congested()}: three quarters of the capacity. */
  private final int congestedAt;
  private final int batchSize;
  private final int batchEvents;
  private final long lingerNanos;
  private final long maxBackoffMs;
  private final WorkerExecutor worker;
  private final AmqpMetrics metrics;

  private final Object lock = new Object();
  // guarded by lock
  private final ArrayDeque<Pending> queued = new ArrayDeque<>();
  private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
  private int size;
  private Connection connection;
  private Channel channel;
  private RoundFlushing.Handler socket;
  private long generation;
  private long lingerTimer = -1;
  private boolean publishing;
  private boolean stopped;
  private long backoffMs = FIRST_BACKOFF_MS;
  private long downSinceMs = System.currentTimeMillis();
  // read by the readiness check
  private volatile boolean blocked;
  /** {@link #size} at least {@link #congestedAt}; written under the lock, read on every frame without it. */
  private volatile boolean congested;
  private volatile String lastError = "not connected yet";

  /**
   * @param batchEvents events per AMQP message ({@code amqp.batchEvents}; 1 = one message per event)
   * @param batchLingerMs how long the oldest event may wait for a batch to fill ({@code amqp.batchLingerMs})
   */
  public AmqpEventSink(Vertx vertx, String url, String exchange, int capacity, int batchSize, int reconnectMaxSeconds,
      int batchEvents, int batchLingerMs, MeterRegistry registry) {
    this.vertx = vertx;
    this.url = url;
    this.exchange = exchange;
    this.capacity = capacity;
    this.congestedAt = Math.max(1, capacity - capacity / 4);
    // a round holds at least one full batch message, whatever amqp.batchSize says
    this.batchSize = Math.max(batchSize, batchEvents);
    this.batchEvents = batchEvents;
    this.lingerNanos = batchEvents > 1 ? TimeUnit.MILLISECONDS.toNanos(batchLingerMs) : 0;
    this.maxBackoffMs = reconnectMaxSeconds * 1000L;
    // one thread: publishes stay in order; a broker that blocks the connection blocks only this thread
    this.worker = vertx.createSharedWorkerExecutor("fleetgate-amqp", 1, 10, TimeUnit.MINUTES);
    this.metrics = new AmqpMetrics(registry, this::buffered, () -> isConnected() ? 1 : 0);
  }

  public String exchange() {
    return exchange;
  }

  /**
   * Makes the first connection attempt. Succeeds either way: a broker that is down at start-up is retried in
   * the background while the readiness check reports it.
   */
  public Future<Void> start() {
    return connect().transform(ar -> Future.succeededFuture());
  }

  /** Closes the connection; events still waiting fail (their frames were not acknowledged, units resend them). */
  public Future<Void> stop() {
    List<Pending> dropped = new ArrayList<>();
    Connection c;
    synchronized (lock) {
      stopped = true;
      generation++;
      dropped.addAll(inFlight);
      dropped.addAll(queued);
      inFlight.clear();
      queued.clear();
      size = 0;
      congested = false;
      c = connection;
      connection = null;
      channel = null;
      socket = null;
      if (lingerTimer != -1) {
        vertx.cancelTimer(lingerTimer);
        lingerTimer = -1;
      }
    }
    IllegalStateException why = new IllegalStateException("gateway stopping");
    dropped.forEach(p -> p.promise.tryFail(why));
    return worker.<Void>executeBlocking(() -> {
      closeQuietly(c);
      return null;
    }).eventually(() -> worker.close());
  }

  // ---- EventSink ---------------------------------------------------------------------------------------

  /** Every event goes to the exchange; consumers choose by binding. */
  @Override
  public boolean wants(String fleetId, EventType type, String vehicleId) {
    return true;
  }

  @Override
  public Future<Void> deliver(Event event) {
    // completes on the caller's context, so the session's ack runs on its own event loop
    ContextInternal ctx = (ContextInternal) vertx.getOrCreateContext();
    Promise<Void> promise = ctx.promise();
    Pending p = new Pending(event, event.jsonBytes(), ctx, promise, lingerNanos > 0 ? System.nanoTime() : 0);
    boolean kick;
    synchronized (lock) {
      if (stopped) {
        return ctx.failedFuture(new BrokerUnavailableException("gateway stopping"));
      }
      if (size >= capacity) {
        metrics.refused.increment();
        return ctx.failedFuture(new BrokerUnavailableException(
            "event buffer full (" + capacity + " events waiting for the broker's confirm)"));
      }
      if (++size >= congestedAt && !congested) {
        congested = true;
      }
      queued.addLast(p);
      kick = claimPublishing();
    }
    if (kick) {
      publishBatch();
    }
    return promise.future();
  }

  /** Three quarters of {@code amqp.bufferEvents} wait: sessions stop reading while they have frames in flight. */
  @Override
  public boolean congested() {
    return congested;
  }

  @Override
  public int pendingCapacity() {
    return capacity;
  }

  // ---- publishing ----------------------------------------------------------------------------------------

  /**
   * Under the lock: whether the caller should start a batch (connected, work queued, no batch running, not
   * lingering for a batch message to fill; then a timer claims it when the oldest event's linger is over).
   */
  private boolean claimPublishing() {
    if (publishing || channel == null || queued.isEmpty()) {
      return false;
    }
    if (lingering()) {
      armLinger();
      return false;
    }
    publishing = true;
    return true;
  }

  /** Under the lock: fewer than a batch message's worth of events wait, and the oldest may wait longer. */
  private boolean lingering() {
    return lingerNanos > 0 && queued.size() < batchEvents
        && System.nanoTime() - queued.peekFirst().queuedAtNanos < lingerNanos;
  }

  private void armLinger() {
    if (lingerTimer != -1) {
      return;
    }
    long remaining = lingerNanos - (System.nanoTime() - queued.peekFirst().queuedAtNanos);
    lingerTimer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999)), id -> {
      boolean kick;
      synchronized (lock) {
        lingerTimer = -1;
        kick = claimPublishing();
      }
      if (kick) {
        publishBatch();
      }
    });
  }

  private void publishBatch() {
    long[] gen = new long[1];
    worker.executeBlocking(() -> {
      // several batches per hand-off while work is queued: the worker does not wait for an event loop between them
      for (int round = 0; round < MAX_ROUNDS; round++) {
        if (!publishOneBatch(gen, round == 0)) {
          break;
        }
      }
      return null;
    }, true).onComplete(ar -> {
      if (ar.failed()) {
        lost(gen[0], ar.cause());
      }
      boolean more;
      synchronized (lock) {
        publishing = false;
        more = claimPublishing();
      }
      if (more) {
        publishBatch();
      }
    });
  }

  /**
   * On the worker: publishes up to {@code amqp.batchSize} queued events (one message each, or in batch messages
   * of {@code amqp.batchEvents}); false when there was nothing to do. Rounds after the first stop while a batch
   * message would still linger.
   */
  private boolean publishOneBatch(long[] gen, boolean first) throws java.io.IOException {
    Channel ch;
    RoundFlushing.Handler out;
    List<Pending> taken;
    List<List<Pending>> messages = null;
    synchronized (lock) {
      ch = channel;
      out = socket;
      gen[0] = generation;
      if (ch == null || queued.isEmpty() || (!first && lingering())) {
        return false;
      }
      taken = new ArrayList<>(Math.min(batchSize, queued.size()));
      while (taken.size() < batchSize && !queued.isEmpty()) {
        taken.add(queued.pollFirst());
      }
      // tags in publishing order, in flight before they are published: a confirm may come at once
      long tag = ch.getNextPublishSeqNo();
      if (batchEvents == 1) {
        for (Pending p : taken) {
          p.tag = tag++;
          inFlight.addLast(p);
        }
      } else {
        messages = EventBatches.group(taken, batchEvents, p -> p.event);
        for (List<Pending> m : messages) {
          for (Pending p : m) {
            p.tag = tag;
            inFlight.addLast(p);
          }
          tag++;
        }
      }
    }
    MessageRound.publish(ch, out, exchange, taken, messages);
    int again = 0;
    for (Pending p : taken) {
      if (p.attempts++ > 0) {
        again++;
      }
    }
    metrics.published.increment(taken.size());
    if (messages != null) {
      metrics.batches.increment(messages.size());
    }
    if (again > 0) {
      metrics.republished.increment(again);
    }
    return true;
  }

  /** A confirm (ack or nack) of the channel of {@code gen}: completes the messages it covers. */
  private void confirmed(long gen, long tag, boolean multiple, boolean ack) {
    List<Pending> done = new ArrayList<>();
    synchronized (lock) {
      if (gen != generation) {
        return; // a channel we have given up on; its messages are queued again
      }
      if (multiple) {
        while (!inFlight.isEmpty() && inFlight.peekFirst().tag <= tag) {
          done.add(inFlight.pollFirst());
        }
      } else {
        // every event of that message (a batch message's events share its tag); tags ascend in the deque
        for (Iterator<Pending> it = inFlight.iterator(); it.hasNext(); ) {
          Pending p = it.next();
          if (p.tag == tag) {
            it.remove();
            done.add(p);
          } else if (p.tag > tag) {
            break;
          }
        }
      }
      size -= done.size();
      if (congested && size < congestedAt) {
        congested = false;
      }
    }
    if (ack) {
      metrics.confirmed.increment(done.size());
      Pending.settle(done, null);
    } else {
      // rare (an internal broker error): the frame stays unacknowledged and the unit resends it
      metrics.nacked.increment(done.size());
      Pending.settle(done, new BrokerUnavailableException("the broker refused (nack) an event message"));
    }
  }

  // ---- connection ----------------------------------------------------------------------------------------

  private Future<Void> connect() {
    return worker.<Link>executeBlocking(this::open, true).compose(this::installed, failure -> {
      lastError = describe(failure);
      scheduleReconnect();
      return Future.failedFuture(failure);
    });
  }

  private record Link(Connection connection, Channel channel, RoundFlushing.Handler socket) {}

  private Link open() throws Exception {
    RoundFlushing factory = new RoundFlushing();
    factory.setUri(url);
    factory.setAutomaticRecoveryEnabled(false); // recovery is ours: it must know which messages were confirmed
    factory.setConnectionTimeout(CONNECT_TIMEOUT_MS);
    factory.setHandshakeTimeout(CONNECT_TIMEOUT_MS);
    factory.setRequestedHeartbeat(HEARTBEAT_SECONDS);
    Connection c = factory.newConnection("fleetgate");
    try {
      Channel ch = c.createChannel();
      ch.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true);
      ch.confirmSelect();
      return new Link(c, ch, factory.handler());
    } catch (Exception e) {
      closeQuietly(c);
      throw e;
    }
  }

  private Future<Void> installed(Link link) {
    long gen;
    boolean kick;
    synchronized (lock) {
      if (stopped) {
        worker.executeBlocking(() -> {
          closeQuietly(link.connection());
          return null;
        });
        return Future.succeededFuture();
      }
      gen = ++generation;
      connection = link.connection();
      channel = link.channel();
      socket = link.socket();
      backoffMs = FIRST_BACKOFF_MS;
      blocked = false;
      long downMs = System.currentTimeMillis() - downSinceMs;
      LOG.info("connected to RabbitMQ (exchange " + exchange + "); " + size + " events to publish"
          + (downMs > 2_000 ? " after " + downMs / 1000 + " s without the broker" : ""));
      link.channel().addConfirmListener(new ConfirmListener() {
        @Override
        public void handleAck(long tag, boolean multiple) {
          confirmed(gen, tag, multiple, true);
        }

        @Override
        public void handleNack(long tag, boolean multiple) {
          confirmed(gen, tag, multiple, false);
        }
      });
      kick = claimPublishing();
    }
    // added outside the lock: a listener added to a closed connection is called at once
    link.connection().addShutdownListener(cause -> {
      if (!cause.isInitiatedByApplication()) {
        lost(gen, cause);
      }
    });
    link.channel().addShutdownListener(cause -> {
      if (!cause.isInitiatedByApplication()) {
        lost(gen, cause); // e.g. the exchange was deleted: start over, which declares it again
      }
    });
    link.connection().addBlockedListener(new BlockedListener() {
      @Override
      public void handleBlocked(String reason) {
        blocked = true;
        LOG.warning("RabbitMQ blocked the connection: " + reason);
      }

      @Override
      public void handleUnblocked() {
        blocked = false;
        LOG.info("RabbitMQ unblocked the connection");
      }
    });
    if (kick) {
      publishBatch();
    }
    return Future.succeededFuture();
  }

  /** The link of {@code gen} failed: its unconfirmed messages go back to the head of the queue, in order. */
  private void lost(long gen, Throwable cause) {
    Connection dead;
    int requeued;
    synchronized (lock) {
      if (gen != generation || stopped || connection == null) {
        return;
      }
      generation++;
      dead = connection;
      connection = null;
      channel = null;
      socket = null;
      requeued = inFlight.size();
      for (Iterator<Pending> it = inFlight.descendingIterator(); it.hasNext(); ) {
        queued.addFirst(it.next());
      }
      inFlight.clear();
      downSinceMs = System.currentTimeMillis();
    }
    lastError = describe(cause);
    LOG.warning("lost the RabbitMQ connection (" + lastError + "); " + requeued
        + " unconfirmed events will be published again; device frames wait unacknowledged meanwhile");
    worker.executeBlocking(() -> {
      dead.abort(1_000);
      return null;
    });
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    long delay;
    synchronized (lock) {
      if (stopped) {
        return;
      }
      delay = backoffMs;
      backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
    }
    vertx.setTimer(delay, id -> {
      synchronized (lock) {
        if (stopped || connection != null) {
          return;
        }
      }
      connect();
    });
  }

  private static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return root.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close(1_000);
      } catch (Exception e) {
        LOG.log(Level.FINE, "closing the RabbitMQ connection", e);
      }
    }
  }

  // ---- administration and state ------------------------------------------------------------------------------

  /** Work on the broker (declaring consumers' queues) on a channel of its own, off the event loop. */
  public <T> Future<T> withChannel(ChannelTask<T> task) {
    if (!isConnected()) {
      return Future.failedFuture(new BrokerUnavailableException("the broker is not reachable: " + lastError));
    }
    return worker.executeBlocking(() -> {
      Connection c;
      synchronized (lock) {
        c = connection;
      }
      if (c == null || !c.isOpen()) {
        throw new BrokerUnavailableException("the broker is not reachable: " + lastError);
      }
      try (Channel ch = c.createChannel()) {
        return task.run(ch);
      }
    }, false);
  }

  /** Something to do with a channel; runs on the publisher's worker thread. */
  public interface ChannelTask<T> {
    T run(Channel channel) throws Exception;
  }

  public boolean isConnected() {
    synchronized (lock) {
      return channel != null;
    }
  }

  /** Events queued or published and not yet confirmed. */
  public int buffered() {
    synchronized (lock) {
      return size;
    }
  }

  /** {@code broker}: up while connected, not blocked by a resource alarm and with room in the buffer. */
  public ReadinessCheck readiness() {
    return ReadinessCheck.of("broker", () -> {
      int n;
      boolean connected;
      synchronized (lock) {
        n = size;
        connected = channel != null;
      }
      if (!connected) {
        return Future.succeededFuture(ReadinessCheck.Result.down("RabbitMQ unreachable (" + lastError + "); " + n + " events waiting"));
      }
      if (blocked) {
        return Future.succeededFuture(ReadinessCheck.Result.down("RabbitMQ blocked the connection (resource alarm); " + n + " events waiting"));
      }
      if (n >= capacity) {
        return Future.succeededFuture(ReadinessCheck.Result.down("event buffer full (" + n + " events waiting for confirms)"));
      }
      return Future.succeededFuture(ReadinessCheck.Result.up("RabbitMQ connected, exchange " + exchange + ", " + n + " events awaiting confirm"));
    });
  }

  /** The broker cannot take the event now (down, buffer full, nack); the frame is not acknowledged. */
  public static final class BrokerUnavailableException extends RuntimeException {
    public BrokerUnavailableException(String message) {
      super(message, null, false, false);
    }
  }
}
