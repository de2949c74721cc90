package io.fleetgate.fleet;

import io.fleetgate.auth.ClientRevocationListener;
import io.fleetgate.auth.Permission;
import io.fleetgate.auth.SecretVerifier;
import io.fleetgate.problem.DuplicateKeyException;
import io.fleetgate.problem.Problems;
import io.vertx.core.Future;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Platform administration: fleets and their API clients. Every write goes to the store first; only when it
 * succeeded is the in-memory {@link FleetDirectory} updated (and the caller answered). Inputs arrive already
 * checked for shape (types, lengths, id pattern) by the API; the rules here are the ones that need state.
 */
public final class AdminService {
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
  /** 128 bits: a client id is not a secret, but it must not be guessable either. */
  private static final int CLIENT_ID_BYTES = 16;
  /** 256 bits of secret, shown once, stored only as its Argon2id hash. */
  private static final int SECRET_BYTES = 32;

  private final FleetStore store;
  private final FleetDirectory directory;
  private final SecretVerifier secrets;
  /** Ends what a deleted client holds open (its event streams). */
  private final ClientRevocationListener revocations;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /** A newly created client with its secret in clear: the one moment it exists outside the caller's hands. */
  public record NewClient(ApiClient client, String secret) {}

  /**
   * One page of fleets in id order, and whether there is anything before its first or after its last item.
   */
  public record FleetPage(List<Fleet> items, boolean hasPrev, boolean hasNext) {}

  public AdminService(FleetStore store, FleetDirectory directory, SecretVerifier secrets,
      ClientRevocationListener revocations, Clock clock) {
    this.store = store;
    this.directory = directory;
    this.secrets = secrets;
    this.revocations = revocations;
    this.clock = clock;
  }

  /** Creates a fleet; 409 conflict when the id is taken (decided by the store, so two racing creates cannot both win). */
  public Future<Fleet> createFleet(String fleetId, String name) {
    Instant now = now();
    Fleet fleet = new Fleet(fleetId, name, now, now);
    return store.insertFleet(fleet)
        .recover(e -> Future.failedFuture(e instanceof DuplicateKeyException
            ? Problems.conflict("the fleet id '" + fleetId + "' is taken") : e))
        .map(v -> {
          directory.put(fleet);
          return fleet;
        });
  }

  /** The fleet, or a 404 problem. */
  public Fleet fleet(String fleetId) {
    Fleet fleet = directory.fleet(fleetId);
    if (fleet == null) {
      throw Problems.notFound("fleet");
    }
    return fleet;
  }

  public Future<Fleet> renameFleet(String fleetId, String name) {
    Fleet renamed;
    try {
      renamed = fleet(fleetId).renamed(name, now());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return store.updateFleet(renamed).map(v -> {
      directory.put(renamed);
      return renamed;
    });
  }

  /** Up to {@code limit} fleets with an id after {@code afterId} (null = the first page). */
  public FleetPage fleetsAfter(String afterId, int limit) {
    List<Fleet> items = directory.fleetsAfter(afterId, limit + 1);
    boolean hasNext = items.size() > limit;
    if (hasNext) {
      items = items.subList(0, limit);
    }
    boolean hasPrev = items.isEmpty()
        ? afterId != null && !directory.fleetsBefore(null, 1).isEmpty()
        : !directory.fleetsBefore(items.get(0).id(), 1).isEmpty();
    return new FleetPage(List.copyOf(items), hasPrev, hasNext);
  }

  /** Up to {@code limit} fleets with an id before {@code beforeId} (null = the last page). */
  public FleetPage fleetsBefore(String beforeId, int limit) {
    List<Fleet> items = directory.fleetsBefore(beforeId, limit + 1);
    boolean hasPrev = items.size() > limit;
    if (hasPrev) {
      items = items.subList(1, items.size());
    }
    boolean hasNext = items.isEmpty()
        ? beforeId != null && !directory.fleetsAfter(null, 1).isEmpty()
        : !directory.fleetsAfter(items.get(items.size() - 1).id(), 1).isEmpty();
    return new FleetPage(List.copyOf(items), hasPrev, hasNext);
  }

  /**
   * Creates an API client of a fleet with a generated id and secret. {@code admin} is for platform clients
   * only: asking for it here is a 400 at {@code /permissions}.
   */
  public Future<NewClient> createClient(String fleetId, String name, Set<Permission> permissions) {
    try {
      fleet(fleetId);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (permissions.contains(Permission.ADMIN)) {
      return Future.failedFuture(Problems.validation("/permissions", "'admin' can only be held by platform clients"));
    }
    Set<Permission> granted = permissions.isEmpty() ? EnumSet.noneOf(Permission.class) : EnumSet.copyOf(permissions);
    String clientId = "cl_" + randomToken(CLIENT_ID_BYTES);
    String secret = randomToken(SECRET_BYTES);
    Instant now = now();
    return secrets.hash(secret)
        .map(hash -> new ApiClient(clientId, fleetId, name, Set.copyOf(granted), hash, now))
        .compose(client -> store.insertClient(client).map(v -> {
          directory.put(client);
          return new NewClient(client, secret);
        }));
  }

  /** The clients of a fleet, oldest first; 404 for an unknown fleet. */
  public List<ApiClient> clients(String fleetId) {
    fleet(fleetId);
    return directory.clientsOf(fleetId);
  }

  /**
   * Deletes a client of a fleet; its tokens stop working with the next request (every request looks the
   * client up in the directory) and its open event streams end before the caller is answered (they no longer
   * receive events from then on). 404 when the client does not exist or belongs to another fleet.
   */
  public Future<Void> deleteClient(String fleetId, String clientId) {
    ApiClient client = directory.client(clientId);
    if (client == null || !fleetId.equals(client.fleetId())) {
      return Future.failedFuture(Problems.notFound("API client"));
    }
    return store.deleteClient(clientId).map(v -> {
      directory.removeClient(clientId);
      secrets.forget(clientId);
      revocations.clientRevoked(clientId);
      return null;
    });
  }

  /**
   * Takes a fleet as the store holds it now, changed through another node (cluster change feed): no store
   * write, no event. Fleets are never deleted, so null (not stored) changes nothing.
   */
  public void applyStoredFleet(Fleet stored) {
    if (stored != null) {
      directory.put(stored);
    }
  }

  /**
   * Takes a client as the store holds it now, changed through another node (cluster change feed): no store
   * write, no event. Null = deleted: its tokens are refused from the next request on and its event streams on
   * this node end, as for a delete made here.
   */
  public void applyStoredClient(String clientId, ApiClient stored) {
    ApiClient before = directory.client(clientId);
    if (stored == null) {
      if (before != null) {
        directory.removeClient(clientId);
        secrets.forget(clientId);
        revocations.clientRevoked(clientId);
      }
      return;
    }
    directory.put(stored);
    if (before != null && !before.secretHash().equals(stored.secretHash())) {
      secrets.forget(clientId);
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private String randomToken(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return B64URL.encodeToString(b);
  }
}
