package io.fleetgate.ops;

import java.util.HashMap;
import java.util.Map;

/**
 * Who may hold an HTTP connection, decided at accept and shared by every API verticle instance: at most
 * {@code max} connections in all and {@code maxPerAddress} from one remote address (trusted proxies are exempt
 * from the latter). A connection over either cap is put on probation, within a small ceiling above the caps:
 * it may send one request, which a health probe answers and anything else answers 503, and is then closed.
 * Beyond the ceiling, or for an address that already has {@value #PROBATION_PER_ADDRESS} on probation, it is
 * closed at accept. So an address holding its cap costs the others nothing, and while every slot is taken a
 * probe still gets an answer.
 */
public final class HttpConnectionLimits {
  /** Connections on probation at once, above the caps: the ceiling on what refusing with a 503 may cost. */
  public static final int PROBATION_SLOTS = 32;
  /** Connections on probation at once from one address, so that one address cannot take the whole ceiling. */
  public static final int PROBATION_PER_ADDRESS = 2;

  public enum Kind { SERVED, PROBATION, CLOSED }

  /** The decision for one connection; {@code reason} ("max_connections" / "max_connections_per_address") when not served. */
  public record Admission(Kind kind, String address, String reason) {}

  private final int max;
  private final int maxPerAddress;
  /** Address → {served, on probation}; only addresses that hold a connection. */
  private final Map<String, int[]> perAddress = new HashMap<>();
  private int served;
  private int probation;

  public HttpConnectionLimits(int max, int maxPerAddress) {
    this.max = max;
    this.maxPerAddress = maxPerAddress;
  }

  /** Decides for a connection just accepted from {@code address}; {@code exempt}: a trusted proxy. */
  public synchronized Admission admit(String address, boolean exempt) {
    int[] n = perAddress.computeIfAbsent(address, k -> new int[2]);
    String reason = served >= max ? "max_connections"
        : !exempt && n[0] >= maxPerAddress ? "max_connections_per_address" : null;
    if (reason == null) {
      served++;
      n[0]++;
      return new Admission(Kind.SERVED, address, null);
    }
    if (probation < PROBATION_SLOTS && n[1] < PROBATION_PER_ADDRESS) {
      probation++;
      n[1]++;
      return new Admission(Kind.PROBATION, address, reason);
    }
    if (n[0] == 0 && n[1] == 0) {
      perAddress.remove(address);
    }
    return new Admission(Kind.CLOSED, address, reason);
  }

  /** Gives back what {@link #admit} granted, when the connection closes. */
  public synchronized void release(Admission a) {
    if (a.kind() == Kind.CLOSED) {
      return;
    }
    int[] n = perAddress.get(a.address());
    if (a.kind() == Kind.SERVED) {
      served--;
      n[0]--;
    } else {
      probation--;
      n[1]--;
    }
    if (n[0] == 0 && n[1] == 0) {
      perAddress.remove(a.address());
    }
  }

  /** Open connections, served and on probation. */
  public synchronized int open() {
    return served + probation;
  }
}
