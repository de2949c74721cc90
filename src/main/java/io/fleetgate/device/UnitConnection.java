package io.fleetgate.device;

import io.fleetgate.command.Command;
import io.fleetgate.command.UnitOfflineException;
import io.fleetgate.ops.ConnectionBudget;
import io.fleetgate.vehicle.TelematicsUnit;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.SocketAddress;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * One unit's connection, whatever its protocol, as the {@link DeviceSession} the registry holds: the
 * connection slot, login (register as the unit's current session, taking over an older one), the life status
 * ONLINE/OFFLINE, revocation, the idle timer, command delivery with its proofs, and the bookkeeping on close.
 * The protocol session ({@code MqttUnitSession}, {@code TcpUnitSession}) keeps only its wire handling: it is
 * this connection's {@link Wire} and calls {@link #touch()}, {@link #login} and {@link #closed()}.
 *
 * <p>Takeover goes only through {@link DeviceSessions#register} and {@link DeviceSession#takenOver()}, so that
 * ownership of a unit (e.g. across nodes) is decided in one place.
 *
 * <p>Confined to the session's event loop, except {@link #revoke()}, {@link #takenOver()} and
 * {@link #deliver}, which hop onto it, and {@link #isClosed()}.
 *
 * @param <K> what identifies a command awaiting its proof of delivery (MQTT: the packet id; TCP: the command id)
 */
public final class UnitConnection<K> implements DeviceSession {

  /** Why the connection closes a socket. */
  public enum CloseReason {
    /** A newer connection of the same unit replaced this one. */
    TAKEN_OVER,
    /** The unit's credentials no longer hold (vehicle removed, password changed), possibly during login. */
    REVOKED,
    /** Nothing came from the unit within the idle timeout ({@link #idleMs()} says how long). */
    IDLE
  }

  /** The protocol session's side: what only it can do on its socket. Called on the session's event loop. */
  public interface Wire {
    /** Closes the socket for {@code reason} (at most once in effect); the close handler then calls {@link #closed()}. */
    void close(CloseReason reason);

    /** Whether a close has begun (e.g. a last frame being flushed): the idle timer stops, login is abandoned. */
    default boolean closing() {
      return false;
    }

    /** The unit's address, for log lines. */
    SocketAddress remoteAddress();

    /** See {@link DeviceSession#acceptsCommands()} (any thread). */
    boolean acceptsCommands();

    /** Sends {@code command}, awaiting its proof with {@link #awaitProof}; only called while commands are accepted. */
    void sendCommand(Command command, Promise<Void> proof);
  }

  private final Wire wire;
  private final Context context;
  private final DeviceServices services;
  private final ConnectionBudget budget;
  private final Logger log;
  /** What proves delivery of a command, for messages ("PUBACK", "COMMAND_RESULT"). */
  private final String proofName;
  /** Why commands cannot go out now, after "unit X " (e.g. "is not subscribed to its commands"). */
  private final String noCommandsDetail;

  private volatile boolean closed;
  private boolean holdsSlot;
  private boolean registered;
  private String unitId;
  private String vehicleId;
  /** Commands sent and waiting for their proof of delivery; made at login. */
  private DeliveryProofs<K> proofs;
  private long idleTimeoutMs;
  private long lastActivityMs;

  public UnitConnection(Wire wire, Context context, DeviceServices services, ConnectionBudget budget, Logger log,
      String proofName, String noCommandsDetail) {
    this.wire = wire;
    this.context = context;
    this.services = services;
    this.budget = budget;
    this.log = log;
    this.proofName = proofName;
    this.noCommandsDetail = noCommandsDetail;
  }

  @Override
  public String unitId() {
    return unitId;
  }

  @Override
  public String vehicleId() {
    return vehicleId;
  }

  /** The protocol side of this connection. */
  public Wire wire() {
    return wire;
  }

  /** Whether the socket has closed (any thread). */
  public boolean isClosed() {
    return closed;
  }

  /** Whether the unit has logged in: registered as its current session (until closed). */
  public boolean loggedIn() {
    return registered;
  }

  // ---- connection slot and login ------------------------------------------------------------------------

  /** Takes a connection slot of the listener; false when all are taken (the caller refuses the connection). */
  public boolean admit() {
    if (!budget.tryAcquire()) {
      return false;
    }
    holdsSlot = true;
    return true;
  }

  /**
   * The unit's credentials were accepted: it becomes the unit's current session (ONLINE, atomically with
   * that), an older session is told it was taken over, and the credentials are checked once more.
   *
   * @return whether the session goes on; false when it closed meanwhile or the credentials were revoked while
   *     they were being checked (then it is being closed)
   */
  public boolean login(TelematicsUnit unit) {
    if (closed || wire.closing()) {
      return false; // the unit left (or timed out) while its password was checked
    }
    unitId = unit.id();
    vehicleId = unit.vehicleId();
    proofs = new DeliveryProofs<>(context.owner(), services.commandAckTimeoutMs(), unitId, proofName);
    registered = true;
    DeviceSession previous = services.sessions().register(this, () -> setOnline(true));
    if (previous != null) {
      log.info("unit " + unitId + ": new connection from " + wire.remoteAddress() + " takes over the previous one");
      previous.takenOver();
    }
    if (!stillValid(unit)) {
      // removed or given a new password while this login was checked: the revocation may have missed us
      log.info("unit " + unitId + ": credentials revoked during login, closing");
      wire.close(CloseReason.REVOKED);
      return false;
    }
    return true;
  }

  /** Whether the credentials this session logged in with still hold (same hash, vehicle still there). */
  private boolean stillValid(TelematicsUnit unit) {
    TelematicsUnit now = services.registry().unit(unit.id());
    return now != null && now.passwordHash().equals(unit.passwordHash()) && services.registry().vehicle(now.vehicleId()) != null;
  }

  // ---- idle timer ---------------------------------------------------------------------------------------

  /** Something came from the unit. */
  public void touch() {
    lastActivityMs = System.nanoTime() / 1_000_000;
  }

  /** Closes the connection ({@link CloseReason#IDLE}) once nothing came from the unit for {@code timeoutMs}. */
  public void startIdleTimer(long timeoutMs) {
    idleTimeoutMs = timeoutMs;
    touch();
    context.owner().setTimer(timeoutMs, this::checkIdle);
  }

  /** How long nothing has come from the unit. */
  public long idleMs() {
    return System.nanoTime() / 1_000_000 - lastActivityMs;
  }

  /** One timer per connection, re-armed for the remaining time instead of being reset by every packet. */
  private void checkIdle(long timerId) {
    if (closed || wire.closing()) {
      return;
    }
    long idle = idleMs();
    if (idle >= idleTimeoutMs) {
      wire.close(CloseReason.IDLE);
    } else {
      context.owner().setTimer(idleTimeoutMs - idle, this::checkIdle);
    }
  }

  // ---- revoke, takeover ---------------------------------------------------------------------------------

  @Override
  public void revoke() {
    context.runOnContext(v -> {
      log.info("unit " + unitId + ": credentials revoked (vehicle removed or password changed), closing");
      wire.close(CloseReason.REVOKED);
    });
  }

  @Override
  public void takenOver() {
    context.runOnContext(v -> wire.close(CloseReason.TAKEN_OVER));
  }

  // ---- commands -----------------------------------------------------------------------------------------

  @Override
  public boolean acceptsCommands() {
    return !closed && wire.acceptsCommands();
  }

  /** On the session's event loop, while commands are accepted, the wire sends the command. */
  @Override
  public Future<Void> deliver(Command command) {
    Promise<Void> proof = Promise.promise();
    context.runOnContext(v -> {
      if (!acceptsCommands()) {
        proof.tryFail(new UnitOfflineException("unit " + unitId + " " + noCommandsDetail));
        return;
      }
      wire.sendCommand(command, proof);
    });
    return proof.future();
  }

  /** Waits for the proof of delivery of the command sent under {@code key}, with a timer. */
  public void awaitProof(K key, Promise<Void> proof) {
    proofs.await(key, proof);
  }

  /** The proof of delivery of {@code key} arrived (ignored when unknown or before login). */
  public void proven(K key) {
    if (proofs != null) {
      proofs.proven(key);
    }
  }

  // ---- close --------------------------------------------------------------------------------------------

  /**
   * The socket closed (the session's close handler): pending deliveries fail, the slot is released, and the
   * vehicle goes OFFLINE unless a newer session took over. Later calls do nothing.
   *
   * @return whether this was the first call
   */
  public boolean closed() {
    if (closed) {
      return false;
    }
    closed = true;
    if (proofs != null) {
      proofs.failAll();
    }
    if (holdsSlot) {
      budget.release();
    }
    if (registered) {
      // after a takeover the newer session is current: this close leaves the life status alone
      services.sessions().unregister(this, () -> setOnline(false));
      log.fine(() -> "unit " + unitId + ": disconnected");
    }
    return true;
  }

  /** Through the ingest service, so that the change is also a LIFE_STATUS_CHANGED event. */
  private void setOnline(boolean online) {
    services.ingest().setOnline(vehicleId, online, Instant.now());
  }
}
