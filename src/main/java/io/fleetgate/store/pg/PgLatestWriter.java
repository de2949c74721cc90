package io.fleetgate.store.pg;

import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.VehicleLive;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The latest state written behind: {@link #changed} marks a vehicle (one map entry per vehicle, so bounded
 * by the vehicle count, and a vehicle that changes a thousand times in a window is written once); every
 * {@code db.writeBehindMs} the marked vehicles' current state (all held readings, life status, last
 * contact) is upserted in batches. A failed write marks its vehicles again for the next window. What
 * changed in the last window before a crash is the only thing lost.
 */
final class PgLatestWriter {
  private static final Logger LOG = Logger.getLogger("fleetgate.store");
  static final int MAX_BATCH = 2000;
  static final String UPSERT = "INSERT INTO latest_state (vehicle_id, readings, online, life_modified_at, last_contact_at) "
      + "SELECT * FROM unnest($1::text[], $2::bytea[], $3::bool[], $4::bigint[], $5::bigint[]) "
      + "ON CONFLICT (vehicle_id) DO UPDATE SET readings = excluded.readings, online = excluded.online, "
      + "life_modified_at = excluded.life_modified_at, last_contact_at = excluded.last_contact_at";

  private final PgDatabase db;
  private final ContextInternal context;
  private final long windowMs;
  private final Map<String, VehicleLive> dirty = new ConcurrentHashMap<>();
  private long timer = -1;
  /** The write in progress (one at a time); confined to {@link #context}. */
  private Future<Void> writing = Future.succeededFuture();
  private volatile boolean failing;
  private Timer flushTimer;
  private Counter failedFlushes;

  PgLatestWriter(PgDatabase db, long windowMs) {
    this.db = db;
    this.context = ((VertxInternal) db.vertx).createEventLoopContext();
    this.windowMs = windowMs;
  }

  void bindMetrics(MeterRegistry registry) {
    Gauge.builder("fleetgate_db_latest_pending_vehicles", dirty, Map::size)
        .description("Vehicles whose latest state is not yet written behind to PostgreSQL").register(registry);
    flushTimer = Timer.builder("fleetgate_db_flush").tag("table", "latest_state").register(registry);
    failedFlushes = Counter.builder("fleetgate_db_flush_failures").tag("table", "latest_state").register(registry);
  }

  void start() {
    context.runOnContext(v -> timer = context.setPeriodic(windowMs, id -> flush()));
  }

  /** Hot path: one map lookup when the vehicle is already marked. */
  void changed(String vehicleId, VehicleLive live) {
    if (dirty.get(vehicleId) != live) {
      dirty.put(vehicleId, live);
    }
  }

  /** Forgets a vehicle's mark and waits for a write in progress (so it cannot write the vehicle back). */
  Future<Void> forget(String vehicleId) {
    dirty.remove(vehicleId);
    return onContext(() -> writing.otherwiseEmpty());
  }

  int pending() {
    return dirty.size();
  }

  boolean failing() {
    return failing;
  }

  /** Writes what is marked now (the timer, and the final write at stop). */
  Future<Void> flush() {
    return onContext(() -> {
      writing = writing.otherwiseEmpty().compose(w -> writeMarked());
      return writing;
    });
  }

  /** Stops the timer and writes what is marked. */
  Future<Void> stop() {
    return onContext(() -> {
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
      }
      writing = writing.otherwiseEmpty().compose(w -> writeMarked());
      return writing;
    });
  }

  private <T> Future<T> onContext(java.util.function.Supplier<Future<T>> step) {
    io.vertx.core.Promise<T> p = context.promise();
    context.runOnContext(v -> step.get().onComplete(p));
    return p.future();
  }

  private Future<Void> writeMarked() {
    if (dirty.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<Void>> writes = new ArrayList<>();
    List<String> ids = new ArrayList<>(Math.min(dirty.size(), MAX_BATCH));
    List<VehicleLive> lives = new ArrayList<>(Math.min(dirty.size(), MAX_BATCH));
    for (Map.Entry<String, VehicleLive> e : dirty.entrySet()) {
      // unmark first, then read: a change after the read marks the vehicle again
      if (dirty.remove(e.getKey(), e.getValue())) {
        ids.add(e.getKey());
        lives.add(e.getValue());
      }
      if (ids.size() == MAX_BATCH) {
        writes.add(write(ids, lives));
        ids = new ArrayList<>(MAX_BATCH);
        lives = new ArrayList<>(MAX_BATCH);
      }
    }
    if (!ids.isEmpty()) {
      writes.add(write(ids, lives));
    }
    return Future.join(writes).mapEmpty();
  }

  private Future<Void> write(List<String> ids, List<VehicleLive> lives) {
    int n = ids.size();
    Buffer[] readings = new Buffer[n];
    Boolean[] online = new Boolean[n];
    Long[] lifeModified = new Long[n];
    Long[] lastContact = new Long[n];
    for (int i = 0; i < n; i++) {
      VehicleLive live = lives.get(i);
      readings[i] = PgReadingCodec.encode(live.state.snapshot(Property.allMask()));
      VehicleLive.LifeStatus life = live.lifeStatus();
      online[i] = life.online();
      lifeModified[i] = life.modifiedAt().toEpochMilli();
      Instant contact = live.lastContact();
      lastContact[i] = contact == null ? 0L : contact.toEpochMilli();
    }
    long started = System.nanoTime();
    return db.guard(db.pool.preparedQuery(UPSERT).execute(Tuple.of(ids.toArray(String[]::new), readings, online, lifeModified, lastContact)))
        .<Void>mapEmpty()
        .onComplete(ar -> {
          if (flushTimer != null) {
            flushTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
          }
          if (ar.succeeded()) {
            if (failing) {
              LOG.info("latest state: PostgreSQL " + db.where() + " takes writes again");
            }
            failing = false;
            return;
          }
          if (failedFlushes != null) {
            failedFlushes.increment();
          }
          if (!failing) {
            LOG.warning("latest state: write-behind of " + n + " vehicles failed, retried next window: " + ar.cause().getMessage());
          }
          failing = true;
          for (int i = 0; i < n; i++) {
            dirty.putIfAbsent(ids.get(i), lives.get(i));
          }
        });
  }
}
