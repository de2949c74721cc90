package io.fleetgate.device;

import java.util.Locale;

/**
 * Why a unit's connection is refused. Each protocol maps the {@link Reason} to its own answer in one place
 * (MQTT: the CONNACK code; TCP: the LOGIN_ACK status). No stack trace: it is an expected outcome.
 */
public final class ConnectRefusedException extends RuntimeException {

  public enum Reason {
    /** Unknown unit, unit without a vehicle, wrong password, or client id not the unit id: one answer for all. */
    BAD_CREDENTIALS,
    /** The listener's connection bound is reached. */
    TOO_MANY_CONNECTIONS,
    /** Credential checks are queued beyond their bound; the unit should retry later. */
    SERVER_BUSY,
    /**
     * This node cannot authorize correctly now (a cluster node cut off or behind, its working set not confirmed
     * current): the unit should connect to another node or retry later.
     */
    SERVER_UNAVAILABLE;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** Lower-case name, the metrics label. */
    public String label() {
      return label;
    }
  }

  private final Reason reason;

  public ConnectRefusedException(Reason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
