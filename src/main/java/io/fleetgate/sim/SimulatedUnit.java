package io.fleetgate.sim;

import io.fleetgate.protocol.binary.BinaryStateEncoder;
import io.fleetgate.protocol.json.StateJson;
import io.fleetgate.vehicle.StateFrame;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.messages.MqttPublishMessage;
import java.util.HashSet;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * One simulated unit: one MQTT 3.1.1 connection at a time (client id = username = unit id), its {@link UnitModel},
 * its unacknowledged frames and its answers to commands. Lives on one event loop (its {@link UnitGroup}'s): every
 * method runs there, so no field needs synchronisation.
 *
 * <p>Each connection attempt gets a client of its own: vertx-mqtt's client keeps the packets in flight of a
 * closed connection (their ack timers fire later, and they fill its in-flight limit), so a reused client would
 * mix a lost connection's frames into the next one's. Callbacks of an earlier client are ignored.
 *
 * <p>At QoS 1 a frame's publish time is kept by packet id until its PUBACK, which the gateway sends only after
 * the frame was applied; the difference goes into the group's latency histogram.
 */
final class SimulatedUnit extends PacedUnit {
  /** Realistic frames carry every property this often (else motion and changed values only). */
  private static final int FULL_FRAME_EVERY = 30;

  private final MqttClientOptions mqtt;
  /** The client of the current (or last) connection attempt; null before the first. */
  private MqttClient client;
  private final String stateTopic;
  private final String commandTopic;
  private final String resultTopic;
  private final MqttQoS qos;
  private final int[] slotIds;
  private final long[] slotNanos;
  private final Set<Integer> resultPacketIds = new HashSet<>();
  private long seq;

  SimulatedUnit(Vertx vertx, SimOptions options, Credentials.Unit unit, int index, String sourceAddress, long seed,
      SimStats stats, Histogram latency, SimTls tls) {
    super(vertx, options, unit, index, seed, stats, latency);
    this.qos = options.qos() == 1 ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
    int slots = Integer.highestOneBit(Math.max(64, window * 4) - 1) << 1;
    this.slotIds = new int[slots];
    this.slotNanos = new long[slots];
    this.stateTopic = "units/" + unit.unitId() + "/state";
    this.commandTopic = "units/" + unit.unitId() + "/commands";
    this.resultTopic = "units/" + unit.unitId() + "/command-results";
    this.mqtt = new MqttClientOptions();
    mqtt.setClientId(unit.unitId())
        .setCleanSession(true)
        .setKeepAliveInterval(options.keepAliveSeconds())
        .setAckTimeout(options.ackTimeoutSeconds())
        // the window bounds frames; command results get a little room of their own
        .setMaxInflightQueue(window + 8)
        .setAutoKeepAlive(true);
    mqtt.setConnectTimeout(10_000);
    if (tls != null) {
      tls.apply(mqtt, unit.unitId());
    }
    if (tls == null || !tls.clientCertificates()) {
      mqtt.setUsername(unit.unitId()).setPassword(unit.password());
    } // else the certificate (CN = unit id) is the login: no user name, no password
    if (sourceAddress != null) {
      mqtt.setLocalAddress(sourceAddress);
    }
  }

  /** A new client for one connection attempt; its callbacks count only while it is the current one. */
  private MqttClient newClient() {
    MqttClient c = MqttClient.create(vertx, mqtt);
    c.publishCompletionHandler(id -> {
      if (c == client && connected) {
        onAck(id);
      }
    }).publishCompletionExpirationHandler(id -> {
      if (c == client && connected) {
        onAckTimeout(id);
      }
    }).publishHandler(message -> {
      if (c == client && connected) {
        onCommand(message);
      }
    }).closeHandler(v -> {
      if (c == client) {
        onClose();
      }
    });
    return c;
  }

  @Override
  protected void connect() {
    if (closed) {
      return;
    }
    MqttClient c = newClient();
    client = c;
    SimOptions.Address to = address();
    long timer = vertx.setTimer(15_000, t -> {
      if (!connected && !closed && c == client) {
        c.disconnect(); // no CONNACK in time; the close handler schedules the next attempt
      }
    });
    c.connect(to.port(), to.host())
        .compose(ack -> c.subscribe(commandTopic, 1))
        .onComplete(ar -> {
          vertx.cancelTimer(timer);
          if (c != client) {
            return;
          }
          if (ar.succeeded()) {
            onConnected();
          } else {
            // refused, timed out, or a CONNACK "server unavailable" (3) of a node going away: the next address
            connectFailed(describe(ar.cause()));
            if (c.isConnected()) {
              c.disconnect();
            } else {
              scheduleReconnect();
            }
          }
        });
  }

  private void onConnected() {
    if (closed) {
      client.disconnect();
      return;
    }
    online();
  }

  private void onClose() {
    resultPacketIds.clear();
    connectionGone();
  }

  @Override
  public int inFlight() {
    return qos == MqttQoS.AT_LEAST_ONCE ? inFlight : 0;
  }

  @Override
  protected void sendFrame() {
    model.advance(System.currentTimeMillis());
    long n = ++seq;
    StateFrame frame = model.frame(n & 0xFFFF_FFFFL, n % FULL_FRAME_EVERY == 1);
    byte[] payload = options.format() == SimOptions.Format.BINARY ? BinaryStateEncoder.encode(frame) : StateJson.encodeFrame(frame);
    inFlight++;
    long t0 = System.nanoTime();
    stats.framesSent.increment();
    MqttClient c = client;
    c.publish(stateTopic, Buffer.buffer(payload), qos, false, false).onComplete(ar -> {
      if (c != client || !connected) {
        return; // the connection is gone: connectionGone() counted this frame as lost
      }
      if (ar.failed()) {
        stats.publishErrors.increment();
        inFlight--;
        afterCompletion();
      } else if (qos == MqttQoS.AT_LEAST_ONCE) {
        int packetId = ar.result();
        int slot = packetId & (slotIds.length - 1);
        slotIds[slot] = packetId;
        slotNanos[slot] = t0;
      } else {
        inFlight--;
        stats.framesAcked.increment(); // QoS 0: "accepted" means written to the socket
        acked++;
        afterCompletion();
      }
    });
  }

  private void onAck(int packetId) {
    if (resultPacketIds.remove(packetId)) {
      stats.commandResultsAcked.increment();
      return;
    }
    int slot = packetId & (slotIds.length - 1);
    if (slotIds[slot] == packetId && slotNanos[slot] != 0) {
      latency.recordValue(Math.max(0, (System.nanoTime() - slotNanos[slot]) / 1000));
      slotNanos[slot] = 0;
    }
    stats.framesAcked.increment();
    acked++;
    inFlight = Math.max(0, inFlight - 1);
    afterCompletion();
  }

  private void onAckTimeout(int packetId) {
    if (resultPacketIds.remove(packetId)) {
      return;
    }
    stats.ackTimeouts.increment();
    inFlight = Math.max(0, inFlight - 1);
    afterCompletion();
  }

  /** A command from the gateway: execute it on the model and publish the result with the state after it. */
  private void onCommand(MqttPublishMessage message) {
    stats.commandsReceived.increment();
    JsonObject command;
    try {
      command = message.payload().toJsonObject();
    } catch (RuntimeException e) {
      Simulator.warn("unit " + unit.unitId() + ": ignored a command that is not JSON on " + message.topicName());
      return;
    }
    String id = command.getString("id");
    String name = command.getString("command");
    if (id == null || name == null) {
      return;
    }
    if (options.commandDelayMs() > 0) {
      vertx.setTimer(options.commandDelayMs(), t -> answer(id, name));
    } else {
      answer(id, name);
    }
  }

  /** Executes a command on the model (or fails it, at --command-failure-rate) and publishes the result. */
  private void answer(String id, String name) {
    if (!connected || !client.isConnected()) {
      return;
    }
    model.advance(System.currentTimeMillis());
    boolean fail = options.commandFailureRate() > 0
        && java.util.concurrent.ThreadLocalRandom.current().nextDouble() < options.commandFailureRate();
    String rejection = fail ? null : model.execute(name);
    JsonObject result = new JsonObject().put("id", id)
        .put("status", fail ? "FAILED" : rejection == null ? "SUCCEEDED" : "REJECTED");
    if (fail) {
      result.put("detail", "simulated failure");
    } else if (rejection != null) {
      result.put("detail", rejection);
    }
    result.put("state", StateJson.toJson(model.readings()));
    client.publish(resultTopic, result.toBuffer(), MqttQoS.AT_LEAST_ONCE, false, false)
        .onSuccess(resultPacketIds::add)
        .onFailure(e -> stats.publishErrors.increment());
  }

  /** Stops for good: no more reconnects; disconnects cleanly. */
  @Override
  public Future<Void> close() {
    closed = true;
    sending = false;
    if (reconnectTimer >= 0) {
      vertx.cancelTimer(reconnectTimer);
      reconnectTimer = -1;
    }
    if (client == null || !client.isConnected()) {
      return Future.succeededFuture();
    }
    return client.disconnect().otherwiseEmpty();
  }

  static String describe(Throwable t) {
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m != null ? ": " + m : "");
  }
}
