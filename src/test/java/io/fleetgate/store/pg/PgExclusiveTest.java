package io.fleetgate.store.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.TestGateway;
import io.fleetgate.config.GatewayConfig;
import io.fleetgate.store.PgTestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two gateways on one database (two pools, as two cluster nodes have) run a sweep one at a time: the second skips. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PgExclusiveTest {

  @Test
  void secondNodeSkipsWhileTheFirstSweepsAndRunsOnceItIsDone() {
    Vertx vertx = Vertx.vertx();
    try (PgTestDatabase db = PgTestDatabase.create()) {
      GatewayConfig.Db settings = new GatewayConfig.Db(db.url, 4, 5000, 1000, 100_000, 30, 3);
      PgDatabase one = TestGateway.await(PgDatabase.open(vertx, settings));
      PgDatabase two = TestGateway.await(PgDatabase.open(vertx, settings));
      try {
        Promise<String> held = Promise.promise();
        Future<String> first = PgExclusive.orSkip(one, PgExclusive.EVENT_LOG_PURGE, held::future, "skipped");
        // wait until the first holds the lock: the second then skips, whatever it would have done
        TestGateway.eventually("the first holds the lock", () -> db.count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 1);
        assertEquals("skipped", TestGateway.await(PgExclusive.orSkip(two, PgExclusive.EVENT_LOG_PURGE,
            () -> Future.succeededFuture("ran"), "skipped")));
        assertEquals("ran", TestGateway.await(PgExclusive.orSkip(two, PgExclusive.INVITATION_PURGE,
            () -> Future.succeededFuture("ran"), "skipped")), "another sweep's lock is another lock");
        held.complete("ran");
        assertEquals("ran", TestGateway.await(first));
        assertEquals("ran", TestGateway.await(PgExclusive.orSkip(two, PgExclusive.EVENT_LOG_PURGE,
            () -> Future.succeededFuture("ran"), "skipped")), "unlocked when the first was done");
      } finally {
        TestGateway.await(one.close());
        TestGateway.await(two.close());
      }
    } finally {
      TestGateway.await(vertx.close());
    }
  }
}
