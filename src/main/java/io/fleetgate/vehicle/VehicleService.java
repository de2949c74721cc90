package io.fleetgate.vehicle;

import io.fleetgate.auth.Principal;
import io.fleetgate.problem.DuplicateKeyException;
import io.fleetgate.problem.Problems;
import io.fleetgate.support.SeqSource;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Adding, reading, listing and changing vehicles and reading their units, for one calling fleet. Inputs
 * arrive validated (shape and limits); this class applies the rules that need the working set: access (via
 * {@link VehicleAccess}), the catalog, unique ids. Writes go to the store first and reach the working set
 * only once the store accepted them.
 */
public final class VehicleService {
  /** Attempts at a random vehicle id that the store has not seen before giving up. */
  static final int ID_ATTEMPTS = 8;
  public static final String DEFAULT_OPERATION_STATUS = "OPERATING";

  private final VehicleRegistry registry;
  private final VehicleStore store;
  private final StateStore states;
  private final UnitCredential.Issuer credentials;
  private final VehicleCatalog catalog;
  private final VehicleAccess access;
  private final VehicleIds ids;
  private final Clock clock;
  private final VehicleEvents events;
  private final LiveReads liveReads;
  /** The cluster's shared creation sequence; null: this process counts alone (the registry's counter). */
  private final SeqSource sharedSeqs;

  /**
   * @param credentials hashes a unit password off the event loop and derives its keyed verifier
   */
  public VehicleService(VehicleRegistry registry, VehicleStore store, StateStore states,
      UnitCredential.Issuer credentials, VehicleCatalog catalog, VehicleAccess access, VehicleIds ids, Clock clock) {
    this(registry, store, states, credentials, catalog, access, ids, clock, VehicleEvents.NONE, LiveReads.LOCAL);
  }

  /**
   * @param events told of every vehicle added and every patch that changed something
   * @param liveReads where latest state and life status of a unit connected to another node are read (a cluster)
   */
  public VehicleService(VehicleRegistry registry, VehicleStore store, StateStore states,
      UnitCredential.Issuer credentials, VehicleCatalog catalog, VehicleAccess access, VehicleIds ids, Clock clock,
      VehicleEvents events, LiveReads liveReads) {
    this(registry, store, states, credentials, catalog, access, ids, clock, events, liveReads, null);
  }

  /** @param sharedSeqs the creation sequence every node of a cluster draws from; null for a single node */
  public VehicleService(VehicleRegistry registry, VehicleStore store, StateStore states,
      UnitCredential.Issuer credentials, VehicleCatalog catalog, VehicleAccess access, VehicleIds ids, Clock clock,
      VehicleEvents events, LiveReads liveReads, SeqSource sharedSeqs) {
    this.sharedSeqs = sharedSeqs;
    this.events = events;
    this.liveReads = liveReads;
    this.registry = registry;
    this.store = store;
    this.states = states;
    this.credentials = credentials;
    this.catalog = catalog;
    this.access = access;
    this.ids = ids;
    this.clock = clock;
  }

  public VehicleAccess access() {
    return access;
  }

  /**
   * Adds a vehicle with its unit to the caller's fleet. 400 unknown model, 409 unit already attached or
   * reserved by an archived vehicle (of any fleet, the caller's too: its restore must stay possible).
   */
  public Future<Vehicle> add(Principal principal, NewVehicle in) {
    String fleetId = owningFleet(principal);
    Map<String, String> masterData = new LinkedHashMap<>(in.masterData());
    Capabilities capabilities = in.capabilities();
    if (in.vehicleModelId() != null) {
      VehicleModel model = catalog.model(in.vehicleModelId());
      if (model == null) {
        throw Problems.validation("/vehicle_model_id", "unknown vehicle model '" + in.vehicleModelId() + "'");
      }
      capabilities = model.capabilities();
      masterData.putIfAbsent("vehicle_type", model.vehicleType());
      masterData.putIfAbsent("brand", model.brand());
      masterData.putIfAbsent("model", model.model());
    }
    if (registry.unit(in.unit().id()) != null) {
      throw unitTaken(in.unit().id());
    }
    Capabilities caps = capabilities;
    return credentials.issue(in.unit().id(), in.unit().password())
        .compose(credential -> insert(fleetId, in, caps, Collections.unmodifiableMap(masterData), credential, 1));
  }

  private Future<Vehicle> insert(String fleetId, NewVehicle in, Capabilities caps, Map<String, String> masterData,
      UnitCredential credential, int attempt) {
    String id = freeId();
    if (sharedSeqs == null) {
      return insert(fleetId, in, caps, masterData, credential, attempt, id, registry.reserveSeq());
    }
    return sharedSeqs.next().compose(seq -> insert(fleetId, in, caps, masterData, credential, attempt, id, registry.reserveSeq(seq)));
  }

