package io.fleetgate.store.pg;

import io.fleetgate.config.GatewayConfig;
import io.fleetgate.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/** Opens the PostgreSQL database named by {@code db.url}, builds every store on it and prepares the history partitions. */
public final class PgStores {
  private PgStores() {}

  public static Future<PgStores.Opened> open(Vertx vertx, GatewayConfig config) {
    return PgDatabase.open(vertx, config.db()).compose(db -> {
      PgStateStore states = new PgStateStore(db);
      // the one start-up run of the partition maintenance (retention too): the periodic runs begin an hour later
      long retainFromMs = System.currentTimeMillis() - Duration.ofDays(config.db().historyRetentionDays()).toMillis();
      return states.preparePartitions(retainFromMs).map(v -> new Opened(db, new Stores(
          new PgFleetStore(db),
          new PgVehicleStore(db),
          states,
          new PgSharingStore(db),
          new PgCommandStore(db, config.commands().historyPerVehicle()))));
    });
  }

  /** The database and the stores on it. */
  public record Opened(PgDatabase database, Stores stores) {}
}
