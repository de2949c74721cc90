package io.fleetgate.device.mqtt;

import io.fleetgate.command.UnitOfflineException;
import io.fleetgate.device.OrderedAcks;

import io.micrometer.core.instrument.Counter;
import io.fleetgate.command.Command;
import io.fleetgate.config.GatewayConfig;
import io.fleetgate.device.DeliveryProofs;
import io.fleetgate.protocol.json.CommandMessageEncoder;
import io.fleetgate.device.ConnectRefusedException;
import io.fleetgate.device.ConnectRefusedException.Reason;
import io.fleetgate.ops.ConnectionBudget;
import io.fleetgate.device.DeviceServices;
import io.fleetgate.device.DeviceSession;
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
import java.time.Instant;
import io.fleetgate.tls.ClientCertificate;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One MQTT connection of a telematics unit, from CONNECT to close. Confined to the event loop of the
 * verticle that accepted it, except {@link #takenOver()}.
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
final class MqttUnitSession implements DeviceSession {
  static final String PROTOCOL = "mqtt";
  /** Room in an MQTT packet for the fixed header, topic, packet id and 5.0 properties around the frame. */
  static final int PACKET_OVERHEAD = 1024;
  private static final Logger LOG = Logger.getLogger("fleetgate.mqtt");
  private static final int MQTT_5 = 5;

  private final MqttEndpoint endpoint;
  private final Context context;
  private final GatewayConfig.Mqtt config;
  private final ConnectionBudget budget;
  private final PreLoginLog preLogin;
  private final DeviceServices services;
  private final Counter acceptedJson;
  private final Counter acceptedBinary;
  private final boolean v5;
  private final OrderedAcks<MqttPubAckReasonCode> acks;
  private final InvalidFrameWindow invalidFrames;
  private final EndpointReading reading;

  /** The unit id the verified client certificate names (TLS listener with tls.clientCa), else null. */
  private String certifiedId;
  private String unitId;
  private String vehicleId;
  private MqttTopics topics;
  private boolean holdsSlot;
  private boolean accepted;
  private volatile boolean closed;
  private volatile boolean commandsSubscribed;
  /** Subscribed to the commands topic at QoS 1: only then is a command's delivery provable (PUBACK). */
  private volatile boolean commandsAtQos1;
  /** Commands published and not yet PUBACK'd, by packet id; each has a timer. */
  /** Commands published at QoS 1, waiting for their PUBACK; made at login. */
  private DeliveryProofs<Integer> commandProofs;
  private int inflight;
  private boolean paused;
  private boolean notAppliedLogged;
  private long keepAliveTimeoutMs;
  private long lastActivityMs;

  MqttUnitSession(MqttEndpoint endpoint, Context context, GatewayConfig.Mqtt config, ConnectionBudget budget,
      PreLoginLog preLogin, DeviceServices services) {
    this.preLogin = preLogin;
    this.endpoint = endpoint;
    this.context = context;
    this.config = config;
    this.budget = budget;
    this.services = services;
    this.acceptedJson = services.metrics().accepted(PROTOCOL, "json");
    this.acceptedBinary = services.metrics().accepted(PROTOCOL, "binary");
    this.v5 = endpoint.protocolVersion() >= MQTT_5;
    this.acks = new OrderedAcks<>((id, code) -> sendPuback((int) id, code));
    this.invalidFrames = new InvalidFrameWindow(config.invalidFramesPerMinute());
    this.reading = new EndpointReading(endpoint);
  }

  /** The largest MQTT packet the listener accepts: a frame of {@code maxFrameBytes} plus its envelope. */
  static int maxMessageSize(GatewayConfig.Mqtt config) {
    return config.maxFrameBytes() + PACKET_OVERHEAD;
  }

  /** Keep-alive the gateway enforces: the client's, capped; 0 (no keep-alive) becomes the cap. */
  static int effectiveKeepAlive(int requested, int cap) {
    return requested <= 0 || requested > cap ? cap : requested;
  }

  @Override
  public String unitId() {
    return unitId;
  }

  @Override
  public String vehicleId() {
    return vehicleId;
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
    if (!budget.tryAcquire()) {
      return Future.failedFuture(new ConnectRefusedException(Reason.TOO_MANY_CONNECTIONS, "mqtt.maxConnections reached"));
    }
    holdsSlot = true;
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
    if (closed) {
      return; // the unit left while its password was checked
    }
    unitId = unit.id();
    commandProofs = new DeliveryProofs<>(context.owner(), services.commandAckTimeoutMs(), unitId, "PUBACK");
    vehicleId = unit.vehicleId();
    topics = MqttTopics.of(unitId);
    int keepAlive = effectiveKeepAlive(endpoint.keepAliveTimeSeconds(), config.maxKeepAliveSeconds());
    endpoint.publishAutoAck(false);
    endpoint.subscriptionAutoAck(false);
    endpoint.publishHandler(this::onPublish)
        .subscribeHandler(this::onSubscribe)
        .unsubscribeHandler(this::onUnsubscribe)
        .pingHandler(v -> touch());
    endpoint.publishAcknowledgeHandler(this::onCommandAck);
    endpoint.accept(false, connackProperties(keepAlive));
    accepted = true;
    DeviceSession previous = services.sessions().register(this, () -> setOnline(true));
    if (previous != null) {
      LOG.info("unit " + unitId + ": new connection from " + endpoint.remoteAddress() + " takes over the previous one");
      previous.takenOver();
    }
    if (!stillValid(unit)) {
      // removed or given a new password while this login was checked: the revocation may have missed us
      LOG.info("unit " + unitId + ": credentials revoked during login, closing");
      close(MqttDisconnectReasonCode.NOT_AUTHORIZED);
      return;
    }
    LOG.fine(() -> "unit " + unitId + ": connected (MQTT " + (v5 ? "5.0" : "3.1.1") + ", keep-alive " + keepAlive + " s)");
    keepAliveTimeoutMs = (long) Math.ceil(keepAlive * 1500.0);
    touch();
    context.owner().setTimer(keepAliveTimeoutMs, this::checkKeepAlive);
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
    if (!closed) {
      try {
        endpoint.reject(MqttCodes.connack(reason, v5));
      } catch (IllegalArgumentException | IllegalStateException alreadyClosed) {
        // the socket went away meanwhile
      }
    }
  }

  // ---- PUBLISH ------------------------------------------------------------------------------------------

  private void onPublish(MqttPublishMessage msg) {
    touch();
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
        services.ingest().apply(vehicleId, frame.readings(), nowMs), applied -> {
          accepted.increment();
          return null;
        }));
  }

  private Future<Void> ingestResult(byte[] payload, long nowMs) {
    return Futures.then(decodeResult(payload, nowMs), result -> services.results().accept(PROTOCOL, vehicleId, result, nowMs));
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
      LOG.log(Level.WARNING, "unit " + unitId + ": frame not applied, closing so that it is resent: " + LogSafe.escape(failure.getMessage()));
    }
    close(MqttDisconnectReasonCode.UNSPECIFIED_ERROR);
  }

  private void invalidFrame(FrameException e) {
    services.metrics().frameRejected(PROTOCOL, e.reason().label());
    LOG.info("unit " + unitId + ": invalid frame, " + LogSafe.escape(e.getMessage()));
    if (!v5 && invalidFrames.record(System.currentTimeMillis())) {
      LOG.info("unit " + unitId + ": " + config.invalidFramesPerMinute() + " invalid frames within a minute, closing");
      close(MqttDisconnectReasonCode.PAYLOAD_FORMAT_INVALID);
    }
  }

  private void notAuthorized(MqttPublishMessage msg) {
    services.metrics().frameRejected(PROTOCOL, "not_authorized");
    if (!v5) {
      LOG.info("unit " + unitId + ": PUBLISH to topic '" + LogSafe.escape(msg.topicName()) + "' not allowed, closing");
      close(MqttDisconnectReasonCode.NOT_AUTHORIZED);
    } else if (msg.qosLevel() == MqttQoS.AT_LEAST_ONCE) {
      acks.add(msg.messageId()).complete(MqttPubAckReasonCode.NOT_AUTHORIZED);
    }
  }

  private void sendPuback(int messageId, MqttPubAckReasonCode code) {
    if (!closed) {
      endpoint.publishAcknowledge(messageId, code, MqttProperties.NO_PROPERTIES);
    }
  }

  /**
   * A frame is in flight; stop reading while too many are, or while the store's or broker's buffer nears its
   * bound (then one frame in flight is enough: its end resumes reading, so every paused connection has a way
   * back, and the buffer is not filled by thousands of connections' windows until it must refuse frames).
   */
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
    touch();
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
        LOG.info("unit " + unitId + ": SUBSCRIBE to '" + LogSafe.escape(s.topicName()) + "' not allowed, closing");
        close(MqttDisconnectReasonCode.NOT_AUTHORIZED);
        return;
      }
      codes.add(MqttSubAckReasonCode.NOT_AUTHORIZED);
    }
    endpoint.subscribeAcknowledge(msg.messageId(), codes, MqttProperties.NO_PROPERTIES);
    if (commandsAtQos1) {
      services.commandReadiness().commandsReady(vehicleId);
    }
  }

  private void onUnsubscribe(MqttUnsubscribeMessage msg) {
    touch();
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
    return accepted && !closed && commandsAtQos1;
  }

  /**
   * Publishes {@code {"id","command","expires_at"}} at QoS 1 on the unit's commands topic; the PUBACK is the
   * proof of delivery. Every pending PUBACK has a timer; closing the connection fails all of them.
   */
  @Override
  public Future<Void> deliver(Command command) {
    Promise<Void> proof = Promise.promise();
    byte[] payload = CommandMessageEncoder.encode(command.id(), command.name(), command.expiresAt().toEpochMilli());
    context.runOnContext(v -> publishCommand(payload, proof));
    return proof.future();
  }

  private void publishCommand(byte[] payload, Promise<Void> proof) {
    if (!acceptsCommands()) {
      proof.tryFail(new UnitOfflineException("unit " + unitId + " is not subscribed to its commands"));
      return;
    }
    endpoint.publish(topics.commands(), Buffer.buffer(payload), MqttQoS.AT_LEAST_ONCE, false, false)
        .onSuccess(packetId -> commandProofs.await(packetId, proof))
        .onFailure(e -> proof.tryFail(new UnitOfflineException("unit " + unitId + ": " + e.getMessage())));
  }

  private void onCommandAck(Integer packetId) {
    touch();
    if (commandProofs != null) {
      commandProofs.proven(packetId);
    }
  }

  // ---- keep-alive, takeover, close ----------------------------------------------------------------------

  private void touch() {
    lastActivityMs = System.nanoTime() / 1_000_000;
  }

  /** One timer per connection, re-armed for the remaining time instead of being reset by every packet. */
  private void checkKeepAlive(long timerId) {
    if (closed) {
      return;
    }
    long idle = System.nanoTime() / 1_000_000 - lastActivityMs;
    if (idle >= keepAliveTimeoutMs) {
      LOG.fine(() -> "unit " + unitId + ": keep-alive timeout");
      close(MqttDisconnectReasonCode.KEEP_ALIVE_TIMEOUT);
    } else {
      context.owner().setTimer(keepAliveTimeoutMs - idle, this::checkKeepAlive);
    }
  }

  /** Whether the credentials this session logged in with still hold (same hash, vehicle still there). */
  private boolean stillValid(TelematicsUnit unit) {
    TelematicsUnit now = services.registry().unit(unit.id());
    return now != null && now.passwordHash().equals(unit.passwordHash()) && services.registry().vehicle(now.vehicleId()) != null;
  }

  @Override
  public void revoke() {
    context.runOnContext(v -> {
      LOG.info("unit " + unitId + ": credentials revoked (vehicle removed or password changed), closing");
      close(MqttDisconnectReasonCode.NOT_AUTHORIZED);
    });
  }

  @Override
  public void takenOver() {
    context.runOnContext(v -> close(MqttDisconnectReasonCode.SESSION_TAKEN_OVER));
  }

  private void abuse(String reason, String what, MqttDisconnectReasonCode code) {
    services.metrics().frameRejected(PROTOCOL, reason);
    LOG.info("unit " + unitId + ": " + what + " not allowed, closing");
    close(code);
  }

  private void onException(Throwable t) {
    if (closed) {
      return;
    }
    String reason = t instanceof io.netty.handler.codec.TooLongFrameException
        || t.getCause() instanceof io.netty.handler.codec.TooLongFrameException ? "too_large" : "malformed_packet";
    services.metrics().frameRejected(PROTOCOL, reason);
    if (unitId == null) {
      preLogin.violation(endpoint.remoteAddress(), "protocol error, " + PreLoginLog.describe(t));
    } else {
      LOG.info("unit " + unitId + ": protocol error, closing: " + PreLoginLog.describe(t));
    }
    close(reason.equals("too_large") ? MqttDisconnectReasonCode.PACKET_TOO_LARGE : MqttDisconnectReasonCode.MALFORMED_PACKET);
  }

  private void close(MqttDisconnectReasonCode code) {
    if (closed) {
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
    if (closed) {
      return;
    }
    closed = true;
    if (paused) {
      paused = false;
      services.metrics().readResumed(PROTOCOL);
    }
    if (commandProofs != null) {
      commandProofs.failAll();
    }
    if (holdsSlot) {
      budget.release();
    }
    if (accepted) {
      // after a takeover the newer session is current: this close leaves the life status alone
      services.sessions().unregister(this, () -> setOnline(false));
      LOG.fine(() -> "unit " + unitId + ": disconnected");
    }
  }

  private void setOnline(boolean online) {
    services.ingest().setOnline(vehicleId, online, Instant.now());
  }
}
