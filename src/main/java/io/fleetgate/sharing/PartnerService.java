package io.fleetgate.sharing;

import io.fleetgate.access.AccessSnapshot;
import io.fleetgate.access.Partnership;
import io.fleetgate.access.SharingIndex;
import io.fleetgate.auth.Principal;
import io.fleetgate.fleet.FleetDirectory;
import io.fleetgate.problem.DuplicateKeyException;
import io.fleetgate.problem.ProblemException;
import io.fleetgate.problem.Problems;
import io.fleetgate.vehicle.KeysetPage;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Partnerships between fleets: set up by a platform administrator, or by one fleet redeeming another's
 * invitation code; ended by either (which ends every sharing between the two). Stored first, then swapped
 * into the {@link SharingIndex}.
 */
public final class PartnerService {
  private static final Logger LOG = Logger.getLogger(PartnerService.class.getName());
  public static final int DEFAULT_INVITATION_SECONDS = 604_800;
  public static final int MIN_INVITATION_SECONDS = 60;
  /** The one answer for every code that cannot be redeemed, whatever the reason: no oracle. */
  static final String BAD_CODE = "unknown, used, expired or revoked invitation code";

  private final SharingStore store;
  private final SharingIndex index;
  private final FleetDirectory directory;
  private final SharingService sharings;
  private final Clock clock;
  private final int maxInvitationsPerFleet;
  private final int maxInvitationSeconds;
  private final InvitationCodes codes = new InvitationCodes();
  private final AtomicLong seq = new AtomicLong();
  /** The cluster's shared partnership sequence; null: {@link #seq} alone. */
  private final io.fleetgate.support.SeqSource sharedSeqs;

  /** A fleet's partner as listed: the partnership and the other fleet's name. */
  public record Partner(String fleetId, String name, Instant since) {}

  /** A new invitation with its code in clear: the one moment the code exists outside the caller's hands. */
  public record NewInvitation(Invitation invitation, String code) {}

  public PartnerService(SharingStore store, SharingIndex index, FleetDirectory directory, SharingService sharings,
      Clock clock, int maxInvitationsPerFleet, int maxInvitationSeconds) {
    this(store, index, directory, sharings, clock, maxInvitationsPerFleet, maxInvitationSeconds, null);
  }

  /** @param sharedSeqs the partnership sequence every node of a cluster draws from; null for a single node */
  public PartnerService(SharingStore store, SharingIndex index, FleetDirectory directory, SharingService sharings,
      Clock clock, int maxInvitationsPerFleet, int maxInvitationSeconds, io.fleetgate.support.SeqSource sharedSeqs) {
    this.sharedSeqs = sharedSeqs;
    this.store = store;
    this.index = index;
    this.directory = directory;
    this.sharings = sharings;
    this.clock = clock;
    this.maxInvitationsPerFleet = maxInvitationsPerFleet;
    this.maxInvitationSeconds = maxInvitationSeconds;
  }

  public int maxInvitationSeconds() {
    return maxInvitationSeconds;
  }

  /** The default lifetime of a code: a week, or the configured maximum when that is shorter. */
  public int defaultInvitationSeconds() {
    return Math.min(DEFAULT_INVITATION_SECONDS, maxInvitationSeconds);
  }

  /** Loads stored partnerships into the working set (start-up). */
  public void load(List<Partnership> stored) {
    for (Partnership p : stored) {
      seq.accumulateAndGet(p.seq(), Math::max);
      index.update(snap -> snap.withPartnership(p));
    }
  }

  /**
   * Takes a partnership as the store holds it now, changed through another node (cluster change feed): null =
   * none. No store write, no event (ending its sharings arrives as changes of their own).
   */
  public void applyStored(String fleetA, String fleetB, Partnership stored) {
    if (stored != null) {
      seq.accumulateAndGet(stored.seq(), Math::max);
    }
    index.update(snap -> {
      Partnership current = snap.partnership(fleetA, fleetB);
      AccessSnapshot without = current == null || (stored != null && current.seq() == stored.seq()) ? snap : snap.withoutPartnership(current);
      return stored == null ? without : without.withPartnership(stored);
    });
  }

  // partnerships

  /** Admin: partners two existing fleets. 400 a fleet with itself, 404 an unknown fleet, 409 already partners. */
  public Future<Partnership> createPartnership(String one, String other) {
    if (one.equals(other)) {
      throw Problems.validation("/fleet_ids", "a fleet cannot partner with itself");
    }
    for (String f : List.of(one, other)) {
      if (directory.fleet(f) == null) {
        throw Problems.notFound("fleet '" + f + "'");
      }
    }
    return insert(one, other);
  }

  private Future<Partnership> insert(String one, String other) {
    if (sharedSeqs == null) {
      return insert(seq.incrementAndGet(), one, other);
    }
    return sharedSeqs.next().compose(n -> {
      seq.accumulateAndGet(n, Math::max);
      return insert(n, one, other);
    });
  }

  private Future<Partnership> insert(long n, String one, String other) {
    Partnership p = Partnership.of(n, one, other, clock.instant().truncatedTo(ChronoUnit.MILLIS));
    return store.insertPartnership(p)
        .recover(e -> Future.failedFuture(e instanceof DuplicateKeyException ? alreadyPartners() : e))
        .map(v -> {
          index.update(snap -> snap.withPartnership(p));
          return p;
        });
  }

