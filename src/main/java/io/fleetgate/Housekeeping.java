package io.fleetgate;

import io.fleetgate.events.EventLog;
import io.fleetgate.ops.RateLimiter;
import io.fleetgate.sharing.PartnerService;
import io.fleetgate.vehicle.StateStore;
import io.fleetgate.vehicle.VehicleLifecycle;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * The periodic work of a running gateway: the archive purge (entries past archive.retentionDays), state-history
 * retention (db.historyRetentionDays; on PostgreSQL also the day partitions), event-log retention
 * (events.logRetentionDays), the deletion of expired invitation codes, and the eviction of idle rate-limit
 * buckets. The purges run once at {@link #start()} (whatever expired while the gateway was down), then hourly;
 * state history only hourly (its start-up run is the store's, see {@code PgStores.open}).
 */
final class Housekeeping {
  private static final Logger LOG = Logger.getLogger("fleetgate");
  /** How often expired archive entries are purged and idle rate buckets evicted. */
  static final long PURGE_INTERVAL_MS = Duration.ofHours(1).toMillis();
  static final long EVICT_INTERVAL_MS = Duration.ofMinutes(1).toMillis();

  private final Vertx vertx;
  private final Clock clock;
  private final StateStore states;
  private final int historyRetentionDays;
  private final EventLog eventLog;
  private final int eventLogRetentionDays;
  private final VehicleLifecycle lifecycle;
  private final PartnerService partners;
  private final List<RateLimiter> rateLimiters;
  private final List<Long> timers = new ArrayList<>();

  Housekeeping(Vertx vertx, Clock clock, StateStore states, int historyRetentionDays, EventLog eventLog,
      int eventLogRetentionDays, VehicleLifecycle lifecycle, PartnerService partners, List<RateLimiter> rateLimiters) {
    this.vertx = vertx;
    this.clock = clock;
    this.states = states;
    this.historyRetentionDays = historyRetentionDays;
    this.eventLog = eventLog;
    this.eventLogRetentionDays = eventLogRetentionDays;
    this.lifecycle = lifecycle;
    this.partners = partners;
    this.rateLimiters = List.copyOf(rateLimiters);
  }

  /** Further hourly tasks, added before {@link #start}. */
  private final List<Runnable> extraHourly = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Runs {@code task} every hour once started (e.g. the change feed's retention on a single PostgreSQL node). */
  void hourly(Runnable task) {
    extraHourly.add(task);
  }

  void start() {
    // no history run now: PostgreSQL ran it when the store opened (partitions before any unit is served), and
    // the in-memory history starts empty
    timers.add(vertx.setPeriodic(PURGE_INTERVAL_MS, id -> purgeHistory()));
    purgeEventLog();
    timers.add(vertx.setPeriodic(PURGE_INTERVAL_MS, id -> purgeEventLog()));
    lifecycle.purgeExpired(); // whatever expired while the gateway was down
    timers.add(vertx.setPeriodic(PURGE_INTERVAL_MS, id -> lifecycle.purgeExpired()
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("purged " + n + " archived vehicles past their retention");
          }
        })));
    partners.purgeExpiredInvitations();
    timers.add(vertx.setPeriodic(PURGE_INTERVAL_MS, id -> partners.purgeExpiredInvitations()));
    extraHourly.forEach(task -> timers.add(vertx.setPeriodic(PURGE_INTERVAL_MS, id -> task.run())));
    timers.add(vertx.setPeriodic(EVICT_INTERVAL_MS, id -> rateLimiters.forEach(RateLimiter::evictIdle)));
  }

  void stop() {
    timers.forEach(vertx::cancelTimer);
    timers.clear();
  }

  /**
   * State-history retention (db.historyRetentionDays); on PostgreSQL also the day partitions: the days
   * ahead created, the days past retention dropped.
   */
  private void purgeHistory() {
    long cutoff = System.currentTimeMillis() - Duration.ofDays(historyRetentionDays).toMillis();
    states.purgeHistory(cutoff)
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("deleted " + n + " state-history entries past db.historyRetentionDays");
          }
        })
        .onFailure(e -> LOG.warning("state-history retention failed, retried by the next run: " + e.getMessage()));
  }

  /** Deletes event-log entries past events.logRetentionDays (PostgreSQL; the in-memory ring bounds itself). */
  private void purgeEventLog() {
    long cutoff = clock.millis() - Duration.ofDays(eventLogRetentionDays).toMillis();
    eventLog.purge(cutoff)
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("deleted " + n + " event-log entries past events.logRetentionDays");
          }
        })
        .onFailure(e -> LOG.warning("event-log retention failed, retried by the next run: " + e.getMessage()));
  }
}
