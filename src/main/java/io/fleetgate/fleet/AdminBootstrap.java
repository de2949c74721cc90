package io.fleetgate.fleet;

import io.fleetgate.auth.Permission;
import io.fleetgate.auth.SecretVerifier;
import io.fleetgate.config.ConfigException;
import io.fleetgate.config.GatewayConfig;
import io.fleetgate.problem.DuplicateKeyException;
import io.vertx.core.Future;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;

/**
 * Ensures a platform administrator exists at start-up: the configured one (admin.clientId, created or its
 * secret refreshed), or, when none is configured and none exists, a generated one printed once.
 */
public final class AdminBootstrap {
  private final FleetStore store;
  private final FleetDirectory directory;
  private final SecretVerifier secrets;

  public AdminBootstrap(FleetStore store, FleetDirectory directory, SecretVerifier secrets) {
    this.store = store;
    this.directory = directory;
    this.secrets = secrets;
  }

  /** Runs once the working set (the directory) is loaded. Fails with a {@link ConfigException} for a fleet client's id. */
  public Future<Void> ensure(GatewayConfig.Admin config) {
    String id = config.clientId();
    String secret = config.clientSecret();
    boolean generated = false;
    if (id == null) {
      if (directory.hasPlatformAdmin()) {
        return Future.succeededFuture();
      }
      id = "admin-" + randomToken(6);
      secret = randomToken(24);
      generated = true;
    }
    ApiClient existing = directory.client(id);
    if (existing != null && !existing.isPlatform()) {
      return Future.failedFuture(new ConfigException("admin.clientId (FLEETGATE_ADMIN_CLIENT_ID): '" + id + "' is a fleet client, not a platform client"));
    }
    String clientId = id;
    String clientSecret = secret;
    boolean print = generated;
    return secrets.hash(clientSecret).compose(hash -> {
      ApiClient admin = new ApiClient(clientId, null, "administrator", EnumSet.of(Permission.ADMIN), hash,
          existing != null ? existing.createdAt() : Instant.now());
      // two nodes of a cluster starting at once both find no configured administrator: the second insert
      // meets the first one's row and refreshes it instead (same id, same configured secret)
      Future<Void> write = existing != null ? store.replaceClient(admin) : store.insertClient(admin)
          .recover(e -> e instanceof DuplicateKeyException && !print ? store.replaceClient(admin) : Future.failedFuture(e));
      return write.map(v -> {
        directory.put(admin);
        if (print) {
          System.out.println("Generated the first platform administrator (shown once, store it now):");
          System.out.println("  client_id:     " + clientId);
          System.out.println("  client_secret: " + clientSecret);
        }
        return null;
      });
    });
  }

  private static String randomToken(int bytes) {
    byte[] b = new byte[bytes];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
