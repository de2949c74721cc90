package io.fleetgate.sim;

import io.vertx.core.Future;

/**
 * One simulated unit as its {@link UnitGroup} drives it, whatever protocol it speaks ({@link SimulatedUnit}
 * for MQTT, {@link TcpSimulatedUnit} for TCP). Every method runs on the group's event loop.
 */
interface SimUnit {
  String id();

  boolean isConnected();

  /** Connects; on failure retries with back-off until {@link #close()}. */
  void start();

  /** Starts sending frames (not for idle units). */
  void startSending();

  void stopSending();

  /** Frames acknowledged by the gateway so far (QoS 0: written). */
  long acked();

  /** Frames sent and not yet acknowledged. */
  int inFlight();

  /** Paced sending: every frame due by {@code nowNanos} at {@code intervalNanos}. */
  void tick(long nowNanos, long intervalNanos);

  /** Stops for good: no more reconnects; disconnects. */
  Future<Void> close();
}
