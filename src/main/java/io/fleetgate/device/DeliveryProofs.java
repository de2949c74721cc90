package io.fleetgate.device;

import io.fleetgate.command.DeliveryTimeoutException;
import io.fleetgate.command.UnitOfflineException;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;

/**
 * Commands sent to one unit that wait for the protocol's proof of delivery (MQTT: the PUBACK, keyed by packet
 * id; TCP: the COMMAND_RESULT, keyed by command id). Each has a timer; closing the connection fails them all.
 * Used only on the session's event loop.
 */
public final class DeliveryProofs<K> {
  private final Vertx vertx;
  private final long timeoutMs;
  private final String unitId;
  /** What proves delivery, for messages (e.g. "PUBACK"). */
  private final String proof;
  private final Map<K, Pending> pending = new HashMap<>();

  private record Pending(Promise<Void> proof, long timerId) {}

  public DeliveryProofs(Vertx vertx, long timeoutMs, String unitId, String proof) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.unitId = unitId;
    this.proof = proof;
  }

  /** Waits for the proof of {@code key}; an older wait under the same key can no longer be proven and fails. */
  public void await(K key, Promise<Void> promise) {
    long timer = vertx.setTimer(timeoutMs, t -> timedOut(key));
    Pending previous = pending.put(key, new Pending(promise, timer));
    if (previous != null) {
      vertx.cancelTimer(previous.timerId());
      previous.proof().tryFail(new DeliveryTimeoutException(key + " reused before its " + proof));
    }
  }

  /** The proof of {@code key} arrived (unknown keys are ignored). */
  public void proven(K key) {
    Pending p = pending.remove(key);
    if (p != null) {
      vertx.cancelTimer(p.timerId());
      p.proof().tryComplete();
    }
  }

  /** The connection closed: every waiting delivery fails as offline. */
  public void failAll() {
    for (Pending p : pending.values()) {
      vertx.cancelTimer(p.timerId());
      p.proof().tryFail(new UnitOfflineException("unit " + unitId + ": connection closed before the " + proof));
    }
    pending.clear();
  }

  private void timedOut(K key) {
    Pending p = pending.remove(key);
    if (p != null) {
      p.proof().tryFail(new DeliveryTimeoutException("unit " + unitId + ": no " + proof + " within " + timeoutMs + " ms"));
    }
  }
}