  private Future<Vehicle> insert(String fleetId, NewVehicle in, Capabilities caps, Map<String, String> masterData,
      UnitCredential credential, int attempt, String id, long seq) {
    Instant now = clock.instant();
    String status = in.operationStatus() != null ? in.operationStatus() : DEFAULT_OPERATION_STATUS;
    Vehicle vehicle = new Vehicle(id, seq, fleetId, in.unit().id(), now, now, now, masterData,
        Collections.unmodifiableMap(new LinkedHashMap<>(in.customFields())), List.copyOf(in.tags()), status, now, caps);
    NewVehicle.Unit u = in.unit();
    TelematicsUnit unit = new TelematicsUnit(u.id(), u.brand(), u.model(), u.manufacturer(), u.type(), fleetId, id,
        credential.hash(), 1, now, now, credential.keyedVerifier());
    return store.insertVehicle(vehicle, unit)
        .map(v -> {
          registry.put(unit);
          registry.put(vehicle);
          events.added(vehicle);
          return vehicle;
        })
        .andThen(ar -> registry.releaseSeq(seq))
        .recover(e -> {
          if (e instanceof DuplicateKeyException d && DuplicateKeyException.TELEMATICS_UNIT.equals(d.kind)) {
            return Future.failedFuture(unitTaken(u.id()));
          }
          if (e instanceof DuplicateKeyException d && DuplicateKeyException.VEHICLE.equals(d.kind) && attempt < ID_ATTEMPTS) {
            return insert(fleetId, in, caps, masterData, credential, attempt + 1);
          }
          return Future.failedFuture(e);
        });
  }

  /** A random id not in the working set (the store has the last word: a clash there is retried). */
  private String freeId() {
    for (int i = 0; i < ID_ATTEMPTS; i++) {
      String id = ids.next();
      if (!registry.vehicleIdTaken(id)) {
        return id;
      }
    }
    throw Problems.serviceUnavailable("no free vehicle id found; try again", 1);
  }

  private static RuntimeException unitTaken(String unitId) {
    return Problems.conflict("telematics unit '" + unitId + "' is already attached to a vehicle, or reserved by an archived"
        + " vehicle until it is restored or purged");
  }

  /** A vehicle the caller may read; 404 otherwise. */
  public Vehicle get(Principal principal, String vehicleId) {
    Vehicle v = registry.vehicle(normalize(vehicleId));
    access.requireRead(principal, v);
    return v;
  }

  /** Applies a merge patch to a vehicle the caller may modify; stored before the working set changes. */
  public Future<Vehicle> patch(Principal principal, String vehicleId, VehiclePatch patch) {
    Vehicle current = registry.vehicle(normalize(vehicleId));
    access.requireModify(principal, current);
    Vehicle updated = apply(current, patch, clock.instant());
    return store.updateVehicle(updated).map(v -> {
      if (!registry.replace(updated)) {
        throw Problems.notFound("vehicle"); // archived while the patch was stored
      }
      List<VehicleEvents.Reason> reasons = reasons(current, updated);
      if (!reasons.isEmpty()) {
        events.changed(updated, reasons);
      }
      return updated;
    });
  }

  /** What a patch changed, as VehicleChanged reasons (empty: nothing). */
  static List<VehicleEvents.Reason> reasons(Vehicle before, Vehicle after) {
    List<VehicleEvents.Reason> out = new java.util.ArrayList<>(2);
    if (!before.masterData().equals(after.masterData()) || !before.customFields().equals(after.customFields())
        || !before.tags().equals(after.tags())) {
      out.add(VehicleEvents.Reason.MASTER_DATA_CHANGED);
    }
    if (!java.util.Objects.equals(before.operationStatus(), after.operationStatus())) {
      out.add(VehicleEvents.Reason.OPERATION_STATUS_CHANGED);
    }
    return out;
  }

  /** The vehicle after a merge patch (pure). 400 when the merged custom fields exceed their bound. */
  static Vehicle apply(Vehicle v, VehiclePatch patch, Instant now) {
    Map<String, String> masterData = merge(patch.clearMasterData() ? Map.of() : v.masterData(), patch.masterData());
    Map<String, String> customFields = merge(patch.clearCustomFields() ? Map.of() : v.customFields(), patch.customFields());
    if (customFields.size() > MasterData.CUSTOM_FIELDS_MAX) {
      throw Problems.validation("/custom_fields", "a vehicle has at most " + MasterData.CUSTOM_FIELDS_MAX + " custom fields");
    }
    List<String> tags = patch.tags() != null ? List.copyOf(new LinkedHashSet<>(patch.tags())) : v.tags();
    String status = v.operationStatus();
    Instant statusAt = v.operationStatusModifiedAt();
    if (patch.operationStatus() != null && !patch.operationStatus().equals(status)) {
      status = patch.operationStatus();
      statusAt = now;
    }
    return v.withData(masterData, customFields, tags, status, statusAt, now);
  }

  private static Map<String, String> merge(Map<String, String> base, Map<String, String> patch) {
    Map<String, String> out = new LinkedHashMap<>(base);
    if (patch != null) {
      patch.forEach((k, value) -> {
        if (value == null) {
          out.remove(k);
        } else {
          out.put(k, value);
        }
      });
    }
    return Collections.unmodifiableMap(out);
  }

