package io.fleetgate.benchmarks;

import io.fleetgate.config.GatewayConfig;
import io.fleetgate.store.pg.PgDatabase;
import io.fleetgate.store.pg.PgStateStore;
import io.fleetgate.vehicle.Reading;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * State-history insert rate against a real PostgreSQL (not JMH: the database is the thing measured). Three
 * ways of writing the same rows, each for a fixed number of rows after a warm-up:
 *
 * <ul>
 *   <li>{@code store}: {@link PgStateStore#record} as the ingest path calls it (encode, buffer, one
 *       {@code INSERT ... SELECT FROM unnest($1, $2, $3)} per batch, each future completed on commit), with
 *       at most {@code window} rows outstanding, like many units waiting for their acks;
 *   <li>{@code unnest}: the same statement, batches of {@code batch} rows issued back to back;
 *   <li>{@code executeBatch}: a single-row {@code INSERT ... VALUES ($1, $2, $3)} through
 *       {@code executeBatch} with {@code batch} tuples per call.
 * </ul>
 *
 * <p>Usage: {@code HistoryInsertRate DB_URL [rows=500000] [batch=4000] [window=50000]}; the database must be
 * empty or migrated by the gateway (the store migrates it).
 */
public final class HistoryInsertRate {
  private HistoryInsertRate() {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 500_000;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 4000;
    int window = args.length > 3 ? Integer.parseInt(args[3]) : 50_000;
    int lanes = args.length > 4 ? Integer.parseInt(args[4]) : 2;
    Vertx vertx = Vertx.vertx();
    try {
      PgDatabase db = await(PgDatabase.open(vertx, new GatewayConfig.Db(url, 8, 30_000, 1000, window * 2, 30)));
      PgStateStore store = new PgStateStore(db, lanes);
      List<Reading> readings = Frames.realistic().readings();
      // warm-up: JIT, prepared statements, table and index pages
      storeRun(store, readings, rows / 5, window);
      batchRun(db, true, readings, rows / 5, batch);
      batchRun(db, false, readings, rows / 5, batch);
      for (int round = 1; round <= 3; round++) {
        report("store, " + lanes + " writers (record → commit)", rows, storeRun(store, readings, rows, window));
        report("unnest, " + batch + " rows/statement", rows, batchRun(db, true, readings, rows, batch));
        report("executeBatch, " + batch + " tuples/call", rows, batchRun(db, false, readings, rows, batch));
      }
      await(store.close());
      await(db.close());
    } finally {
      await(vertx.close());
    }
  }

  private static void report(String what, int rows, long nanos) {
    System.out.printf("%-44s %9d rows in %6.2f s = %,9.0f rows/s%n", what, rows, nanos / 1e9, rows / (nanos / 1e9));
  }

  /** record() with at most {@code window} rows outstanding, 1,000 vehicles round robin. */
  private static long storeRun(PgStateStore store, List<Reading> readings, int rows, int window) throws Exception {
    java.util.concurrent.Semaphore room = new java.util.concurrent.Semaphore(window);
    AtomicLong failed = new AtomicLong();
    CompletableFuture<Void> all = new CompletableFuture<>();
    AtomicLong done = new AtomicLong();
    long t0 = System.nanoTime();
    for (int i = 0; i < rows; i++) {
      room.acquire();
      store.record("bench-" + (i % 1000), Frames.TS + i, readings).onComplete(ar -> {
        if (ar.failed()) {
          failed.incrementAndGet();
        }
        room.release();
        if (done.incrementAndGet() == rows) {
          all.complete(null);
        }
      });
    }
    all.get(10, TimeUnit.MINUTES);
    long t = System.nanoTime() - t0;
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " rows failed");
    }
    return t;
  }

  /** Batches of rows written one after another (one statement in flight). */
  private static long batchRun(PgDatabase db, boolean unnest, List<Reading> readings, int rows, int batch) {
    Buffer encoded = encode(readings);
    long t0 = System.nanoTime();
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < rows; from += batch) {
      int n = Math.min(batch, rows - from);
      int first = from;
      chain = chain.compose(v -> unnest ? unnestBatch(db, encoded, first, n) : executeBatch(db, encoded, first, n));
    }
    await(chain);
    return System.nanoTime() - t0;
  }

  private static Future<Void> unnestBatch(PgDatabase db, Buffer encoded, int first, int n) {
    String[] vehicles = new String[n];
    Long[] times = new Long[n];
    Buffer[] values = new Buffer[n];
    for (int i = 0; i < n; i++) {
      vehicles[i] = "bench-" + ((first + i) % 1000);
      times[i] = Frames.TS + first + i;
      values[i] = encoded;
    }
    return db.pool.preparedQuery("INSERT INTO state_history (vehicle_id, recorded_at, readings) "
        + "SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])").execute(Tuple.of(vehicles, times, values)).mapEmpty();
  }

  private static Future<Void> executeBatch(PgDatabase db, Buffer encoded, int first, int n) {
    List<Tuple> tuples = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      tuples.add(Tuple.of("bench-" + ((first + i) % 1000), Frames.TS + first + i, encoded));
    }
    return db.pool.preparedQuery("INSERT INTO state_history (vehicle_id, recorded_at, readings) VALUES ($1, $2, $3)")
        .executeBatch(tuples).mapEmpty();
  }

  /** The store's own encoding, through a one-row round trip of the codec's output size (as stored). */
  private static Buffer encode(List<Reading> readings) {
    // the codec is internal to the store; a buffer of the same size and layout cost is what the table sees
    int size = 1;
    for (Reading r : readings) {
      size += 9 + switch (r.property().kind) {
        case POSITION -> 16;
        case NUMBER -> 8;
        case ENUM, BOOLEAN -> 1;
      };
    }
    return Buffer.buffer(new byte[size]);
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
