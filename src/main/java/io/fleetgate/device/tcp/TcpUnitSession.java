package io.fleetgate.device.tcp;

import io.fleetgate.command.UnitOfflineException;
import io.fleetgate.device.OrderedAcks;
import io.fleetgate.device.UnitConnection;
import io.fleetgate.device.UnitConnection.CloseReason;

import io.micrometer.core.instrument.Counter;
import io.fleetgate.command.Command;
import io.fleetgate.config.GatewayConfig;
import io.fleetgate.device.ConnectRefusedException;
import io.fleetgate.device.ConnectRefusedException.Reason;
import io.fleetgate.device.DeviceServices;
import io.fleetgate.device.PreLoginLog;
import io.fleetgate.support.LogSafe;
import io.fleetgate.ops.ConnectionBudget;
import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.tcp.CommandCodes;
import io.fleetgate.protocol.tcp.TcpFrame;
import io.fleetgate.protocol.tcp.TcpFrameDecoder;
import io.fleetgate.protocol.tcp.TcpFrameException;
import io.fleetgate.protocol.tcp.TcpMessage;
import io.fleetgate.protocol.tcp.TcpMessageDecoder;
import io.fleetgate.protocol.tcp.TcpMessageEncoder;
import io.fleetgate.tls.ClientCertificate;
import io.fleetgate.vehicle.TelematicsUnit;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.netty.buffer.ByteBuf;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The wire side of one TCP connection of a telematics unit, from accept to close; its {@link UnitConnection}
 * (the unit's {@code DeviceSession}) does login, takeover, revoke, the silence timer and the close
 * bookkeeping. Confined to the event loop of the verticle that accepted it, except {@link #acceptsCommands()}.
 *
 * <p>Bytes → {@link TcpFrameDecoder} → frames → {@link TcpMessageDecoder} → one handler per type. LOGIN:
 * {@code authenticate → register (takeover) → LOGIN_ACK 0 → commands ready}. STATE: {@code ingest →
 * STATE_ACK(seq)}, acks in arrival order and only after the hand-off succeeded. COMMAND_RESULT: proof of
 * delivery of its command, then the result sink.
 *
 * <p>Back-pressure: frames are taken from the decoder only while fewer than
 * {@code maxInflightPerConnection} are being applied, the socket's write queue is not full, no LOGIN is
 * being checked and the ingest path is not congested while frames are in flight; otherwise the socket is paused (at most one read's worth of bytes waits in the decoder) and
 * resumed when the hand-offs finish or the write queue drains.
 *
 * <p>Decisions the contract leaves open: an invalid STATE or COMMAND_RESULT payload gets ERROR 1 and the
 * connection is closed, like a bad envelope (a unit sending it again would be rejected again, and a closed
 * connection is a signal its operator sees). A second LOGIN, or a gateway-direction type from the unit, is a
 * bad frame too. A credential check the gateway cannot do now (verifier overloaded) gets ERROR 3 and close,
 * not LOGIN_ACK 1, so the unit retries instead of believing its password is wrong. LOGIN_ACK 2 is never
 * sent: LOGIN carries no version, and a STATE of an unknown payload version is a bad frame. HEARTBEAT_ACK is
 * sent at once, not in order with STATE_ACKs. A failed hand-off (store error, vehicle removed meanwhile)
 * closes without an ack, so the unit resends after reconnecting. For commands the COMMAND_RESULT is the
 * proof of delivery ({@code command.ackTimeoutSeconds} bounds the wait for it).
 */
final class TcpUnitSession implements UnitConnection.Wire {
  static final String PROTOCOL = "tcp";
  private static final Logger LOG = Logger.getLogger("fleetgate.tcp");

  private enum Phase { AWAIT_LOGIN, AUTHENTICATING, ONLINE, CLOSING }

  private final NetSocket socket;
  private final Context context;
  private final GatewayConfig.Tcp config;
  private final PreLoginLog preLogin;
  private final DeviceServices services;
  private final Counter accepted;
  private final TcpFrameDecoder decoder = new TcpFrameDecoder();
  private final OrderedAcks<Boolean> stateAcks = new OrderedAcks<>((seq, applied) -> queueStateAck(seq), this::stateAcksDue);
  /** STATE_ACK frames encoded and not yet written: one write per read batch instead of one per frame. */
  private ByteBuf pendingAcks;
  private final long silenceTimeoutMs;
  /** Login, takeover, revoke, silence timer, command proofs (keyed by command id) and close bookkeeping. */
  private final UnitConnection<UUID> connection;

  private Phase phase = Phase.AWAIT_LOGIN;
  private int inflight;
  private boolean paused;
  /** The pause is one {@code fleetgate_device_paused_connections} counts (not the one of a login). */
  private boolean pauseCounted;
  private boolean draining;
  private long loginTimer = -1;

  TcpUnitSession(NetSocket socket, Context context, GatewayConfig.Tcp config, ConnectionBudget budget, PreLoginLog preLogin,
      DeviceServices services) {
    this.preLogin = preLogin;
    this.socket = socket;
    this.context = context;
    this.config = config;
    this.services = services;
    this.accepted = services.metrics().accepted(PROTOCOL, "binary");
    this.silenceTimeoutMs = config.heartbeatSeconds() * 1500L;
    this.connection = new UnitConnection<>(this, context, services, budget, LOG, "COMMAND_RESULT",
        "is not connected over TCP");
  }

  /** Whether reading is paused now (for tests; read off the event loop, so only eventually exact). */
  boolean readingPaused() {
    return paused;
  }

  /** Bytes received and not yet taken as frames (for tests; likewise). */
  int bufferedBytes() {
    return decoder.buffered();
  }

  void start() {
    socket.closeHandler(this::onClose).exceptionHandler(this::onException);
    if (!connection.admit()) {
      LOG.info("TCP connection from " + socket.remoteAddress() + " refused: tcp.maxConnections reached");
      services.metrics().tcpLoginRefused(Reason.TOO_MANY_CONNECTIONS.label());
      connection.closed(); // nothing of this session to undo
      socket.close();
      return;
    }
    socket.handler(this::onData).drainHandler(v -> readingChanged());
    loginTimer = context.owner().setTimer(config.loginTimeoutSeconds() * 1000L, t -> onLoginTimeout());
  }

  // ---- bytes → frames -----------------------------------------------------------------------------------

  private void onData(Buffer data) {
    connection.touch();
    decoder.append(((BufferInternal) data).getByteBuf());
    drain();
  }

  /** Takes frames from the decoder while this session may process them. Never re-entered. */
  private void drain() {
    if (draining) {
      return;
    }
    draining = true;
    try {
      while (mayProcess()) {
        TcpFrame frame;
        try {
          frame = decoder.next();
        } catch (TcpFrameException e) {
          badFrame(e.reason().label(), e.getMessage());
          return;
        }
        if (frame == null) {
          break;
        }
        onFrame(frame);
      }
    } finally {
      draining = false;
    }
    writeStateAcks();
    readingChanged();
  }

  private boolean mayProcess() {
    return holdBack() == null;
  }

  /**
   * Why no frame is taken now, or null: logging in or closing; {@code tcp.maxInflightPerConnection} frames in
   * flight; writes backed up; or frames in flight while the ingest path is congested (the store's or broker's
   * buffer near its bound: the end of those frames resumes, so the buffer is not filled by every connection's
   * window until it must refuse frames).
   */
  private String holdBack() {
    if (phase == Phase.CLOSING || phase == Phase.AUTHENTICATING) {
      return "login";
    }
    if (inflight >= config.maxInflightPerConnection()) {
      return "inflight";
    }
    if (socket.writeQueueFull()) {
      return "write_queue";
    }
    if (inflight > 0 && services.ingest().congested()) {
      return "congested";
    }
    return null;
  }

  /** Pauses the socket while frames cannot be processed, resumes (and drains) when they can again. */
  private void readingChanged() {
    if (phase == Phase.CLOSING) {
      return;
    }
    String cause = holdBack();
    if (cause != null && !paused) {
      paused = true;
      socket.pause();
      if (!cause.equals("login")) {
        pauseCounted = true;
        services.metrics().readPaused(PROTOCOL, cause);
      }
    } else if (cause == null && paused) {
      paused = false;
      uncountPause();
      socket.resume();
      drain();
    }
  }

  private void uncountPause() {
    if (pauseCounted) {
      pauseCounted = false;
      services.metrics().readResumed(PROTOCOL);
    }
  }

  private void onFrame(TcpFrame frame) {
    if (phase == Phase.AWAIT_LOGIN && frame.type() != TcpFrame.LOGIN) {
      services.metrics().frameRejected(PROTOCOL, "not_logged_in");
      preLogin.violation(socket.remoteAddress(), "frame type " + frame.type() + " before LOGIN");
      closeWith(TcpMessage.Error.NOT_LOGGED_IN);
      return;
    }
    long nowMs = System.currentTimeMillis();
    TcpMessage message;
    try {
      message = TcpMessageDecoder.decode(frame, nowMs);
    } catch (FrameException e) {
      badFrame(e.reason().label(), e.getMessage());
      return;
    } catch (TcpFrameException e) {
      badFrame(e.reason().label(), e.getMessage());
      return;
    }
    if (message instanceof TcpMessage.Login login && phase == Phase.AWAIT_LOGIN) {
      onLogin(login);
    } else if (message instanceof TcpMessage.State state && phase == Phase.ONLINE) {
      onState(state, nowMs);
    } else if (message instanceof TcpMessage.Heartbeat && phase == Phase.ONLINE) {
      send(new TcpMessage.HeartbeatAck());
    } else if (message instanceof TcpMessage.Result result && phase == Phase.ONLINE) {
      onResult(result, nowMs);
    } else {
      badFrame("unexpected_type", "frame type " + frame.type() + " not expected from a unit here");
    }
  }

  private void badFrame(String reason, String detail) {
    services.metrics().frameRejected(PROTOCOL, reason);
    if (connection.unitId() == null) {
      preLogin.violation(socket.remoteAddress(), "bad frame, " + LogSafe.escape(detail));
    } else {
      LOG.info(who() + ": bad frame, " + LogSafe.escape(detail) + "; closing");
    }
    closeWith(TcpMessage.Error.BAD_FRAME);
  }

  // ---- LOGIN --------------------------------------------------------------------------------------------

  private void onLogin(TcpMessage.Login login) {
    phase = Phase.AUTHENTICATING; // no further frame is taken until the check is done
    // on the TLS listener with tls.clientCa, a verified client certificate stands for the password (the
    // LOGIN still names the unit, which must be the certificate's CN; its password is ignored)
    String certifiedId = socket.isSsl() ? ClientCertificate.unitId(socket.sslSession()) : null;
    Future<TelematicsUnit> check = certifiedId != null
        ? services.authenticator().authenticateCertified(certifiedId, login.unitId())
        : services.authenticator().authenticate(login.unitId(), login.password(),
            socket.remoteAddress() == null ? null : socket.remoteAddress().hostAddress());
    check
        .onSuccess(this::accept)
        .onFailure(e -> refuse(login.unitId(), e));
  }

  private void accept(TelematicsUnit unit) {
    if (connection.isClosed() || phase == Phase.CLOSING) {
      return; // the unit left (or timed out) while its password was checked
    }
    context.owner().cancelTimer(loginTimer);
    phase = Phase.ONLINE;
    if (!connection.login(unit)) {
      return;
    }
    send(new TcpMessage.LoginAck(TcpMessage.LoginAck.OK));
    LOG.fine(() -> "unit " + unit.id() + ": logged in over TCP");
    connection.startIdleTimer(silenceTimeoutMs);
    services.commandReadiness().commandsReady(unit.vehicleId());
    drain(); // frames the unit sent right behind its LOGIN
  }

  private void refuse(String claimedId, Throwable failure) {
    Reason reason = failure instanceof ConnectRefusedException e ? e.reason() : Reason.SERVER_BUSY;
    services.metrics().tcpLoginRefused(reason.label());
    if (failure instanceof ConnectRefusedException) {
      LOG.info("unit '" + LogSafe.escape(claimedId) + "' from " + socket.remoteAddress() + ": TCP login refused, " + reason.label() + " ("
          + LogSafe.escape(failure.getMessage()) + ")");
    } else {
      LOG.log(Level.WARNING, "unit '" + LogSafe.escape(claimedId) + "': TCP login failed unexpectedly", failure);
    }
    if (reason == Reason.BAD_CREDENTIALS) {
      closeWith(new TcpMessage.LoginAck(TcpMessage.LoginAck.BAD_CREDENTIALS));
    } else {
      closeWith(new TcpMessage.Error(TcpMessage.Error.RATE_LIMITED));
    }
  }

  private void onLoginTimeout() {
    if (phase == Phase.AWAIT_LOGIN || phase == Phase.AUTHENTICATING) {
      services.metrics().frameRejected(PROTOCOL, "login_timeout");
      preLogin.violation(socket.remoteAddress(), "no LOGIN within " + config.loginTimeoutSeconds() + " s");
      closeWith(TcpMessage.Error.NOT_LOGGED_IN);
    }
  }

  // ---- STATE and COMMAND_RESULT -------------------------------------------------------------------------

  private void onState(TcpMessage.State state, long nowMs) {
    OrderedAcks<Boolean>.Pending ack = stateAcks.add(state.frame().seq());
    begin();
    services.ingest().apply(connection.vehicleId(), state.frame().readings(), nowMs).onComplete(ar -> {
      end();
      if (ar.succeeded()) {
        accepted.increment();
        ack.complete(Boolean.TRUE);
      } else {
        handOffFailed(ar.cause());
      }
    });
  }

  private void onResult(TcpMessage.Result message, long nowMs) {
    connection.proven(message.result().id()); // the result proves the delivery: DELIVERED first, then the result
    begin();
    services.results().accept(PROTOCOL, connection.vehicleId(), message.result(), nowMs).onComplete(ar -> {
      end();
      if (ar.failed()) {
        handOffFailed(ar.cause());
      }
    });
  }

  private void handOffFailed(Throwable failure) {
    if (phase == Phase.CLOSING || connection.isClosed()) {
      return; // logged for the first frame that failed: the others in flight fail the same way
    }
    LOG.log(Level.WARNING, "unit " + connection.unitId() + ": frame not applied, closing so that it is resent: " + LogSafe.escape(failure.getMessage()));
    close();
  }

  private void begin() {
    inflight++;
  }

  private void end() {
    inflight--;
    readingChanged();
  }

  // ---- commands -----------------------------------------------------------------------------------------

  @Override
  public boolean acceptsCommands() {
    return phase == Phase.ONLINE && !connection.isClosed();
  }

  /** Writes a COMMAND frame; its COMMAND_RESULT is the proof of delivery, awaited with a timer. */

  @Override
  public void sendCommand(Command command, Promise<Void> proof) {
    if (CommandCodes.code(command.name()) < 0) {
      proof.tryFail(new UnitOfflineException("command " + command.name() + " has no TCP command code"));
      return;
    }
    connection.awaitProof(command.id(), proof);
    send(new TcpMessage.Command(command.id(), command.name(), command.expiresAt().toEpochMilli()));
  }

  // ---- writing, takeover, close ----------------------------------------------------------------

  private void send(TcpMessage message) {
    if (phase == Phase.CLOSING || connection.isClosed()) {
      return;
    }
    writeStateAcks(); // frames leave in the order they were decided
    socket.write(Buffer.buffer(TcpMessageEncoder.encode(message)));
    if (socket.writeQueueFull()) {
      readingChanged(); // the drain handler resumes
    }
  }

  /** Appends a STATE_ACK to the pending batch (encoded straight into the channel's pooled buffer). */
  private void queueStateAck(long seq) {
    if (phase == Phase.CLOSING || connection.isClosed()) {
      return;
    }
    if (pendingAcks == null) {
      pendingAcks = ((NetSocketInternal) socket).channelHandlerContext().alloc().buffer(4 * TcpMessageEncoder.STATE_ACK_LENGTH);
    }
    TcpMessageEncoder.writeStateAck(pendingAcks, seq);
  }

  /** Acks came due: inside a read batch they wait for its end ({@link #drain}), otherwise they go now. */
  private void stateAcksDue() {
    if (!draining) {
      writeStateAcks();
    }
  }

  /** Writes the pending STATE_ACKs as one buffer (Vert.x flushes it at the end of the read, or at once outside one). */
  private void writeStateAcks() {
    ByteBuf acks = pendingAcks;
    if (acks == null) {
      return;
    }
    pendingAcks = null;
    if (phase == Phase.CLOSING || connection.isClosed()) {
      acks.release();
      return;
    }
    ((NetSocketInternal) socket).writeMessage(acks);
    if (socket.writeQueueFull()) {
      readingChanged(); // the drain handler resumes
    }
  }

  @Override
  public SocketAddress remoteAddress() {
    return socket.remoteAddress();
  }

  @Override
  public boolean closing() {
    return phase == Phase.CLOSING;
  }

  @Override
  public void close(CloseReason reason) {
    if (reason == CloseReason.IDLE) {
      services.metrics().frameRejected(PROTOCOL, "silence_timeout");
      LOG.info("unit " + connection.unitId() + ": silent for " + connection.idleMs() + " ms, closing");
    }
    close();
  }

  private void closeWith(int errorCode) {
    closeWith(new TcpMessage.Error(errorCode));
  }

  /** Writes a last frame, then closes once it is flushed. */
  private void closeWith(TcpMessage last) {
    if (phase == Phase.CLOSING || connection.isClosed()) {
      return;
    }
    writeStateAcks(); // the frames before the bad one were applied: their acks go first
    phase = Phase.CLOSING;
    socket.end(Buffer.buffer(TcpMessageEncoder.encode(last)));
  }

  private void close() {
    if (phase == Phase.CLOSING || connection.isClosed()) {
      return;
    }
    phase = Phase.CLOSING;
    socket.close();
  }

  private void onException(Throwable t) {
    LOG.fine(() -> who() + ": connection error: " + t);
  }

  private void onClose(Void v) {
    if (!connection.closed()) {
      return;
    }
    phase = Phase.CLOSING;
    uncountPause();
    if (loginTimer >= 0) {
      context.owner().cancelTimer(loginTimer);
    }
    if (pendingAcks != null) {
      pendingAcks.release();
      pendingAcks = null;
    }
  }

  private String who() {
    return connection.unitId() != null ? "unit " + connection.unitId() : "TCP connection from " + socket.remoteAddress();
  }
}
