package io.fleetgate.store.memory;

import io.fleetgate.access.Partnership;
import io.fleetgate.access.Sharing;
import io.fleetgate.problem.DuplicateKeyException;
import io.fleetgate.sharing.Invitation;
import io.fleetgate.sharing.SharingStore;
import io.vertx.core.Future;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link SharingStore} in memory: keeps nothing across restarts. */
public final class MemorySharingStore implements SharingStore {
  private final Map<String, Partnership> partnerships = new ConcurrentHashMap<>();
  private final Map<String, Invitation> invitations = new ConcurrentHashMap<>();
  private final Map<String, Sharing> sharings = new ConcurrentHashMap<>();

  @Override
  public Future<Void> insertPartnership(Partnership p) {
    return partnerships.putIfAbsent(p.key(), p) == null
        ? Future.succeededFuture()
        : Future.failedFuture(new DuplicateKeyException(PARTNERSHIP, "partnership " + p.fleetA() + "/" + p.fleetB()));
  }

  @Override
  public Future<Boolean> deletePartnership(String fleetA, String fleetB) {
    return Future.succeededFuture(partnerships.remove(Partnership.key(fleetA, fleetB)) != null);
  }

  @Override
  public Future<List<Partnership>> loadPartnerships() {
    return Future.succeededFuture(partnerships.values().stream().sorted(Comparator.comparingLong(Partnership::seq)).toList());
  }

  @Override
  public Future<Void> insertInvitation(Invitation invitation) {
    return invitations.putIfAbsent(invitation.codeHash(), invitation) == null
        ? Future.succeededFuture()
        : Future.failedFuture(new DuplicateKeyException("invitation"));
  }

  @Override
  public Future<Invitation> findInvitation(String codeHash) {
    return Future.succeededFuture(invitations.get(codeHash));
  }

  @Override
  public Future<Invitation> takeInvitation(String codeHash) {
    return Future.succeededFuture(invitations.remove(codeHash));
  }

  @Override
  public Future<Boolean> deleteInvitation(String fleetId, String invitationId) {
    for (Invitation i : invitations.values()) {
      if (i.fleetId().equals(fleetId) && i.id().equals(invitationId)) {
        return Future.succeededFuture(invitations.remove(i.codeHash(), i));
      }
    }
    return Future.succeededFuture(false);
  }

  @Override
  public Future<List<Invitation>> invitationsOf(String fleetId) {
    return Future.succeededFuture(invitations.values().stream().filter(i -> i.fleetId().equals(fleetId))
        .sorted(Comparator.comparing(Invitation::createdAt).thenComparing(Invitation::id)).toList());
  }

  @Override
  public Future<Integer> deleteExpiredInvitations(java.time.Instant now) {
    int n = 0;
    for (Invitation i : invitations.values()) {
      if (i.expiredAt(now) && invitations.remove(i.codeHash(), i)) {
        n++;
      }
    }
    return Future.succeededFuture(n);
  }

  @Override
  public Future<Void> insertSharing(Sharing sharing) {
    return sharings.putIfAbsent(sharing.vehicleId(), sharing) == null
        ? Future.succeededFuture()
        : Future.failedFuture(new DuplicateKeyException(SHARING, "sharing of vehicle " + sharing.vehicleId()));
  }

  @Override
  public Future<Void> updateSharing(Sharing sharing) {
    sharings.computeIfPresent(sharing.vehicleId(), (k, old) -> old.id() == sharing.id() ? sharing : old);
    return Future.succeededFuture();
  }

  @Override
  public Future<Boolean> markStarted(String vehicleId, long sharingId) {
    boolean[] won = {false};
    sharings.computeIfPresent(vehicleId, (k, old) -> {
      if (old.id() != sharingId || old.started()) {
        return old;
      }
      won[0] = true;
      return old.markStarted();
    });
    return Future.succeededFuture(won[0]);
  }

  @Override
  public Future<Boolean> deleteSharing(String vehicleId, long sharingId) {
    Sharing current = sharings.get(vehicleId);
    return Future.succeededFuture(current != null && current.id() == sharingId && sharings.remove(vehicleId, current));
  }

  @Override
  public Future<List<Sharing>> loadSharings() {
    return Future.succeededFuture(List.copyOf(sharings.values()));
  }
}
