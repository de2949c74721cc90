package io.fleetgate.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A database of its own for one test, created on the local PostgreSQL and dropped afterwards, so that test
 * runs (and the tests of one run) never see each other's rows. The server is found through
 * {@code FLEETGATE_TEST_PG} (default {@code postgresql://postgres@127.0.0.1:5432/test}, trust auth).
 */
public final class PgTestDatabase implements AutoCloseable {
  /** The system property that runs the gateway tests on PostgreSQL instead of in memory. */
  public static final String STORE_PROPERTY = "fleetgate.test.store";

  private static final String ADMIN = System.getenv().getOrDefault("FLEETGATE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test");

  public final String name;
  /** The gateway's {@code db.url} for this database. */
  public final String url;

  private PgTestDatabase(String name) {
    this.name = name;
    this.url = ADMIN.substring(0, ADMIN.lastIndexOf('/') + 1) + name;
  }

  /** Whether this JVM runs the gateway tests on PostgreSQL ({@code -Dfleetgate.test.store=pg}). */
  public static boolean selected() {
    return "pg".equals(System.getProperty(STORE_PROPERTY));
  }

  /** Creates an empty database with a unique name. */
  public static PgTestDatabase create() {
    String name = ("fleetgate_t_" + Long.toString(System.currentTimeMillis(), 36) + "_"
        + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)).toLowerCase(Locale.ROOT);
    admin("CREATE DATABASE " + name);
    return new PgTestDatabase(name);
  }

  /** Runs SQL on this database (e.g. to look at what the gateway wrote). */
  public void execute(String sql) {
    try (Connection c = connect(url); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** The first column of the first row of a query, as a long. */
  public long count(String sql) {
    try (Connection c = connect(url); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /** A JDBC connection to this database, straight (not through a proxy a test put in front of it). */
  public Connection open() throws SQLException {
    return connect(url);
  }

  @Override
  public void close() {
    admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  private static void admin(String sql) {
    try (Connection c = connect(ADMIN); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL for tests (" + ADMIN + "): " + sql + ": " + e.getMessage(), e);
    }
  }

  /** A JDBC connection for a postgresql:// URL of the form the gateway takes. */
  static Connection connect(String url) throws SQLException {
    java.net.URI u = java.net.URI.create(url);
    String user = "postgres";
    String password = null;
    if (u.getUserInfo() != null) {
      String[] parts = u.getUserInfo().split(":", 2);
      user = parts[0];
      password = parts.length > 1 ? parts[1] : null;
    }
    int port = u.getPort() > 0 ? u.getPort() : 5432;
    return DriverManager.getConnection("jdbc:postgresql://" + u.getHost() + ":" + port + u.getPath(), user, password);
  }
}