  /** Admin: ends a partnership (either order) and every sharing between the two fleets; 404 when none. */
  public Future<Void> deletePartnership(String one, String other) {
    Partnership p = index.current().partnership(one, other);
    if (p == null) {
      throw Problems.notFound("partnership");
    }
    return store.deletePartnership(p.fleetA(), p.fleetB()).compose(removed -> {
      index.update(snap -> snap.withoutPartnership(p));
      return sharings.endBetween(p.fleetA(), p.fleetB());
    });
  }

  /** The caller ends its partnership with {@code partnerFleetId}; 404 when they are not partners. */
  public Future<Void> endPartnership(Principal principal, String partnerFleetId) {
    String fleetId = fleetOf(principal);
    if (index.current().partnership(fleetId, partnerFleetId) == null) {
      throw Problems.notFound("sharing partner");
    }
    return deletePartnership(fleetId, partnerFleetId);
  }

  /** A page of the caller's partners, in the order the partnerships began. */
  public KeysetPage<Partner> partners(Principal principal, KeysetPage.Position at, int limit) {
    String fleetId = fleetOf(principal);
    AccessSnapshot snap = index.current();
    return KeysetPage.of(snap.partnershipsOf(fleetId), Long.MAX_VALUE, at, limit, p -> {
      String other = p.other(fleetId);
      var fleet = directory.fleet(other);
      return new Partner(other, fleet == null ? other : fleet.name(), p.since());
    });
  }

  // invitation codes

  /** A new single-use code of the caller's fleet; 400 lifetime out of range, 409 too many outstanding codes. */
  public Future<NewInvitation> invite(Principal principal, Integer expiresInSeconds) {
    String fleetId = fleetOf(principal);
    int seconds = expiresInSeconds == null ? defaultInvitationSeconds() : expiresInSeconds;
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    return active(fleetId, now).compose(list -> {
      if (list.size() >= maxInvitationsPerFleet) {
        return Future.failedFuture(Problems.conflict("the fleet has " + maxInvitationsPerFleet
            + " outstanding invitation codes, the most it may have; revoke one or let one expire"));
      }
      String code = codes.newCode();
      Invitation inv = new Invitation(codes.newId(), fleetId, InvitationCodes.hash(code), now, now.plusSeconds(seconds));
      return store.insertInvitation(inv).map(v -> new NewInvitation(inv, code));
    });
  }

  /** The caller's codes that can still be redeemed (without the codes themselves), oldest first. */
  public Future<List<Invitation>> invitations(Principal principal) {
    return active(fleetOf(principal), clock.instant());
  }

  /** Revokes one of the caller's codes, named by the code itself or by its listed id; 404 otherwise. */
  public Future<Void> revoke(Principal principal, String codeOrId) {
    String fleetId = fleetOf(principal);
    Future<Invitation> found = codeOrId.startsWith("inv_")
        ? store.invitationsOf(fleetId).map(list -> list.stream().filter(i -> i.id().equals(codeOrId)).findFirst().orElse(null))
        : store.findInvitation(InvitationCodes.hash(codeOrId));
    return found.compose(inv -> {
      if (inv == null || !inv.fleetId().equals(fleetId)) {
        return Future.failedFuture(Problems.notFound("invitation code"));
      }
      return store.deleteInvitation(fleetId, inv.id()).mapEmpty();
    });
  }

  /**
   * The caller redeems another fleet's code: the two become partners and the code is used up. Unknown,
   * used, expired, revoked or own code → the same 400; already partners → 409 (the code stays valid).
   */
  public Future<Partner> redeem(Principal principal, String code) {
    String fleetId = fleetOf(principal);
    String hash = InvitationCodes.hash(code);
    Instant now = clock.instant();
    return store.findInvitation(hash).compose(inv -> {
      if (inv == null || inv.expiredAt(now) || inv.fleetId().equals(fleetId) || directory.fleet(inv.fleetId()) == null) {
        return Future.failedFuture(badCode());
      }
      if (index.current().partnership(fleetId, inv.fleetId()) != null) {
        return Future.failedFuture(alreadyPartners());
      }
      return store.takeInvitation(hash).compose(taken -> {
        if (taken == null) {
          return Future.failedFuture(badCode()); // redeemed or revoked meanwhile
        }
        return insert(fleetId, inv.fleetId());
      }).map(p -> new Partner(inv.fleetId(), directory.fleet(inv.fleetId()).name(), p.since()));
    });
  }

  /** Deletes every expired code (retention: run at start-up and hourly); how many. */
  public Future<Integer> purgeExpiredInvitations() {
    return store.deleteExpiredInvitations(clock.instant())
        .onFailure(e -> LOG.log(Level.WARNING, "deleting expired invitation codes failed (tried again in an hour)", e));
  }

  /** The fleet's unexpired codes; expired ones are deleted on the way. */
  private Future<List<Invitation>> active(String fleetId, Instant now) {
    return store.invitationsOf(fleetId).map(list -> {
      list.stream().filter(i -> i.expiredAt(now)).forEach(i -> store.deleteInvitation(fleetId, i.id()));
      return list.stream().filter(i -> !i.expiredAt(now)).toList();
    });
  }

  static ProblemException badCode() {
    return Problems.validation("/invitation_code", BAD_CODE);
  }

  private static ProblemException alreadyPartners() {
    return Problems.conflict("the two fleets are already partners");
  }

  /** The caller's fleet; platform clients have no partners (403). */
  private static String fleetOf(Principal principal) {
    if (principal.fleetId() == null) {
      throw Problems.forbiddenResource("platform clients have no sharing partners");
    }
    return principal.fleetId();
  }
}
