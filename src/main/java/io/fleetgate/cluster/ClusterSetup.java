package io.fleetgate.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.fleetgate.config.GatewayConfig;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * The Hazelcast member and the event bus of a clustered node, configured in code from {@code cluster.*}: no
 * {@code cluster.xml} on the class path or system property can change them behind the operator's back.
 */
public final class ClusterSetup {
  /** Vert.x's own structures (its bundled default-cluster.xml declares the same): subscriptions, HA and node info. */
  static final String SUBS = "__vertx.subs";
  static final String HA_INFO = "__vertx.haInfo";
  static final String NODE_INFO = "__vertx.nodeInfo";

  private ClusterSetup() {}

  /** A cluster manager for {@code cluster}; Vert.x starts its Hazelcast member when the instance is built. */
  public static HazelcastClusterManager clusterManager(GatewayConfig.Cluster cluster) {
    return new HazelcastClusterManager(hazelcastConfig(cluster));
  }

  /**
   * TCP-IP join to {@code cluster.members} only (multicast and auto-detection off), on {@code cluster.host} and
   * {@code cluster.port} exactly (no auto-increment: a taken port is a start-up error, not a silent neighbour),
   * failure detection after {@code cluster.failureDetectionSeconds} of silence, no phone-home, logging through
   * java.util.logging like everything else.
   */
  static Config hazelcastConfig(GatewayConfig.Cluster cluster) {
    Config config = new Config();
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "jdk");
    config.setProperty("hazelcast.local.localAddress", cluster.host());
    config.setProperty("hazelcast.socket.bind.any", "false");
    // a member's idle CPU: Hazelcast's own metrics (for its Management Center, not used here) were sampled every
    // 5 s, and its health monitor logs at load; fleetgate's metrics are Micrometer's
    config.getMetricsConfig().setEnabled(false);
    config.setProperty("hazelcast.health.monitoring.level", "OFF");
    int silence = cluster.failureDetectionSeconds();
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(silence));
    config.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(heartbeatSeconds(silence)));
    // the default 5 s pause before joining is paid by every start; the members are listed, nothing to discover
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    // nodes that started apart (e.g. all at once) find each other within seconds, not the default 5 minutes
    config.setProperty("hazelcast.merge.first.run.delay.seconds", Integer.toString(Math.max(5, silence)));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", Integer.toString(Math.max(5, silence)));
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface(cluster.host());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    config.addMultiMapConfig(new MultiMapConfig(SUBS).setBackupCount(1).setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig(HA_INFO).setBackupCount(1));
    config.addMapConfig(new MapConfig(NODE_INFO).setBackupCount(1));
    return config;
  }

  /** Heartbeats every fifth of the allowed silence, at least every second, so a few may be lost before a member is dead. */
  static int heartbeatSeconds(int failureDetectionSeconds) {
    return Math.max(1, failureDetectionSeconds / 5);
  }

  /**
   * The event bus on {@code cluster.host} and {@code cluster.busPort}, with its connection ping scaled to the
   * failure detection (the default 20 s ping and 20 s reply window would keep a dead peer's connection for 40 s).
   */
  public static VertxOptions eventBus(VertxOptions options, GatewayConfig.Cluster cluster) {
    long pingMs = Math.max(1000L, cluster.failureDetectionSeconds() * 1000L / 2);
    options.getEventBusOptions()
        .setHost(cluster.host())
        .setClusterPublicHost(cluster.host())
        .setPort(cluster.busPort())
        .setClusterPingInterval(pingMs)
        .setClusterPingReplyInterval(pingMs);
    return options;
  }
}