  /** A page of the vehicles the caller sees, in creation order. */
  public KeysetPage<Vehicle> list(Principal principal, VehicleFilter filter, KeysetPage.Position at, int limit) {
    String fleetId = principal.fleetId();
    if (fleetId == null) {
      return new KeysetPage<>(List.of(), null, null);
    }
    long horizon = registry.horizon();
    return KeysetPage.of(registry.visibleTo(fleetId), horizon, at, limit, id -> {
      Vehicle v = registry.vehicle(id);
      if (v == null || access.of(fleetId, v) == VehicleAccess.Access.NONE) {
        return null;
      }
      if (filter.sharing() != null && !access.matches(fleetId, v, filter.sharing())) {
        return null;
      }
      return filter.matches(v, registry.live(id)) ? v : null;
    });
  }

  /**
   * The latest readings of a readable vehicle, within its capabilities, in property order: as the unit's node
   * has them (see {@link #liveNow}).
   */
  public Future<List<Reading>> latestState(Principal principal, String vehicleId) {
    Vehicle v = get(principal, vehicleId);
    return liveNow(v).map(live -> live == null ? List.of() : live.state.snapshot(v.capabilities().stateMask()));
  }

  /**
   * The live side of a vehicle (latest state, life status, last contact) as the node holding its unit's session
   * has it: this node's working set, or in a cluster the unit's node when that is another one.
   */
  public Future<VehicleLive> liveNow(Vehicle v) {
    return liveReads.remote(List.of(v)).map(remote -> {
      VehicleLive live = remote.get(v.id());
      return live != null ? live : registry.live(v.id());
    });
  }

  /** {@link #liveNow(Vehicle)} of several vehicles (one request per other node at most); vehicle id → live side. */
  public Future<Map<String, VehicleLive>> liveNow(List<Vehicle> vehicles) {
    return liveReads.remote(vehicles).map(remote -> {
      Map<String, VehicleLive> out = new HashMap<>();
      for (Vehicle v : vehicles) {
        VehicleLive live = remote.get(v.id());
        out.put(v.id(), live != null ? live : registry.live(v.id()));
      }
      return out;
    });
  }

  /**
   * Recorded states of a readable vehicle, newest first, with {@code fromMs <= recorded_at <= toMs} and
   * entry id below {@code beforeId}.
   */
  public Future<HistoryPage> history(Principal principal, String vehicleId, long fromMs, long toMs, long beforeId, int limit) {
    Vehicle v = get(principal, vehicleId);
    return states.history(v.id(), fromMs, toMs, beforeId, limit + 1).map(entries -> {
      int mask = v.capabilities().stateMask();
      List<HistoryEntry> items = new ArrayList<>(Math.min(limit, entries.size()));
      for (int i = 0; i < entries.size() && i < limit; i++) {
        HistoryEntry e = entries.get(i);
        List<Reading> within = e.readings().stream().filter(r -> (r.property().bit & mask) != 0).toList();
        items.add(new HistoryEntry(e.id(), e.recordedAtMs(), within));
      }
      Long next = entries.size() > limit ? items.get(items.size() - 1).id() : null;
      return new HistoryPage(v, items, next);
    });
  }

  /** A page of history; {@code nextBeforeId} continues with older entries, null when there are none. */
  public record HistoryPage(Vehicle vehicle, List<HistoryEntry> items, Long nextBeforeId) {}

  /** A page of the caller's own telematics units, in the creation order of their vehicles. */
  public KeysetPage<TelematicsUnit> units(Principal principal, KeysetPage.Position at, int limit) {
    String fleetId = principal.fleetId();
    if (fleetId == null) {
      return new KeysetPage<>(List.of(), null, null);
    }
    long horizon = registry.horizon();
    return KeysetPage.of(registry.visibleTo(fleetId), horizon, at, limit, id -> {
      Vehicle v = registry.vehicle(id);
      TelematicsUnit u = v == null ? null : registry.unit(v.unitId());
      return u != null && fleetId.equals(u.fleetId()) ? u : null;
    });
  }

  /** One of the caller's own units; 404 for any other. */
  public TelematicsUnit unit(Principal principal, String unitId) {
    TelematicsUnit u = registry.unit(unitId);
    if (u == null || principal.fleetId() == null || !principal.fleetId().equals(u.fleetId())) {
      throw Problems.notFound("telematics unit");
    }
    return u;
  }

  /** The vehicle of a unit (for rendering), or null. */
  public Vehicle vehicleOf(TelematicsUnit unit) {
    return registry.vehicle(unit.vehicleId());
  }

  public VehicleLive live(Vehicle v) {
    return registry.live(v.id());
  }

  public TelematicsUnit unitOf(Vehicle v) {
    return registry.unit(v.unitId());
  }

  private static String owningFleet(Principal principal) {
    if (principal.fleetId() == null) {
      throw Problems.forbiddenResource("platform clients do not own vehicles");
    }
    return principal.fleetId();
  }

  /** Crockford ids are case-insensitive: lookups use the canonical upper case. */
  public static String normalize(String vehicleId) {
    return vehicleId == null || vehicleId.length() != VehicleIds.LENGTH ? null : vehicleId.toUpperCase(Locale.ROOT);
  }
}
