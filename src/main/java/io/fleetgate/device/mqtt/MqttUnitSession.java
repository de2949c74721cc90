package io.fleetgate.device.mqtt;

import io.fleetgate.command.UnitOfflineException;
import io.fleetgate.device.OrderedAcks;
import io.fleetgate.device.UnitConnection;
import io.fleetgate.device.UnitConnection.CloseReason;

import io.micrometer.core.instrument.Counter;
import io.fleetgate.command.Command;
import io.fleetgate.config.GatewayConfig;
import io.fleetgate.protocol.json.CommandMessageEncoder;
import io.fleetgate.device.ConnectRefusedException;
import io.fleetgate.device.ConnectRefusedException.Reason;
import io.fleetgate.ops.ConnectionBudget;
import io.fleetgate.device.DeviceServices;
import io.fleetgate.device.PreLoginLog;
import io.fleetgate.support.LogSafe;
import io.fleetgate.protocol.CommandResult;
import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.binary.BinaryStateDecoder;
import io.fleetgate.protocol.json.CommandResultDecoder;
import io.fleetgate.protocol.json.JsonStateDecoder;
import io.fleetgate.vehicle.StateFrame;
import io.fleetgate.vehicle.TelematicsUnit;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.fleetgate.support.Futures;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.mqtt.MqttAuth;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttTopicSubscription;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.MqttUnsubscribeMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttSubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttUnsubAckReasonCode;
import io.fleetgate.tls.ClientCertificate;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The wire side of one MQTT connection of a telematics unit, from CONNECT to close; its {@link UnitConnection}
 * (the unit's {@code DeviceSession}) does login, takeover, revoke, the keep-alive timer and the close
 * bookkeeping. Confined to the event loop of the verticle that accepted it, except {@link #acceptsCommands()}.
 *
 * <p>CONNECT: {@code admit → clientIdIsUnitId → authenticate → accept}, any failure → CONNACK refusal. On
 * the TLS listener a verified client certificate authenticates the unit its CN names instead of a password.
 * PUBLISH: {@code authorize topic → decode → hand off (ingest or result sink) → PUBACK}, QoS 1 PUBACKs in
 * arrival order and only after the hand-off succeeded. Reading pauses while more than
 * {@code maxInflightPerConnection} frames are in flight, or while any are and the ingest path is congested
 * (the durable store's or the broker's buffer near its bound).
 *
 * <p>Decisions the contract leaves open: QoS 2 is not supported (5.0: CONNACK announces Maximum QoS 1 and a
 * QoS 2 PUBLISH gets DISCONNECT 0x9B; 3.1.1: the connection is closed). The invalid-frame limit applies to
 * 3.1.1, whose units get no other signal; a 5.0 unit is told 0x99 for each. A payload that does not start with {@code '{'} goes to the
 * binary decoder, which rejects anything but version 1 as {@code unsupported_version}. A failed hand-off
 * (store error, vehicle removed meanwhile) closes the connection without a PUBACK, so the unit resends the
 * frame after reconnecting. Will messages and the retain flag are ignored; no session state is kept.
 */
final class MqttUnitSession implements UnitConnection.Wire {
  static final String PROTOCOL = "mqtt";
  /** Room in an MQTT packet for the fixed header, topic, packet id and 5.0 properties around the frame. */
  static final int PACKET_OVERHEAD = 1024;
  private static final Logger LOG = Logger.getLogger("fleetgate.mqtt");
  private static final int MQTT_5 = 5;

  private final MqttEndpoint endpoint;
  private final GatewayConfig.Mqtt config;
  private final PreLoginLog preLogin;
  private final DeviceServices services;
  private final Counter acceptedJson;
  private final Counter acceptedBinary;
  private final boolean v5;
  private final OrderedAcks<MqttPubAckReasonCode> acks;
  private final InvalidFrameWindow invalidFrames;
  private final EndpointReading reading;
  /** Login, takeover, revoke, keep-alive timer, command proofs and close bookkeeping. */
  private final UnitConnection<Integer> connection;

  /** The unit id the verified client certificate names (TLS listener with tls.clientCa), else null. */
  private String certifiedId;
  private MqttTopics topics;
  private boolean accepted;
  private volatile boolean commandsSubscribed;
  /** Subscribed to the commands topic at QoS 1: only then is a command's delivery provable (PUBACK). */
  private volatile boolean commandsAtQos1;
  private int inflight;
  private boolean paused;
  private boolean notAppliedLogged;

  MqttUnitSession(MqttEndpoint endpoint, Context context, GatewayConfig.Mqtt config, ConnectionBudget budget,
      PreLoginLog preLogin, DeviceServices services) {
    this.preLogin = preLogin;
    this.endpoint = endpoint;
    this.config = config;
    this.services = services;
    this.acceptedJson = services.metrics().accepted(PROTOCOL, "json");
    this.acceptedBinary = services.metrics().accepted(PROTOCOL, "binary");
    this.v5 = endpoint.protocolVersion() >= MQTT_5;
    this.acks = new OrderedAcks<>((id, code) -> sendPuback((int) id, code));
    this.invalidFrames = new InvalidFrameWindow(config.invalidFramesPerMinute());
    this.reading = new EndpointReading(endpoint);
    this.connection = new UnitConnection<>(this, context, services, budget, LOG, "PUBACK",
        "is not subscribed to its commands");
  }

  /** The largest MQTT packet the listener accepts: a frame of {@code maxFrameBytes} plus its envelope. */
  static int maxMessageSize(GatewayConfig.Mqtt config) {
    return config.maxFrameBytes() + PACKET_OVERHEAD;
  }

  /** Keep-alive the gateway enforces: the client's, capped; 0 (no keep-alive) becomes the cap. */
  static int effectiveKeepAlive(int requested, int cap) {
    return requested <= 0 || requested > cap ? cap : requested;
  }

  /** Whether the unit subscribed to its commands topic (for command delivery). */
  boolean commandsSubscribed() {
    return commandsSubscribed;
  }

  // ---- CONNECT ------------------------------------------------------------------------------------------

  void start() {
    endpoint.exceptionHandler(this::onException).closeHandler(this::onClose);
    certifiedId = ClientCertificate.unitId(endpoint.sslSession());
    admit()
        .compose(this::clientIdIsUnitId)
        .compose(this::authenticate)
        .onSuccess(this::accept)
        .onFailure(this::refuse);
  }

  private Future<Void> admit() {
    if (!connection.admit()) {
      return Future.failedFuture(new ConnectRefusedException(Reason.TOO_MANY_CONNECTIONS, "mqtt.maxConnections reached"));
    }
    return Future.succeededFuture();
  }

  private Future<String> clientIdIsUnitId(Void v) {
    MqttAuth auth = endpoint.auth();
    String username = auth == null ? null : auth.getUsername();
    if (certifiedId != null) {
      // the certificate names the unit: the user name may be left out, and if given must be the client id
      // (Vert.x MQTT hands over user name and password together only: a user name alone is not seen)
      if (username != null && !username.equals(endpoint.clientIdentifier())) {
        return Future.failedFuture(new ConnectRefusedException(Reason.BAD_CREDENTIALS, "client id is not the user name"));
      }
      return Future.succeededFuture(endpoint.clientIdentifier());
    }
    if (username == null || !username.equals(endpoint.clientIdentifier())) {
      return Future.failedFuture(new ConnectRefusedException(Reason.BAD_CREDENTIALS, "client id is not the user name"));
    }
    return Future.succeededFuture(username);
  }

  private Future<TelematicsUnit> authenticate(String id) {
    if (certifiedId != null) {
      return services.authenticator().authenticateCertified(certifiedId, id);
    }
    return services.authenticator().authenticate(id, endpoint.auth().getPassword(),
        endpoint.remoteAddress() == null ? null : endpoint.remoteAddress().hostAddress());
  }

  private void accept(TelematicsUnit unit) {
    if (connection.isClosed()) {
      return; // the unit left while its password was checked
    }
    topics = MqttTopics.of(unit.id());
    int keepAlive = effectiveKeepAlive(endpoint.keepAliveTimeSeconds(), config.maxKeepAliveSeconds());
    endpoint.publishAutoAck(false);
    endpoint.subscriptionAutoAck(false);
    endpoint.publishHandler(this::onPublish)
        .subscribeHandler(this::onSubscribe)
        .unsubscribeHandler(this::onUnsubscribe)
        .pingHandler(v -> connection.touch());
    endpoint.publishAcknowledgeHandler(this::onCommandAck);
    endpoint.accept(false, connackProperties(keepAlive));
    accepted = true;
    if (!connection.login(unit)) {
      return;
    }
    LOG.fine(() -> "unit " + unit.id() + ": connected (MQTT " + (v5 ? "5.0" : "3.1.1") + ", keep-alive " + keepAlive + " s)");
    connection.startIdleTimer((long) Math.ceil(keepAlive * 1500.0));
  }

  private MqttProperties connackProperties(int keepAlive) {
    if (!v5) {
      return MqttProperties.NO_PROPERTIES;
    }
    MqttProperties p = new MqttProperties();
    if (keepAlive != endpoint.keepAliveTimeSeconds()) {
      p.add(new MqttProperties.IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, keepAlive));
    }
    p.add(new MqttProperties.IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, config.maxInflightPerConnection()));
    p.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_QOS, 1));
    p.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, maxMessageSize(config)));
    p.add(new MqttProperties.IntegerProperty(MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, 0));
    p.add(new MqttProperties.IntegerProperty(MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 0));
    return p;
  }

  private void refuse(Throwable failure) {
    Reason reason = failure instanceof ConnectRefusedException e ? e.reason() : Reason.SERVER_BUSY;
    services.metrics().connectRefused(reason.label());
    String who = endpoint.auth() == null ? "(no user name)" : "'" + LogSafe.escape(endpoint.auth().getUsername()) + "'";
    if (failure instanceof ConnectRefusedException) {
      LOG.info("unit " + who + " from " + endpoint.remoteAddress() + ": login refused, " + reason.label() + " (" + LogSafe.escape(failure.getMessage()) + ")");
    } else {
      LOG.log(Level.WARNING, "unit " + who + ": login failed unexpectedly", failure);
    }
    if (!connection.isClosed()) {
      try {
        endpoint.reject(MqttCodes.connack(reason, v5));
      } catch (IllegalArgumentException | IllegalStateException alreadyClosed) {
        // the socket went away meanwhile
      }
    }
  }

  // ---- PUBLISH ------------------------------------------------------------------------------------------

  private void onPublish(MqttPublishMessage msg) {
    connection.touch();
    if (msg.qosLevel() == MqttQoS.EXACTLY_ONCE) {
      abuse("qos_not_supported", "QoS 2 PUBLISH", MqttDisconnectReasonCode.QOS_NOT_SUPPORTED);
      return;
    }
    MqttTopics.Publish kind = topics.publish(msg.topicName());
    if (kind == MqttTopics.Publish.FORBIDDEN) {
      notAuthorized(msg);
      return;
    }
    if (msg.payload().length() > config.maxFrameBytes()) {
      abuse("too_large", msg.payload().length() + "-byte frame", MqttDisconnectReasonCode.PACKET_TOO_LARGE);
      return;
    }
    OrderedAcks<MqttPubAckReasonCode>.Pending ack = msg.qosLevel() == MqttQoS.AT_LEAST_ONCE ? acks.add(msg.messageId()) : null;
    long nowMs = System.currentTimeMillis();
    begin();
    Future<Void> handOff = kind == MqttTopics.Publish.STATE
        ? ingestState(((BufferInternal) msg.payload()).getByteBuf(), nowMs)
        : ingestResult(msg.payload().getBytes(), nowMs);
    handOff.onComplete(ar -> {
      end();
      settle(ar.cause(), ack);
    });
  }

  /** {@code payload}: the PUBLISH payload's readable bytes, decoded in place (read only while this runs). */
  private Future<Void> ingestState(ByteBuf payload, long nowMs) {
    Counter accepted = isJson(payload) ? acceptedJson : acceptedBinary;
    return Futures.then(decodeState(payload, nowMs), frame -> Futures.thenMap(
        services.ingest().apply(connection.vehicleId(), frame.readings(), nowMs), applied -> {
          accepted.increment();
          return null;
        }));
  }

  private Future<Void> ingestResult(byte[] payload, long nowMs) {
    return Futures.then(decodeResult(payload, nowMs), result -> services.results().accept(PROTOCOL, connection.vehicleId(), result, nowMs));
  }

  /** An empty payload counts as JSON (the JSON decoder rejects it as {@code empty}). */
  private static boolean isJson(ByteBuf payload) {
    return !payload.isReadable() || payload.getByte(payload.readerIndex()) == '{';
  }

  private static Future<StateFrame> decodeState(ByteBuf payload, long nowMs) {
    int index = payload.readerIndex();
    int length = payload.readableBytes();
    try {
      return Future.succeededFuture(isJson(payload)
          ? JsonStateDecoder.decode(payload, index, length, nowMs)
          : BinaryStateDecoder.decode(payload, index, length, nowMs));
    } catch (FrameException e) {
      return Future.failedFuture(e);
    }
  }

  private static Future<CommandResult> decodeResult(byte[] payload, long nowMs) {
    try {
      return Future.succeededFuture(CommandResultDecoder.decode(payload, nowMs));
    } catch (FrameException e) {
      return Future.failedFuture(e);
    }
  }

  /** The one outcome of a frame: PUBACK (QoS 1), counters, and closing when the unit misbehaves. */
  private void settle(Throwable failure, OrderedAcks<MqttPubAckReasonCode>.Pending ack) {
    if (failure == null || failure instanceof FrameException) {
      if (ack != null) {
        ack.complete(MqttCodes.puback(failure, v5));
      }
      if (failure instanceof FrameException e) {
        invalidFrame(e);
      }
      return;
    }
    if (!notAppliedLogged) {
      // once per connection: the frames in flight behind it fail the same way (up to maxInflightPerConnection lines)
      notAppliedLogged = true;
      LOG.log(Level.WARNING, "unit " + connection.unitId() + ": frame not applied, closing so that it is resent: " + LogSafe.escape(failure.getMessage()));
    }
    close(MqttDisconnectReasonCode.UNSPECIFIED_ERROR);
  }

  private void invalidFrame(FrameException e) {
    services.metrics().frameRejected(PROTOCOL, e.reason().label());
    LOG.info("unit " + connection.unitId() + ": invalid frame, " + LogSafe.escape(e.getMessage()));
    if (!v5 && invalidFrames.record(System.currentTimeMillis())) {
      LOG.info("unit " + connection.unitId() + ": " + config.invalidFramesPerMinute() + " invalid frames within a minute, closing");
      close(MqttDisconnectReasonCode.PAYLOAD_FORMAT_INVALID);
    }
  }

  private void notAuthorized(MqttPublishMessage msg) {
    services.metrics().frameRejected(PROTOCOL, "not_authorized");
    if (!v5) {
      LOG.info("unit " + connection.unitId() + ": PUBLISH to topic '" + LogSafe.escape(msg.topicName()) + "' not allowed, closing");
      close(MqttDisconnectReasonCode.NOT_AUTHORIZED);
    } else if (msg.qosLevel() == MqttQoS.AT_LEAST_ONCE) {
      acks.add(msg.messageId()).complete(MqttPubAckReasonCode.NOT_AUTHORIZED);
    }
  }

  private void sendPuback(int messageId, MqttPubAckReasonCode code) {
    if (!connection.isClosed()) {
      endpoint.publishAcknowledge(messageId, code, MqttProperties.NO_PROPERTIES);
    }
  }

  /** A frame is in flight; stop reading while too many are. */
  private void begin() {
    ++inflight;
    if (paused) {
      return;
    }
    if (inflight > config.maxInflightPerConnection()) {
      pause("inflight");
    } else if (services.ingest().congested()) {
      pause("congested");
    }
  }

  private void end() {
    --inflight;
    if (paused && (inflight == 0 || inflight <= config.maxInflightPerConnection() / 2 && !services.ingest().congested())) {
      paused = false;
      reading.resume();
      services.metrics().readResumed(PROTOCOL);
    }
  }

  private void pause(String cause) {
    paused = true;
    reading.pause();
    services.metrics().readPaused(PROTOCOL, cause);
  }

  // ---- SUBSCRIBE ----------------------------------------------------------------------------------------

  private void onSubscribe(MqttSubscribeMessage msg) {
    connection.touch();
    List<MqttSubAckReasonCode> codes = new ArrayList<>(msg.topicSubscriptions().size());
    for (MqttTopicSubscription s : msg.topicSubscriptions()) {
      if (topics.maySubscribe(s.topicName())) {
        // grant what was asked, at most QoS 1 (a server may lower the QoS, never raise it)
        boolean qos1 = s.qualityOfService() != MqttQoS.AT_MOST_ONCE;
        codes.add(qos1 ? MqttSubAckReasonCode.GRANTED_QOS1 : MqttSubAckReasonCode.GRANTED_QOS0);
        commandsSubscribed = true;
        commandsAtQos1 = qos1;
        continue;
      }
      services.metrics().frameRejected(PROTOCOL, "not_authorized");
      if (!v5) {
        LOG.info("unit " + connection.unitId() + ": SUBSCRIBE to '" + LogSafe.escape(s.topicName()) + "' not allowed, closing");
        close(MqttDisconnectReasonCode.NOT_AUTHORIZED);
        return;
      }
      codes.add(MqttSubAckReasonCode.NOT_AUTHORIZED);
    }
    endpoint.subscribeAcknowledge(msg.messageId(), codes, MqttProperties.NO_PROPERTIES);
    if (commandsAtQos1) {
      services.commandReadiness().commandsReady(connection.vehicleId());
    }
  }

  private void onUnsubscribe(MqttUnsubscribeMessage msg) {
    connection.touch();
    List<MqttUnsubAckReasonCode> codes = new ArrayList<>(msg.topics().size());
    for (String t : msg.topics()) {
      boolean own = topics.maySubscribe(t);
      if (own) {
        commandsSubscribed = false;
        commandsAtQos1 = false;
      }
      codes.add(own ? MqttUnsubAckReasonCode.SUCCESS : MqttUnsubAckReasonCode.NO_SUBSCRIPTION_EXISTED);
    }
    endpoint.unsubscribeAcknowledge(msg.messageId(), codes, MqttProperties.NO_PROPERTIES);
  }

  // ---- commands -----------------------------------------------------------------------------------------

  @Override
  public boolean acceptsCommands() {
    return accepted && !connection.isClosed() && commandsAtQos1;
  }

  /**
   * Publishes {@code {"id","command","expires_at"}} at QoS 1 on the unit's commands topic; the PUBACK is the
   * proof of delivery. Every pending PUBACK has a timer; closing the connection fails all of them.
   */
  @Override
  public void sendCommand(Command command, Promise<Void> proof) {
    byte[] payload = CommandMessageEncoder.encode(command.id(), command.name(), command.expiresAt().toEpochMilli());
    endpoint.publish(topics.commands(), Buffer.buffer(payload), MqttQoS.AT_LEAST_ONCE, false, false)
        .onSuccess(packetId -> connection.awaitProof(packetId, proof))
        .onFailure(e -> proof.tryFail(new UnitOfflineException("unit " + connection.unitId() + ": " + e.getMessage())));
  }

  private void onCommandAck(Integer packetId) {
    connection.touch();
    connection.proven(packetId);
  }

  // ---- takeover, revoke, close --------------------------------------------------------------------------

  @Override
  public SocketAddress remoteAddress() {
    return endpoint.remoteAddress();
  }

  @Override
  public void close(CloseReason reason) {
    switch (reason) {
      case TAKEN_OVER -> close(MqttDisconnectReasonCode.SESSION_TAKEN_OVER);
      case REVOKED -> close(MqttDisconnectReasonCode.NOT_AUTHORIZED);
      case IDLE -> {
        LOG.fine(() -> "unit " + connection.unitId() + ": keep-alive timeout");
        close(MqttDisconnectReasonCode.KEEP_ALIVE_TIMEOUT);
      }
    }
  }

  private void abuse(String reason, String what, MqttDisconnectReasonCode code) {
    services.metrics().frameRejected(PROTOCOL, reason);
    LOG.info("unit " + connection.unitId() + ": " + what + " not allowed, closing");
    close(code);
  }

  private void onException(Throwable t) {
    if (connection.isClosed()) {
      return;
    }
    String reason = t instanceof io.netty.handler.codec.TooLongFrameException
        || t.getCause() instanceof io.netty.handler.codec.TooLongFrameException ? "too_large" : "malformed_packet";
    services.metrics().frameRejected(PROTOCOL, reason);
    if (connection.unitId() == null) {
      preLogin.violation(endpoint.remoteAddress(), "protocol error, " + PreLoginLog.describe(t));
    } else {
      LOG.info("unit " + connection.unitId() + ": protocol error, closing: " + PreLoginLog.describe(t));
    }
    close(reason.equals("too_large") ? MqttDisconnectReasonCode.PACKET_TOO_LARGE : MqttDisconnectReasonCode.MALFORMED_PACKET);
  }

  private void close(MqttDisconnectReasonCode code) {
    if (connection.isClosed()) {
      return;
    }
    try {
      if (v5 && accepted) {
        endpoint.disconnect(code, MqttProperties.NO_PROPERTIES);
      } else {
        endpoint.close();
      }
    } catch (IllegalArgumentException | IllegalStateException alreadyClosed) {
      // closed by the other side meanwhile; onClose follows
    }
  }

  private void onClose(Void v) {
    if (paused) {
      paused = false;
      services.metrics().readResumed(PROTOCOL);
    }
    connection.closed();
  }
}
