package io.fleetgate.sim;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.HdrHistogram.Histogram;

/**
 * What both kinds of simulated unit share, whatever their protocol: the unit's model, a window of
 * unacknowledged frames, paced sending ({@link #tick}) or flat out ({@link #pump}), and reconnecting with
 * back-off over the gateway addresses. Subclasses connect to {@link #address()} and send one frame; they call
 * {@link #online()} once logged in, {@link #connectFailed} when an attempt fails, {@link #connectionGone()} when
 * a connection closes, and {@link #afterCompletion()} when a frame is acknowledged (or written, when nothing
 * acknowledges it). Lives on one event loop: no field needs synchronisation.
 *
 * <p>Moving on: a failed attempt (refused, timed out, CONNACK "server unavailable") moves the unit to the next
 * address, round robin; a lost connection (the node died, was stopped, or reset it) moves it 1 to N-1 addresses
 * on, by the unit's place, so the units of a dead node spread evenly over the others. Either way after a random
 * 0.1-2 s, so they do not arrive all at once; only after a whole round of failed attempts does the pause grow
 * (2, 4, … 30 s). Frames in flight on a lost connection are counted as lost, never as acknowledged.
 *
 * <p>Takeover: the simulator speaks MQTT 3.1.1 (and the TCP protocol), where a session taken over by another
 * client with the same unit id is simply closed, just as when its node dies. A unit whose sessions are closed
 * {@value #TAKEN_OVER_AFTER} times in a row within {@value #SHORT_SESSION_MS} ms of logging in is fighting
 * another client for its id (a node death does not repeat on the next node): it stops reconnecting.
 */
abstract class PacedUnit implements SimUnit {
  /** Sessions closed in a row this soon after logging in mean another client takes the unit's id over. */
  static final int TAKEN_OVER_AFTER = 3;
  static final long SHORT_SESSION_MS = 5_000;
  /** The pause before the next attempt after a lost connection, or while a round of addresses is not tried. */
  static final long MIN_RETRY_MS = 100;
  static final long MAX_FIRST_RETRY_MS = 2_000;
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
  /** Index into {@link SimOptions#gateways()} of the address this unit connects (or is connected) to. */
  private int gateway;
  /** This unit's place among all units (it starts on address index mod N). */
  private final int index;
  private boolean everOnline;
  private long onlineSinceNanos;
  private int shortSessions;
  private boolean pumping;
  private boolean pumpScheduled;
  private long nextDueNanos;

  @Override
  public long acked() {
    return acked;
  }

  /** @param index this unit's place among all units: it starts on address index mod N */
  PacedUnit(Vertx vertx, SimOptions options, Credentials.Unit unit, int index, long seed, SimStats stats, Histogram latency) {
    this.index = index;
    this.gateway = index % options.gateways().size();
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

  /** The gateway address to connect to now. */
  protected SimOptions.Address address() {
    return options.gateways().get(gateway);
  }

  /** The unit is connected and logged in: sending starts (again) from now. */
  protected void online() {
    connected = true;
    failedAttempts = 0;
    inFlight = 0;
    stats.connects.increment();
    if (everOnline) {
      stats.reconnects.increment();
    }
    everOnline = true;
    onlineSinceNanos = System.nanoTime();
    stats.connected.incrementAndGet();
    stats.connectedPerGateway.incrementAndGet(gateway);
    nextDueNanos = System.nanoTime();
    pumpIfFlatOut();
  }

  /** An attempt failed (refused, timed out, login refused): counted; the next attempt goes to the next address. */
  protected void connectFailed(String why) {
    stats.connectFailures.increment();
    if (failedAttempts++ == 0 || failedAttempts % 10 == 0) {
      Simulator.warn("unit " + unit.unitId() + ": connect to " + address() + " failed (" + why + ")");
    }
    nextGateway();
  }

  /**
   * The connection closed, whoever closed it. Once online: its frames in flight are lost, and unless the run is
   * ending the unit moves to the next address (or, taken over, stops). Then the next attempt is scheduled.
   */
  protected void connectionGone() {
    int unacknowledged = inFlight();
    inFlight = 0;
    if (connected) {
      connected = false;
      stats.connected.decrementAndGet();
      stats.connectedPerGateway.decrementAndGet(gateway);
      if (!closed) {
        stats.disconnects.increment(); // the gateway or the network closed it, not the end of the run
        stats.framesLostOnDisconnect.add(unacknowledged);
        boolean shortSession = System.nanoTime() - onlineSinceNanos < SHORT_SESSION_MS * 1_000_000L;
        shortSessions = shortSession ? shortSessions + 1 : 0;
        if (shortSessions >= TAKEN_OVER_AFTER) {
          closed = true;
          sending = false;
          stats.takenOver.increment();
          Simulator.warn("unit " + unit.unitId() + ": its last " + TAKEN_OVER_AFTER + " sessions were closed within "
              + SHORT_SESSION_MS / 1000 + " s of logging in (taken over by another client with its id?); not reconnecting");
          return;
        }
        gateway = addressAfterLoss(gateway, index, options.gateways().size());
      }
    }
    scheduleReconnect();
  }

  /**
   * Where unit {@code index} goes when its connection to address {@code current} of {@code n} is lost: 1 to n-1
   * addresses on. The units of one address have consecutive {@code index / n}, so stepping by
   * {@code 1 + (index / n) mod (n - 1)} spreads them evenly over the other addresses.
   */
  static int addressAfterLoss(int current, int index, int n) {
    int step = n <= 2 ? 1 : 1 + (index / n) % (n - 1);
    return (current + step) % n;
  }

  private void nextGateway() {
    gateway = (gateway + 1) % options.gateways().size();
  }

  protected void scheduleReconnect() {
    if (closed || reconnectTimer >= 0) {
      return;
    }
    reconnectTimer = vertx.setTimer(retryDelayMs(failedAttempts, options.gateways().size()), t -> {
      reconnectTimer = -1;
      connect();
    });
  }

  /**
   * 0.1-2 s at random while a round over the {@code gateways} addresses is not yet all failed attempts (so the
   * units of a dead node arrive spread out); after each whole round of failures twice as long, up to 30 s.
   */
  static long retryDelayMs(int failedAttempts, int gateways) {
    int rounds = failedAttempts / gateways;
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    if (rounds == 0) {
      return random.nextLong(MIN_RETRY_MS, MAX_FIRST_RETRY_MS + 1);
    }
    return Math.min(30_000, 1_000L << Math.min(5, rounds)) + random.nextLong(1_000);
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
