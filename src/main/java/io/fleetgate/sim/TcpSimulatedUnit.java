package io.fleetgate.sim;

import io.fleetgate.protocol.CommandResult;
import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.tcp.TcpFrame;
import io.fleetgate.protocol.tcp.TcpFrameDecoder;
import io.fleetgate.protocol.tcp.TcpFrameException;
import io.fleetgate.protocol.tcp.TcpMessage;
import io.fleetgate.protocol.tcp.TcpMessageDecoder;
import io.fleetgate.protocol.tcp.TcpMessageEncoder;
import io.fleetgate.vehicle.StateFrame;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.HdrHistogram.Histogram;

/**
 * One simulated unit over the fleetgate TCP protocol: one connection (LOGIN with unit id and password), its
 * {@link UnitModel}, its unacknowledged STATE frames and its answers to COMMAND frames. Lives on one event
 * loop (its {@link UnitGroup}'s): every method runs there, so no field needs synchronisation.
 *
 * <p>Every STATE is acknowledged: its send time is kept by seq until the STATE_ACK with that seq, which the
 * gateway sends only once the frame was applied; the difference goes into the group's latency histogram (the
 * counterpart of publish→PUBACK at MQTT QoS 1). The gateway closes the connection on any error; frames
 * outstanding then are counted as lost (never as acknowledged), as an MQTT unit's are on a clean session.
 */
final class TcpSimulatedUnit extends PacedUnit {
  /** Realistic frames carry every property this often (else motion and changed values only). */
  private static final int FULL_FRAME_EVERY = 30;

  private final NetClient client;
  private final long[] slotSeqs;
  private final long[] slotNanos;
  private final long heartbeatNanos;
  private final String loginPassword;
  private NetSocket socket;
  private TcpFrameDecoder decoder;
  private long seq;
  private long lastWriteNanos;
  private long heartbeatTimer = -1;

  TcpSimulatedUnit(Vertx vertx, SimOptions options, Credentials.Unit unit, int index, String sourceAddress, long seed,
      SimStats stats, Histogram latency, SimTls tls) {
    super(vertx, options, unit, index, seed, stats, latency);
    int slots = Integer.highestOneBit(Math.max(64, window * 4) - 1) << 1;
    this.slotSeqs = new long[slots];
    this.slotNanos = new long[slots];
    this.heartbeatNanos = options.keepAliveSeconds() * 1_000_000_000L;
    NetClientOptions net = new NetClientOptions().setConnectTimeout(10_000).setTcpNoDelay(true);
    if (sourceAddress != null) {
      net.setLocalAddress(sourceAddress);
    }
    if (tls != null) {
      tls.apply(net, unit.unitId());
    }
    // with a client certificate (CN = unit id) the LOGIN carries no password
    this.loginPassword = tls != null && tls.clientCertificates() ? "" : unit.password();
    this.client = vertx.createNetClient(net);
  }

  @Override
  protected void connect() {
    if (closed) {
      return;
    }
    SimOptions.Address to = address();
    client.connect(to.port(), to.host()).onComplete(ar -> {
      if (ar.failed()) {
        connectFailed(SimulatedUnit.describe(ar.cause()));
        scheduleReconnect();
        return;
      }
      NetSocket s = ar.result();
      if (closed) {
        s.close();
        return;
      }
      socket = s;
      decoder = new TcpFrameDecoder();
      s.handler(this::onBytes);
      s.closeHandler(v -> onClose(s));
      s.exceptionHandler(e -> { }); // a reset is followed by the close handler
      long timer = vertx.setTimer(15_000, t -> {
        if (!connected && socket == s) {
          connectFailed("no LOGIN_ACK in 15 s");
          s.close();
        }
      });
      write(new TcpMessage.Login(unit.unitId(), loginPassword)).onComplete(w -> {
        if (w.failed()) {
          vertx.cancelTimer(timer);
        }
      });
    });
  }

  private void onBytes(Buffer bytes) {
    decoder.append(bytes.getBytes());
    try {
      TcpFrame frame;
      while ((frame = decoder.next()) != null) {
        onMessage(TcpMessageDecoder.decode(frame, System.currentTimeMillis()));
      }
    } catch (TcpFrameException | FrameException e) {
      Simulator.warn("unit " + unit.unitId() + ": bad frame from the gateway (" + e.getMessage() + "), reconnecting");
      socket.close();
    }
  }

  private void onMessage(TcpMessage message) {
    if (message instanceof TcpMessage.StateAck a) {
      onStateAck(a.seq());
    } else if (message instanceof TcpMessage.Command c) {
      onCommand(c);
    } else if (message instanceof TcpMessage.LoginAck a) {
      if (a.status() == TcpMessage.LoginAck.OK) {
        onLoggedIn();
      } else {
        connectFailed("LOGIN_ACK " + a.status() + (a.status() == TcpMessage.LoginAck.BAD_CREDENTIALS ? ", bad credentials" : ""));
        socket.close();
      }
    } else if (message instanceof TcpMessage.Error e) {
      if (!connected) {
        connectFailed("ERROR " + e.code());
      } else {
        stats.publishErrors.increment();
        Simulator.warn("unit " + unit.unitId() + ": gateway sent ERROR " + e.code());
      }
    }
    // HEARTBEAT_ACK: nothing to do; the gateway's silence timer is what heartbeats feed
  }

