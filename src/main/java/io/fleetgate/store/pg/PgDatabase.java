package io.fleetgate.store.pg;

import io.fleetgate.config.ConfigException;
import io.fleetgate.config.GatewayConfig;
import io.fleetgate.ops.ReadinessCheck;
import io.fleetgate.problem.StoreUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.flywaydb.core.Flyway;

/**
 * The PostgreSQL connection of the gateway: one pool of pipelining connections for every store, the schema
 * migrated by Flyway at start-up (over JDBC, on a worker thread), a readiness probe, and the mapping of
 * "the database is not there" failures to {@link StoreUnavailableException}.
 */
public final class PgDatabase {
  private static final Logger LOG = Logger.getLogger("fleetgate.store");
  private static final String SETTING = "db.url (FLEETGATE_DB_URL)";

  public final Vertx vertx;
  public final Pool pool;
  public final GatewayConfig.Db settings;
  private final String where;

  private PgDatabase(Vertx vertx, Pool pool, GatewayConfig.Db settings, String where) {
    this.vertx = vertx;
    this.pool = pool;
    this.settings = settings;
    this.where = where;
  }

  /** Parses the URL, migrates the schema and opens the pool; fails with a {@link ConfigException} naming db.url. */
  public static Future<PgDatabase> open(Vertx vertx, GatewayConfig.Db settings) {
    PgConnectOptions connect;
    try {
      connect = PgConnectOptions.fromUri(settings.url());
    } catch (RuntimeException e) {
      return Future.failedFuture(new ConfigException(SETTING + ": not a usable postgresql:// URL (" + e.getMessage() + ")"));
    }
    connect.setPipeliningLimit(256).setCachePreparedStatements(true);
    // The server gives up on a statement a little before guard() does, so that a write the API answered 503
    // for is rolled back rather than committed late (a lock wait counts too).
    connect.addProperty("statement_timeout", Integer.toString(Math.max(1, settings.timeoutMs() - Math.min(500, settings.timeoutMs() / 5))));
    String where = connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase();
    String jdbc = "jdbc:postgresql://" + connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase();
    return vertx.executeBlocking(() -> migrate(jdbc, connect.getUser(), connect.getPassword(), settings.timeoutMs()), false)
        .recover(e -> Future.failedFuture(new ConfigException(SETTING + ": cannot migrate the schema at " + where + ": " + rootMessage(e))))
        .map(applied -> {
          if (applied > 0) {
            LOG.info("database " + where + ": applied " + applied + " schema migrations");
          }
          Pool pool = PgBuilder.pool()
              .with(new PoolOptions().setMaxSize(settings.poolSize()).setMaxWaitQueueSize(10_000).setName("fleetgate-db")
                  .setConnectionTimeout(settings.timeoutMs()).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
              .connectingTo(connect)
              .using(vertx)
              .build();
          return new PgDatabase(vertx, pool, settings, where);
        });
  }

  private static int migrate(String jdbc, String user, String password, int timeoutMs) {
    java.util.Properties props = new java.util.Properties();
    props.setProperty("connectTimeout", Integer.toString(Math.max(1, timeoutMs / 1000)));
    Flyway flyway = Flyway.configure()
        .dataSource(jdbc + "?connectTimeout=" + Math.max(1, timeoutMs / 1000), user, password)
        .locations("classpath:db/migration")
        .connectRetries(0)
        .load();
    return flyway.migrate().migrationsExecuted;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }

  /** Where the database is (host:port/name, never credentials), for logs and readiness. */
  public String where() {
    return where;
  }

  /** Up when the database answers a trivial query within the timeout. */
  public ReadinessCheck readiness() {
    return ReadinessCheck.of("database", () -> pool.query("SELECT 1").execute()
        .timeout(Math.min(settings.timeoutMs(), 2000), TimeUnit.MILLISECONDS)
        .map(rows -> ReadinessCheck.Result.up("PostgreSQL " + where))
        .otherwise(e -> ReadinessCheck.Result.down("PostgreSQL " + where + " unavailable: " + rootMessage(e))));
  }

  /**
   * A store call with the configured timeout; a failure that is not the database's answer (a lost or refused
   * connection, a timeout) becomes {@link StoreUnavailableException}. A SQL error (a constraint, say) stays
   * as it is, for the store to map.
   */
  public <T> Future<T> guard(Future<T> call) {
    return call.timeout(settings.timeoutMs(), TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(unavailable(e) ? new StoreUnavailableException("PostgreSQL " + where + ": " + rootMessage(e), e) : e));
  }

  /** Whether a failure means the database could not be used (rather than that it refused the statement). */
  public static boolean unavailable(Throwable e) {
    if (e instanceof PgException pg) {
      String state = pg.getSqlState();
      // 08: connection exceptions; 57: operator intervention (shutdown, statement_timeout); 53: insufficient resources
      return state != null && (state.startsWith("08") || state.startsWith("57") || state.startsWith("53"));
    }
    return e instanceof StoreUnavailableException
        || e instanceof java.io.IOException
        || e instanceof java.util.concurrent.TimeoutException
        || e instanceof io.vertx.core.VertxException // closed connection, pool closed, timeouts
        || e instanceof io.netty.channel.ConnectTimeoutException;
  }

  /** Whether a failure is a unique-key violation (SQL state 23505). */
  public static boolean duplicateKey(Throwable e) {
    return e instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  public Future<Void> close() {
    return pool.close();
  }
}
