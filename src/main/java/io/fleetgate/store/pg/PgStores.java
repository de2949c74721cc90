package io.fleetgate.store.pg;

import io.fleetgate.config.GatewayConfig;
import io.fleetgate.store.Stores;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Opens the PostgreSQL database named by {@code db.url} and builds every store on it. */
public final class PgStores {
  private PgStores() {}

  public static Future<PgStores.Opened> open(Vertx vertx, GatewayConfig config) {
    return PgDatabase.open(vertx, config.db()).map(db -> new Opened(db, new Stores(
        new PgFleetStore(db),
        new PgVehicleStore(db),
        new PgStateStore(db),
        new PgSharingStore(db),
        new PgCommandStore(db, config.commands().historyPerVehicle()))));
  }

  /** The database and the stores on it. */
  public record Opened(PgDatabase database, Stores stores) {}
}