  private void onLoggedIn() {
    if (closed) {
      socket.close();
      return;
    }
    lastWriteNanos = System.nanoTime();
    // a heartbeat whenever nothing was sent for the gateway's interval (it closes after 1.5 × that)
    long check = Math.max(1_000, options.keepAliveSeconds() * 250L);
    heartbeatTimer = vertx.setPeriodic(check, t -> {
      if (connected && System.nanoTime() - lastWriteNanos >= heartbeatNanos - check * 1_000_000L) {
        write(new TcpMessage.Heartbeat());
      }
    });
    online();
  }

  private void onClose(NetSocket s) {
    if (socket != s) {
      return;
    }
    socket = null;
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
      heartbeatTimer = -1;
    }
    java.util.Arrays.fill(slotNanos, 0);
    connectionGone();
  }

  @Override
  public int inFlight() {
    return inFlight;
  }

  @Override
  protected void sendFrame() {
    model.advance(System.currentTimeMillis());
    long n = ++seq;
    long seq32 = n & 0xFFFF_FFFFL;
    StateFrame frame = model.frame(seq32, n % FULL_FRAME_EVERY == 1);
    byte[] bytes = TcpMessageEncoder.encode(new TcpMessage.State(frame));
    int slot = (int) (seq32 & (slotSeqs.length - 1));
    slotSeqs[slot] = seq32;
    slotNanos[slot] = System.nanoTime();
    inFlight++;
    stats.framesSent.increment();
    write(bytes); // a failed write means the connection is going away: its close handler counts the frame as lost
  }

  private void onStateAck(long ackSeq) {
    int slot = (int) (ackSeq & (slotSeqs.length - 1));
    if (slotSeqs[slot] != ackSeq || slotNanos[slot] == 0) {
      return; // not a frame of this connection
    }
    latency.recordValue(Math.max(0, (System.nanoTime() - slotNanos[slot]) / 1000));
    slotNanos[slot] = 0;
    stats.framesAcked.increment();
    acked++;
    inFlight = Math.max(0, inFlight - 1);
    afterCompletion();
  }

  /** A command from the gateway: execute it on the model and answer with the state after it. */
  private void onCommand(TcpMessage.Command command) {
    stats.commandsReceived.increment();
    if (options.commandDelayMs() > 0) {
      vertx.setTimer(options.commandDelayMs(), t -> answer(command.id(), command.name()));
    } else {
      answer(command.id(), command.name());
    }
  }

  /** Executes a command on the model (or fails it, at --command-failure-rate) and sends COMMAND_RESULT. */
  private void answer(UUID id, String name) {
    if (!connected) {
      return;
    }
    model.advance(System.currentTimeMillis());
    boolean fail = options.commandFailureRate() > 0
        && ThreadLocalRandom.current().nextDouble() < options.commandFailureRate();
    String rejection = fail ? null : model.execute(name);
    String status = fail ? CommandResult.FAILED : rejection == null ? CommandResult.SUCCEEDED : CommandResult.REJECTED;
    String detail = fail ? "simulated failure" : rejection;
    // the binary payload always carries a seq: the last STATE's
    StateFrame state = new StateFrame(model.nowMs(), seq & 0xFFFF_FFFFL, model.readings(), 0);
    TcpMessage.Result result = new TcpMessage.Result(new CommandResult(id, status, detail, state.readings()), state);
    // TCP has no acknowledgement of a COMMAND_RESULT: written to the socket is as far as the unit can know
    write(result).onSuccess(v -> stats.commandResultsAcked.increment()).onFailure(e -> stats.publishErrors.increment());
  }

  private Future<Void> write(TcpMessage message) {
    return write(TcpMessageEncoder.encode(message));
  }

  private Future<Void> write(byte[] bytes) {
    NetSocket s = socket;
    if (s == null) {
      return Future.failedFuture("not connected");
    }
    lastWriteNanos = System.nanoTime();
    return s.write(Buffer.buffer(bytes));
  }

  @Override
  public Future<Void> close() {
    closed = true;
    sending = false;
    if (reconnectTimer >= 0) {
      vertx.cancelTimer(reconnectTimer);
      reconnectTimer = -1;
    }
    NetSocket s = socket;
    Future<Void> closing = s == null ? Future.succeededFuture() : s.close().otherwiseEmpty();
    return closing.eventually(() -> client.close().otherwiseEmpty());
  }
}
