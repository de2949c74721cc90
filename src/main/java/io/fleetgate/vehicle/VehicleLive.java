package io.fleetgate.vehicle;

import java.time.Instant;

/**
 * The runtime side of a vehicle: latest state, life status and last contact. Shared by the ingest path
 * (any event loop) and the API; every field is safe to read from any thread.
 */
public final class VehicleLive {
  public final LatestState state = new LatestState();
  private volatile LifeStatus lifeStatus;
  private volatile long lastContactMs;

  public VehicleLive(Instant createdAt) {
    this.lifeStatus = new LifeStatus(false, createdAt);
  }

  /** A copy of another node's live side of a vehicle (readings, life status, last contact), for one answer. */
  public static VehicleLive of(java.util.List<Reading> readings, LifeStatus lifeStatus, long lastContactMs) {
    VehicleLive live = new VehicleLive(lifeStatus.modifiedAt());
    live.state.merge(readings, Property.allMask());
    live.lifeStatus = lifeStatus;
    live.lastContactMs = lastContactMs;
    return live;
  }

  /** Last contact in epoch ms, 0 when the unit never spoke. */
  public long lastContactMs() {
    return lastContactMs;
  }

  public LifeStatus lifeStatus() {
    return lifeStatus;
  }

  /** Sets ONLINE/OFFLINE; returns true when that changed it. */
  public boolean setOnline(boolean online, Instant at) {
    LifeStatus current = lifeStatus;
    if (current.online() == online) {
      return false;
    }
    lifeStatus = new LifeStatus(online, at);
    return true;
  }

  /**
   * Puts back what a store kept (start-up, before the gateway serves): the readings, the life status and the
   * last contact. A unit is never connected to a gateway that just started, so ONLINE comes back as OFFLINE
   * since {@code now}.
   */
  public void restore(java.util.List<Reading> readings, boolean online, Instant lifeModifiedAt, long lastContactMs, Instant now) {
    state.merge(readings, Property.allMask());
    lifeStatus = online ? new LifeStatus(false, now) : new LifeStatus(false, lifeModifiedAt);
    if (lastContactMs > this.lastContactMs) {
      this.lastContactMs = lastContactMs;
    }
  }

  public void touch(long nowMs) {
    lastContactMs = nowMs;
  }

  /** Last contact, or null when the unit never spoke. */
  public Instant lastContact() {
    long ms = lastContactMs;
    return ms == 0 ? null : Instant.ofEpochMilli(ms);
  }

  /** ONLINE/OFFLINE and when it last changed. */
  public record LifeStatus(boolean online, Instant modifiedAt) {
    public String value() {
      return online ? "ONLINE" : "OFFLINE";
    }
  }
}
