package io.fleetgate.vehicle;

import java.util.Collection;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory working set of vehicles and telematics units, read by the API and the ingest path from any
 * event loop. Records are immutable and replaced whole; the runtime side of each vehicle is its
 * {@link VehicleLive}. Each fleet has an index of the vehicles it sees, ordered by creation sequence: the
 * stable order behind listings and cursors.
 */
public final class VehicleRegistry {
  private final Map<String, Vehicle> vehicles = new ConcurrentHashMap<>();
  private final Map<String, TelematicsUnit> units = new ConcurrentHashMap<>();
  private final Map<String, VehicleLive> live = new ConcurrentHashMap<>();
  private final Map<String, NavigableMap<Long, String>> visibleByFleet = new ConcurrentHashMap<>();
  private final AtomicLong seq = new AtomicLong();
  /** Sequences handed out for vehicles not yet in the working set (their store write is in flight). */
  private final NavigableSet<Long> pending = new ConcurrentSkipListSet<>();
  /** Ids of archived vehicles: not in the working set, but taken. */
  private final java.util.Set<String> heldIds = ConcurrentHashMap.newKeySet();

  /** Makes sequences continue above {@code last} (the highest one the store has ever seen, at start-up). */
  public void seqAtLeast(long last) {
    seq.accumulateAndGet(last, Math::max);
  }

  public long nextSeq() {
    return seq.incrementAndGet();
  }

  /**
   * A sequence for a vehicle about to be added, held as pending until {@link #releaseSeq}: listings stop
   * before the lowest pending one ({@link #horizon}), so a vehicle whose write finishes late is never
   * skipped by a cursor that already moved past a later one.
   */
  public synchronized long reserveSeq() {
    long s = seq.incrementAndGet();
    pending.add(s);
    return s;
  }

  /**
   * Holds {@code given} (drawn from a cluster's shared sequence) as pending, as {@link #reserveSeq()} does with
   * the local counter, which then continues above it.
   */
  public synchronized long reserveSeq(long given) {
    pending.add(given); // before the counter moves: horizon() never passes a sequence still being written
    seq.accumulateAndGet(given, Math::max);
    return given;
  }

  /** Ends a reservation: call after {@link #put(Vehicle)} of that vehicle, or when its add failed. */
  public void releaseSeq(long s) {
    pending.remove(s);
  }

  /**
   * The lowest sequence that may still appear in an index: every vehicle below it is either in the index
   * already or never will be. Read it before scanning an index.
   */
  public synchronized long horizon() {
    Long lowest = pending.ceiling(Long.MIN_VALUE); // one atomic read: releases run outside the lock
    return lowest == null ? seq.get() + 1 : lowest;
  }

  public Vehicle vehicle(String id) {
    return id == null ? null : vehicles.get(id);
  }

  public boolean vehicleIdTaken(String id) {
    return vehicles.containsKey(id) || heldIds.contains(id);
  }

  /** Keeps an id taken while its vehicle is out of the working set (archived). */
  public void holdId(String id) {
    heldIds.add(id);
  }

  public void releaseId(String id) {
    heldIds.remove(id);
  }

  public TelematicsUnit unit(String id) {
    return id == null ? null : units.get(id);
  }

  public Collection<TelematicsUnit> units() {
    return units.values();
  }

  /** The runtime side of a vehicle; null when the vehicle is unknown. */
  public VehicleLive live(String vehicleId) {
    return live.get(vehicleId);
  }

  /** Adds or replaces a vehicle (and indexes it for its owner fleet). */
  public void put(Vehicle v) {
    vehicles.put(v.id(), v);
    live.computeIfAbsent(v.id(), id -> new VehicleLive(v.createdAt()));
    seq.accumulateAndGet(v.seq(), Math::max);
    index(v.fleetId()).put(v.seq(), v.id());
  }

  /** Adds back a vehicle with the runtime side it had (restore); a fresh one when {@code previous} is null. */
  public void put(Vehicle v, VehicleLive previous) {
    if (previous != null) {
      live.put(v.id(), previous);
    }
    put(v);
  }

  /** Replaces a vehicle that is still in the working set; false (and nothing changes) when it is gone. */
  public boolean replace(Vehicle v) {
    return vehicles.computeIfPresent(v.id(), (id, old) -> v) != null;
  }

  public void put(TelematicsUnit unit) {
    units.put(unit.id(), unit);
  }

  /** Replaces a unit that is still attached to the same vehicle; false when it is gone or re-attached. */
  public boolean replace(TelematicsUnit unit) {
    boolean[] replaced = new boolean[1];
    units.computeIfPresent(unit.id(), (id, old) -> {
      replaced[0] = java.util.Objects.equals(old.vehicleId(), unit.vehicleId());
      return replaced[0] ? unit : old;
    });
    return replaced[0];
  }

  /**
   * Gives a unit the keyed verifier derived for its password of {@code credentialVersion}; nothing when the
   * password has changed meanwhile (the new one came with its own verifier) or the unit is gone.
   */
  public void keyedVerifier(String unitId, long credentialVersion, String verifier) {
    units.computeIfPresent(unitId, (id, u) -> u.credentialVersion() == credentialVersion ? u.withKeyedVerifier(verifier) : u);
  }

  /** Removes a unit if it is still attached to {@code vehicleId} (archive). */
  public void removeUnit(String unitId, String vehicleId) {
    units.computeIfPresent(unitId, (id, u) -> vehicleId.equals(u.vehicleId()) ? null : u);
  }

  /** Removes a vehicle from the working set (archive). */
  public void remove(String vehicleId) {
    Vehicle v = vehicles.remove(vehicleId);
    if (v != null) {
      live.remove(vehicleId);
      index(v.fleetId()).remove(v.seq());
    }
  }

  /**
   * Lists a vehicle of another fleet in {@code fleetId}'s index (a sharing with it begins or is scheduled), at
   * its creation sequence, so the partner's pages keep their one stable order. The index may hold more than
   * the fleet may see at a given instant: listings filter every entry through {@link VehicleAccess}.
   */
  public void showTo(String fleetId, String vehicleId, long vehicleSeq) {
    index(fleetId).put(vehicleSeq, vehicleId);
  }

  /** Takes a shared vehicle out of a partner's index again (never a fleet's own vehicle). */
  public void hideFrom(String fleetId, String vehicleId, long vehicleSeq) {
    Vehicle v = vehicles.get(vehicleId);
    if (v != null && fleetId.equals(v.fleetId())) {
      return;
    }
    index(fleetId).remove(vehicleSeq, vehicleId);
  }

  /** Creation sequence → vehicle id of every vehicle a fleet sees, in order (live view; do not modify). */
  public NavigableMap<Long, String> visibleTo(String fleetId) {
    return index(fleetId);
  }

  private NavigableMap<Long, String> index(String fleetId) {
    return visibleByFleet.computeIfAbsent(fleetId, f -> new ConcurrentSkipListMap<>());
  }
}
