package io.fleetgate.cluster;

import io.fleetgate.ops.RateLimiter;
import java.util.List;

/**
 * Rate limits that hold cluster-wide without a shared bucket on the request path: each node enforces its
 * share, the configured rate divided by the live members it sees, re-divided whenever one joins or leaves
 * ({@link RateLimiter#divideAmong}). A client that spreads its requests over the nodes (a balancer, round
 * robin) gets about its configured rate in all; one that sticks to one node gets that node's share only, and
 * for a failure detection's length after a member dies the survivors still enforce the smaller share.
 */
public final class ClusterLimits implements ClusterNode.MembershipListener {
  private final ClusterNode node;
  private final List<RateLimiter> limiters;

  private ClusterLimits(ClusterNode node, List<RateLimiter> limiters) {
    this.node = node;
    this.limiters = List.copyOf(limiters);
  }

  /** Divides the limiters among the members now and whenever membership changes (call once the node has started). */
  public static ClusterLimits divide(ClusterNode node, List<RateLimiter> limiters) {
    ClusterLimits limits = new ClusterLimits(node, limiters);
    node.addListener(limits);
    limits.apply();
    return limits;
  }

  @Override
  public void memberJoined(String nodeId) {
    apply();
  }

  @Override
  public void memberLeft(String nodeId) {
    apply();
  }

  private void apply() {
    int members = Math.max(1, node.members().size());
    limiters.forEach(l -> l.divideAmong(members));
  }
}
