package io.fleetgate.sharing;

import io.fleetgate.access.AccessSnapshot;
import io.fleetgate.access.Sharing;
import io.fleetgate.access.SharingIndex;
import io.fleetgate.auth.Principal;
import io.fleetgate.fleet.Fleet;
import io.fleetgate.fleet.FleetDirectory;
import io.fleetgate.problem.DuplicateKeyException;
import io.fleetgate.problem.ProblemException;
import io.fleetgate.problem.Problems;
import io.fleetgate.vehicle.Vehicle;
import io.fleetgate.vehicle.VehicleAccess;
import io.fleetgate.vehicle.VehicleRegistry;
import io.fleetgate.vehicle.VehicleService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starting, changing and ending vehicle sharings (FleetShare). Every change is stored first, then swapped
 * into the {@link SharingIndex} (what access checks read), then mirrored in the partner's listing index,
 * then reported to the {@link SharingListener}s. A timer per sharing starts and ends it on time; the access
 * check compares the time itself, so a late timer never grants or extends access.
 */
public final class SharingService {
  private static final Logger LOG = Logger.getLogger(SharingService.class.getName());
  /** Longest single timer; a later start or end re-arms on wake-up. */
  static final long MAX_TIMER_MS = 24L * 3600 * 1000;
  /** How soon a start or end the store could not take is tried again (the access check needs no timer). */
  static final long RETRY_MS = 5_000;
  /** How far ahead a sharing may be scheduled. */
  public static final long MAX_SCHEDULE_AHEAD_MS = 366L * 24 * 3600 * 1000;

  private final Vertx vertx;
  private final SharingStore store;
  private final SharingIndex index;
  private final VehicleRegistry registry;
  private final VehicleAccess access;
  private final FleetDirectory directory;
  private final List<SharingListener> listeners;
  private final Clock clock;
  private final AtomicLong ids = new AtomicLong();
  /** The cluster's shared sharing ids; null: {@link #ids} alone. */
  private final io.fleetgate.support.SeqSource sharedIds;
  /** Vehicle id → its pending timer. */
  private final Map<String, Long> timers = new ConcurrentHashMap<>();

  /**
   * @param listeners read at every event (the composition root may add to it after construction)
   */
  public SharingService(Vertx vertx, SharingStore store, SharingIndex index, VehicleRegistry registry,
      VehicleAccess access, FleetDirectory directory, List<SharingListener> listeners, Clock clock) {
    this(vertx, store, index, registry, access, directory, listeners, clock, null);
  }

  /** @param sharedIds the sharing ids every node of a cluster draws from; null for a single node */
  public SharingService(Vertx vertx, SharingStore store, SharingIndex index, VehicleRegistry registry,
      VehicleAccess access, FleetDirectory directory, List<SharingListener> listeners, Clock clock,
      io.fleetgate.support.SeqSource sharedIds) {
    this.sharedIds = sharedIds;
    this.vertx = vertx;
    this.store = store;
    this.index = index;
    this.registry = registry;
    this.access = access;
    this.directory = directory;
    this.listeners = listeners;
    this.clock = clock;
  }

  /** Loads stored sharings into the working set (start-up): indexes them and arms their timers. */
  public void load(List<Sharing> stored) {
    for (Sharing s : stored) {
      ids.accumulateAndGet(s.id(), Math::max);
      index.update(snap -> snap.withSharing(s));
      registry.showTo(s.partnerFleetId(), s.vehicleId(), s.vehicleSeq());
      tick(s.vehicleId(), s.id());
    }
  }

  /**
   * Shares a vehicle of the caller with a partner fleet. {@code startsAt} null = now (a past one is taken as
   * now); {@code endsAt} null = open end. 404/403 by access; 400 bad times; 409 not-a-partner or
   * already-shared.
   */
  public Future<Vehicle> start(Principal principal, String vehicleId, String partnerFleetId, Instant startsAt,
      Instant endsAt) {
    Vehicle v = registry.vehicle(VehicleService.normalize(vehicleId));
    access.requireShare(principal, v);
    long now = clock.millis();
    long starts = startsAt == null ? now : Math.max(now, startsAt.toEpochMilli());
    long ends = endsAt == null ? Sharing.OPEN : endsAt.toEpochMilli();
    if (startsAt != null && startsAt.toEpochMilli() - now > MAX_SCHEDULE_AHEAD_MS) {
      throw Problems.validation("/starts_at", "must be at most 366 days ahead");
    }
    checkEnd(ends, starts, now);
    String owner = v.fleetId();
    if (owner.equals(partnerFleetId) || index.current().partnership(owner, partnerFleetId) == null) {
      throw notAPartner(partnerFleetId);
    }
    Sharing existing = index.current().sharing(v.id());
    if (existing != null && !existing.endedAt(now)) {
      throw alreadyShared();
    }
    Future<Void> cleared = existing == null ? Future.succeededFuture() : end(existing, SharingListener.Reason.EXPIRED);
    // one that starts now is stored as started and reported before the answer, like any other change
    boolean startsNow = starts <= now;
    Future<Long> id = sharedIds == null ? Future.succeededFuture(ids.incrementAndGet())
        : sharedIds.next().andThen(ar -> {
          if (ar.succeeded()) {
            ids.accumulateAndGet(ar.result(), Math::max);
          }
        });
    return id.compose(sid -> {
      Sharing s = new Sharing(sid, v.id(), v.seq(), owner, partnerFleetId, starts, ends, startsNow, clock.instant());
      return cleared.compose(x -> store.insertSharing(s))
        .recover(e -> Future.failedFuture(e instanceof DuplicateKeyException ? alreadyShared() : e))
        .map(x -> {
          index.update(snap -> snap.withSharing(s));
          registry.showTo(partnerFleetId, v.id(), v.seq());
          if (startsNow) {
            notify(l -> l.sharingStarted(v.id(), owner, partnerFleetId));
          }
          tick(v.id(), s.id());
          return v;
        });
    });
  }

