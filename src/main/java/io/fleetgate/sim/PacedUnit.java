package io.fleetgate.sim;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.HdrHistogram.Histogram;

/**
 * What both kinds of simulated unit share, whatever their protocol: the unit's model, a window of
 * unacknowledged frames, paced sending ({@link #tick}) or flat out ({@link #pump}), and reconnecting with
 * back-off. Subclasses connect and send one frame; they call {@link #afterCompletion()} when a frame is
 * acknowledged (or written, when nothing acknowledges it). Lives on one event loop: no field needs
 * synchronisation.
 */
abstract class PacedUnit implements SimUnit {
  protected final Vertx vertx;
  protected final SimOptions options;
  protected final Credentials.Unit unit;
  protected final SimStats stats;
  protected final Histogram latency;
  protected final UnitModel model;
  protected final int window;
  protected Context context;
  protected boolean connected;
  protected boolean sending;
  protected boolean closed;
  protected int inFlight;
  /** Frames of this unit the gateway acknowledged (QoS 0: written), over all its connections. */
  protected long acked;
  protected int failedAttempts;
  protected long reconnectTimer = -1;
  private boolean pumping;
  private boolean pumpScheduled;
  private long nextDueNanos;

  @Override
  public long acked() {
    return acked;
  }

  PacedUnit(Vertx vertx, SimOptions options, Credentials.Unit unit, long seed, SimStats stats, Histogram latency) {
    this.vertx = vertx;
    this.options = options;
    this.unit = unit;
    this.stats = stats;
    this.latency = latency;
    this.model = new UnitModel(seed, System.currentTimeMillis());
    this.window = options.mode() == SimOptions.Mode.LOAD ? options.window() : Math.min(options.window(), 8);
  }

  /** Opens the connection (and logs in); on failure calls {@link #scheduleReconnect()}. */
  protected abstract void connect();

  /** Sends one state frame, counting it in {@link #inFlight} until it is acknowledged. */
  protected abstract void sendFrame();

  @Override
  public String id() {
    return unit.unitId();
  }

  @Override
  public boolean isConnected() {
    return connected;
  }

  @Override
  public int inFlight() {
    return inFlight;
  }

  /** Connects; on failure retries with back-off until {@link #close()}. */
  @Override
  public void start() {
    context = vertx.getOrCreateContext();
    connect();
  }

  /** The unit is connected and logged in: sending starts (again) from now. */
  protected void online() {
    connected = true;
    failedAttempts = 0;
    inFlight = 0;
    stats.connects.increment();
    stats.connected.incrementAndGet();
    nextDueNanos = System.nanoTime();
    pumpIfFlatOut();
  }

  protected void scheduleReconnect() {
    if (closed || reconnectTimer >= 0) {
      return;
    }
    long delay = Math.min(30_000, 1_000L << Math.min(5, failedAttempts)) + (long) (Math.random() * 1000);
    reconnectTimer = vertx.setTimer(delay, t -> {
      reconnectTimer = -1;
      connect();
    });
  }

  /** Starts sending frames (not for idle units). */
  @Override
  public void startSending() {
    sending = true;
    nextDueNanos = System.nanoTime();
    if (connected) {
      pumpIfFlatOut();
    }
  }

  @Override
  public void stopSending() {
    sending = false;
  }

  /**
   * Paced sending: every frame due by {@code nowNanos} at {@code intervalNanos}; a unit that fell more than a
   * second behind (window full) skips ahead and counts the frames it missed.
   */
  @Override
  public void tick(long nowNanos, long intervalNanos) {
    if (!connected || !sending) {
      return;
    }
    while (nextDueNanos <= nowNanos && inFlight < window) {
      sendFrame();
      nextDueNanos += intervalNanos;
    }
    if (nowNanos - nextDueNanos > 1_000_000_000L) {
      long behind = (nowNanos - nextDueNanos) / intervalNanos;
      stats.framesBehind.add(behind);
      nextDueNanos += behind * intervalNanos;
    }
  }

  private boolean flatOut() {
    return sending && options.mode() == SimOptions.Mode.LOAD && options.targetRate() == 0;
  }

  private void pumpIfFlatOut() {
    if (flatOut()) {
      pump();
    }
  }

  /** Flat-out sending: fill the window; every completion schedules the next fill. */
  private void pump() {
    pumpScheduled = false;
    if (pumping) {
      return;
    }
    pumping = true;
    int batch = 0;
    try {
      // writes may complete inside sendFrame(): a batch limit yields the event loop to other units
      while (connected && sending && inFlight < window && batch < window) {
        sendFrame();
        batch++;
      }
    } finally {
      pumping = false;
    }
    if (batch == window) {
      afterCompletion();
    }
  }

  /** A frame completed: when sending flat out, fill the window again (on the next turn of the loop). */
  protected void afterCompletion() {
    if (flatOut() && !pumping && !pumpScheduled) {
      pumpScheduled = true;
      context.runOnContext(v -> pump());
    }
  }
}
