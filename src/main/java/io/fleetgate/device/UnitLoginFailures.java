package io.fleetgate.device;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wrong passwords per claimed unit id per clock minute ({@code hash.unitFailuresPerMinute}). With keyed
 * verifiers a wrong guess costs the gateway one HMAC, so the Argon2 queue no longer slows online guessing;
 * this bound does, per unit id. Only failures are recorded: units logging in with the right password never
 * add an entry, so a connect storm is not slowed by it. Known and unknown ids are counted alike, so the bound
 * does not tell them apart. The map is bounded: when full it is emptied (a flood of distinct ids buys an
 * attacker a fresh minute only after that many failures).
 */
public final class UnitLoginFailures {
  static final int MAX_IDS = 100_000;

  private record Window(long minute, int failures) {}

  private final int perMinute;
  private final Clock clock;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  public UnitLoginFailures(int perMinute, Clock clock) {
    this.perMinute = perMinute;
    this.clock = clock;
  }

  /** Whether {@code unitId} has had its wrong passwords for this minute: its logins are refused until the next. */
  public boolean blocked(String unitId) {
    Window w = windows.get(unitId);
    return w != null && w.minute() == minute() && w.failures() >= perMinute;
  }

  /** Counts a wrong password (or an unknown unit) for {@code unitId}. */
  public void failed(String unitId) {
    long m = minute();
    if (windows.size() >= MAX_IDS && !windows.containsKey(unitId)) {
      windows.clear();
    }
    windows.compute(unitId, (id, w) -> w == null || w.minute() != m ? new Window(m, 1) : new Window(m, w.failures() + 1));
  }

  private long minute() {
    return clock.millis() / 60_000;
  }
}