  /** Changes the end of the vehicle's active or scheduled sharing (owner only); null = open end. */
  public Future<Vehicle> changeEnd(Principal principal, String vehicleId, Instant endsAt) {
    Vehicle v = registry.vehicle(VehicleService.normalize(vehicleId));
    access.requireShare(principal, v);
    Sharing s = access.current(v);
    if (s == null) {
      throw Problems.notFound("sharing");
    }
    long ends = endsAt == null ? Sharing.OPEN : endsAt.toEpochMilli();
    checkEnd(ends, s.startsAtMs(), clock.millis());
    Sharing changed = s.withEnd(ends);
    return store.updateSharing(changed).map(x -> {
      AccessSnapshot after = index.update(snap -> snap.sharing(v.id()) != null && snap.sharing(v.id()).id() == s.id()
          ? snap.withSharing(snap.sharing(v.id()).withEnd(ends)) : snap);
      if (after.sharing(v.id()) == null || after.sharing(v.id()).id() != s.id()) {
        throw Problems.notFound("sharing"); // ended meanwhile
      }
      tick(v.id(), s.id());
      return v;
    });
  }

  /** The owner ends (or cancels a scheduled) sharing: 404 when there is none. */
  public Future<Void> endByOwner(Principal principal, String vehicleId) {
    Vehicle v = registry.vehicle(VehicleService.normalize(vehicleId));
    access.requireEndAsOwner(principal, v);
    Sharing s = access.current(v);
    if (s == null) {
      throw Problems.notFound("sharing");
    }
    return end(s, SharingListener.Reason.ENDED_BY_OWNER);
  }

  /** The partner ends an active sharing (only a partner sees the vehicle at all). */
  public Future<Void> endByPartner(Principal principal, String vehicleId) {
    Vehicle v = registry.vehicle(VehicleService.normalize(vehicleId));
    access.requireEndAsPartner(principal, v);
    return end(access.current(v), SharingListener.Reason.ENDED_BY_PARTNER);
  }

  /** Ends every sharing between two fleets, either direction, active or scheduled (their partnership ended). */
  public Future<Void> endBetween(String fleetA, String fleetB) {
    List<Future<Void>> ends = new ArrayList<>();
    for (Sharing s : index.current().sharings()) {
      if (s.between(fleetA, fleetB)) {
        ends.add(end(s, SharingListener.Reason.PARTNERSHIP_ENDED));
      }
    }
    return Future.all(ends).mapEmpty();
  }

  /**
   * Takes the vehicle's sharing as the store holds it now, changed through another node (cluster change feed):
   * null = none. No store write, no listener told and no timer armed (the node that made the change did
   * those); the access check compares the times itself, so a partner's access starts and ends on time here.
   */
  public void applyStored(String vehicleId, Sharing stored) {
    Sharing current = index.current().sharing(vehicleId);
    if (current != null && (stored == null || stored.id() != current.id())) {
      index.update(snap -> snap.withoutSharing(vehicleId, current.id()));
      registry.hideFrom(current.partnerFleetId(), vehicleId, current.vehicleSeq());
      Long timer = timers.remove(vehicleId);
      if (timer != null) {
        vertx.cancelTimer(timer);
      }
    }
    if (stored != null) {
      ids.accumulateAndGet(stored.id(), Math::max);
      index.update(snap -> snap.withSharing(stored));
      registry.showTo(stored.partnerFleetId(), vehicleId, stored.vehicleSeq());
    }
  }

