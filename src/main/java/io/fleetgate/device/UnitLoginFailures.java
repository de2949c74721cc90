package io.fleetgate.device;

import io.fleetgate.support.AddressKey;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wrong unit passwords per clock minute, counted per (remote address, claimed unit id)
 * ({@code hash.unitFailuresPerMinute}) and per remote address ({@code hash.unitFailuresPerAddressPerMinute};
 * IPv6 by /64). With keyed verifiers a wrong guess costs the gateway one HMAC, so the Argon2 queue no longer
 * slows online guessing; these bounds do. Never per unit id alone: failures from elsewhere must not lock a
 * unit with the right password out (the same rule as the token endpoint's), so whoever fails is refused, and
 * a unit connecting from an address that has not failed is admitted.
 *
 * <p>Only failures are recorded: units logging in with the right password never add an entry, so a connect
 * storm is not slowed by it. Known and unknown ids are counted alike, so the bound does not tell them apart.
 * Each map is bounded: when full it is emptied (a flood of distinct keys buys an attacker a fresh minute
 * only after that many failures).
 */
public final class UnitLoginFailures {
  static final int MAX_KEYS = 100_000;

  private record Window(long minute, int failures) {}

  private final int perPair;
  private final int perAddress;
  private final Clock clock;
  private final Map<String, Window> pairs = new ConcurrentHashMap<>();
  private final Map<String, Window> addresses = new ConcurrentHashMap<>();

  public UnitLoginFailures(int perPair, int perAddress, Clock clock) {
    this.perPair = perPair;
    this.perAddress = perAddress;
    this.clock = clock;
  }

  /**
   * Whether a password login for {@code unitId} from {@code remoteAddress} is refused without a check until
   * the next minute: that address has had its wrong passwords, for this unit or in all.
   */
  public boolean blocked(String remoteAddress, String unitId) {
    long m = minute();
    String address = AddressKey.of(remoteAddress);
    return reached(addresses.get(address), m, perAddress) || reached(pairs.get(pair(address, unitId)), m, perPair);
  }

  /** Counts a wrong password (or an unknown unit) for {@code unitId} from {@code remoteAddress}. */
  public void failed(String remoteAddress, String unitId) {
    long m = minute();
    String address = AddressKey.of(remoteAddress);
    count(addresses, address, m);
    count(pairs, pair(address, unitId), m);
  }

  private static boolean reached(Window w, long minute, int bound) {
    return w != null && w.minute() == minute && w.failures() >= bound;
  }

  private static void count(Map<String, Window> windows, String key, long m) {
    if (windows.size() >= MAX_KEYS && !windows.containsKey(key)) {
      windows.clear();
    }
    windows.compute(key, (k, w) -> w == null || w.minute() != m ? new Window(m, 1) : new Window(m, w.failures() + 1));
  }

  private static String pair(String address, String unitId) {
    return address + '\u0000' + unitId;
  }

  private long minute() {
    return clock.millis() / 60_000;
  }
}