  /** The vehicle's {@code sharing} as {@code fleetId} sees it, or null (no sharing, or none this fleet may see). */
  public SharingView view(String fleetId, Vehicle v) {
    Sharing s = access.current(v);
    if (s == null || fleetId == null) {
      return null;
    }
    long now = clock.millis();
    String status;
    if (fleetId.equals(s.ownerFleetId())) {
      status = s.scheduledAt(now) ? SharingView.SHARING_SCHEDULED : SharingView.SHARED_OWN_VEHICLE;
    } else if (fleetId.equals(s.partnerFleetId()) && s.activeAt(now)) {
      status = SharingView.SHARED_PARTNER_VEHICLE;
    } else {
      return null;
    }
    return new SharingView(status, ref(s.ownerFleetId()), ref(s.partnerFleetId()), s.startsAt(), s.endsAt());
  }

  private SharingView.FleetRef ref(String fleetId) {
    Fleet f = directory.fleet(fleetId);
    return new SharingView.FleetRef(fleetId, f == null ? fleetId : f.name());
  }

  private static void checkEnd(long ends, long starts, long now) {
    if (ends != Sharing.OPEN && (ends <= now || ends <= starts)) {
      throw Problems.validation("/ends_at", "must be in the future and after starts_at");
    }
  }

  /** Removes a sharing everywhere and, if it had started, tells the listeners. Idempotent. */
  private Future<Void> end(Sharing s, SharingListener.Reason reason) {
    return store.deleteSharing(s.vehicleId(), s.id()).map(removed -> {
      AccessSnapshot before = index.current();
      Sharing current = before.sharing(s.vehicleId());
      index.update(snap -> snap.withoutSharing(s.vehicleId(), s.id()));
      registry.hideFrom(s.partnerFleetId(), s.vehicleId(), s.vehicleSeq());
      Long timer = timers.remove(s.vehicleId());
      if (timer != null) {
        vertx.cancelTimer(timer);
      }
      boolean started = current != null && current.id() == s.id() ? current.started() : s.started();
      if (removed && started) {
        notify(l -> l.sharingEnded(s.vehicleId(), s.ownerFleetId(), s.partnerFleetId(), reason));
      }
      return null;
    });
  }

  /**
   * Brings a sharing up to date with the clock — start it, end it — and arms the timer for its next event.
   * Run at every change and by the timers; does nothing for a sharing that has been replaced meanwhile.
   */
  private void tick(String vehicleId, long sharingId) {
    Sharing s = index.current().sharing(vehicleId);
    if (s == null || s.id() != sharingId) {
      return;
    }
    long now = clock.millis();
    if (s.endedAt(now)) {
      end(s, SharingListener.Reason.EXPIRED).onFailure(e -> {
        LOG.log(Level.WARNING, "ending an expired sharing failed, trying again", e);
        arm(vehicleId, sharingId, clock.millis() + RETRY_MS);
      });
      return;
    }
    if (!s.started() && s.activeAt(now)) {
      // conditional: where several nodes hold this sharing, only the one whose update marked it reports the start
      store.markStarted(vehicleId, sharingId).onSuccess(won -> {
        AccessSnapshot after = index.update(snap -> snap.sharing(vehicleId) != null && snap.sharing(vehicleId).id() == sharingId
            ? snap.withSharing(snap.sharing(vehicleId).markStarted()) : snap);
        Sharing now2 = after.sharing(vehicleId);
        if (now2 != null && now2.id() == sharingId) {
          if (won) {
            notify(l -> l.sharingStarted(vehicleId, s.ownerFleetId(), s.partnerFleetId()));
          }
          arm(vehicleId, sharingId, now2.endsAtMs());
        }
      }).onFailure(e -> {
        LOG.log(Level.WARNING, "starting a scheduled sharing failed, trying again", e);
        arm(vehicleId, sharingId, clock.millis() + RETRY_MS);
      });
      return;
    }
    arm(vehicleId, sharingId, s.started() ? s.endsAtMs() : s.startsAtMs());
  }

  private void arm(String vehicleId, long sharingId, long atMs) {
    Long old = timers.remove(vehicleId);
    if (old != null) {
      vertx.cancelTimer(old);
    }
    if (atMs == Sharing.OPEN) {
      return;
    }
    long delay = Math.max(1, Math.min(atMs - clock.millis(), MAX_TIMER_MS));
    long[] self = new long[1];
    self[0] = vertx.setTimer(delay, t -> {
      timers.remove(vehicleId, self[0]);
      tick(vehicleId, sharingId);
    });
    timers.put(vehicleId, self[0]);
  }

  private void notify(java.util.function.Consumer<SharingListener> event) {
    for (SharingListener l : listeners) {
      try {
        event.accept(l);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a sharing listener failed", e);
      }
    }
  }

  static ProblemException notAPartner(String fleetId) {
    return Problems.of(409, "sharing/not-a-partner", "Not a partner",
        "fleet '" + fleetId + "' is not a sharing partner of this fleet");
  }

  static ProblemException alreadyShared() {
    return Problems.of(409, "sharing/already-shared", "Already shared",
        "the vehicle already has an active or scheduled sharing; change its ends_at or end it first");
  }
}
