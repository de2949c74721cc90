package io.fleetgate;

import io.fleetgate.access.SharingIndex;
import io.fleetgate.api.ApiSupport;
import io.fleetgate.api.ApiVerticle;
import io.fleetgate.api.AuthRoutes;
import io.fleetgate.api.FleetRoutes;
import io.fleetgate.api.HttpConnectionPolicy;
import io.fleetgate.api.LifecycleRoutes;
import io.fleetgate.api.ConsoleRoutes;
import io.fleetgate.api.DocsRoutes;
import io.fleetgate.api.OpsRoutes;
import io.fleetgate.api.RouteGroup;
import io.fleetgate.api.PartnerRoutes;
import io.fleetgate.api.SharingRoutes;
import io.fleetgate.api.VehicleRoutes;
import io.fleetgate.api.CommandRoutes;
import io.fleetgate.api.EventRoutes;
import io.fleetgate.api.EventConsumerRoutes;
import io.fleetgate.api.EventLogRoutes;
import io.fleetgate.device.LocalCommandRouter;
import io.fleetgate.events.EventLog;
import io.fleetgate.events.EventLogSink;
import io.fleetgate.events.memory.MemoryEventLog;
import io.fleetgate.store.pg.PgEventLog;
import io.fleetgate.events.amqp.AmqpEventSink;
import io.fleetgate.events.amqp.EventConsumers;
import io.fleetgate.events.EventPublisher;
import io.fleetgate.events.EventSink;
import io.fleetgate.events.SseHub;
import io.fleetgate.auth.KeyedVerifier;
import io.fleetgate.auth.PasswordHasher;
import io.fleetgate.command.CommandService;
import io.fleetgate.auth.SecretVerifier;
import io.fleetgate.auth.VerifierKey;
import io.fleetgate.auth.TokenService;
import io.fleetgate.config.ConfigException;
import io.fleetgate.config.GatewayConfig;
import io.fleetgate.fleet.AdminBootstrap;
import io.fleetgate.fleet.AdminService;
import io.fleetgate.device.CommandResultSink;
import io.fleetgate.ops.ConnectionBudget;
import io.fleetgate.ops.FileDescriptorBudget;
import io.fleetgate.device.DeviceMetrics;
import io.fleetgate.device.DeviceServices;
import io.fleetgate.device.LocalDeviceSessions;
import io.fleetgate.device.PreLoginLog;
import io.fleetgate.device.UnitAuthenticator;
import io.fleetgate.device.UnitLoginFailures;
import io.fleetgate.device.mqtt.MqttDeviceVerticle;
import io.fleetgate.device.tcp.TcpDeviceVerticle;
import io.fleetgate.fleet.FleetDirectory;
import io.fleetgate.ops.BuildInfo;
import io.fleetgate.ops.GatewayMetrics;
import io.fleetgate.ops.RateLimiter;
import io.fleetgate.ops.Readiness;
import io.fleetgate.ops.ReadinessCheck;
import io.fleetgate.sharing.PartnerService;
import io.fleetgate.sharing.SharingListener;
import io.fleetgate.sharing.SharingService;
import io.fleetgate.store.Stores;
import io.fleetgate.store.pg.PgDatabase;
import io.fleetgate.store.pg.PgStores;
import io.fleetgate.support.PortBound;
import io.fleetgate.vehicle.IngestService;
import io.fleetgate.vehicle.UnitCredential;
import io.fleetgate.vehicle.UnitVerifiers;
import io.fleetgate.device.DeviceSession;
import io.fleetgate.vehicle.VehicleAccess;
import io.fleetgate.vehicle.VehicleArchive;
import io.fleetgate.vehicle.VehicleLifecycle;
import io.fleetgate.vehicle.VehicleLifecycleListener;
import io.fleetgate.vehicle.VehicleCatalog;
import io.fleetgate.vehicle.VehicleIds;
import io.fleetgate.vehicle.VehicleRegistry;
import io.fleetgate.vehicle.VehicleService;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The composition root: builds every collaborator from the configuration, then has the working set loaded
 * ({@link WorkingSetLoader}), the administrator ensured ({@link AdminBootstrap}), the listeners deployed and
 * the periodic work started ({@link Housekeeping}). Used by {@code run}, {@code demo} and the tests alike.
 */
public final class Gateway {
  private static final Logger LOG = Logger.getLogger("fleetgate");

  public final GatewayConfig config;
  public final Vertx vertx;
  public final PrometheusMeterRegistry metrics;
  public final Stores stores;
  /** The PostgreSQL database the stores are on; null when they are in memory. */
  public final PgDatabase database;
  public final FleetDirectory directory = new FleetDirectory();
  public final VehicleRegistry registry = new VehicleRegistry();
  public final SecretVerifier secrets;
  /** The key of the fast unit verifiers (hash.verifierKey, else from jwt.key, else ephemeral). */
  private final VerifierKey verifierKey;
  private final KeyedVerifier keyedVerifier;
  public final TokenService tokens;
  public final IngestService ingest;
  public final AdminService admin;
  public final DeviceMetrics deviceMetrics;
  public final DeviceServices devices;
  /** Readiness checks; the store and broker add theirs when they exist. */
  public final Readiness readiness = new Readiness();
  public final VehicleCatalog catalog;
  /** The access snapshot: who shares what, swapped atomically on every change. */
  public final SharingIndex sharingIndex = new SharingIndex();
  public final VehicleAccess access;
  public final VehicleService vehicles;
  /** Told when a vehicle is archived or restored (e.g. the command service cancels queued commands). */
  public final List<VehicleLifecycleListener> lifecycleListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  public final VehicleArchive archive;
  public final VehicleLifecycle lifecycle;
  /** Authenticated requests per API client (rate.requestsPerSecond, rate.burst). */
  public final RateLimiter apiRate;
  /** Failed token requests per remote address (rate.tokenFailuresPerMinute). */
  public final RateLimiter tokenChecks;
  /** Failed token requests per (remote address, client id) (rate.tokenFailuresPerClientPerMinute). */
  public final RateLimiter tokenPairChecks;
  public final CommandService commands;
  /** Told of every sharing that starts or ends; add listeners before {@link #start} returns to miss nothing. */
  public final List<SharingListener> sharingListeners = new CopyOnWriteArrayList<>();
  public final SharingService sharing;
  public final PartnerService partners;
  /** Where events go: the open SSE streams; a broker publisher adds itself here later. */
  public final List<EventSink> eventSinks = new CopyOnWriteArrayList<>();
  public final SseHub sse;
  /** The fleets' event log (GET /events, stream resume): in PostgreSQL when db.url is set. */
  public final EventLog eventLog;
  public final EventPublisher events;
  /** The RabbitMQ publisher and the event consumers' queues; null without amqp.url. */
  public final AmqpEventSink amqp;
  public final EventConsumers eventConsumers;
  private final List<String> deployments = new ArrayList<>();
  private final WorkingSetLoader workingSet;
  private final AdminBootstrap adminBootstrap;
  private final Housekeeping housekeeping;
  /** Event-log rows waiting for PostgreSQL; beyond, new events are not logged (best effort, see PgEventLogWriter). */
  static final int EVENT_LOG_MAX_PENDING = 50_000;
  /** Listener kind → bound port, in start order. */
  private final Map<String, Integer> listeners = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
  private volatile boolean serving;
  private int httpPort;
  private int mqttPort;
  private int tcpPort;
  private int mqttTlsPort = -1;
  private int tcpTlsPort = -1;
  /** Server TLS (tls.*), or null when tls.cert is unset. */
  private final io.fleetgate.tls.ServerTls tls;
  /** The open-file limit divided between HTTP, the device listeners and everything else (logged at start-up). */
  public final FileDescriptorBudget fileDescriptors;
  /** This node's place in the cluster (cluster.members); null for a single node. */
  public final io.fleetgate.cluster.ClusterNode cluster;
  /** Sessions, command routing and sweeps across nodes (cluster.members); null for a single node. */
  public final io.fleetgate.cluster.ClusterServices clustered;
  /** The cluster's shared creation sequences; null for a single node. */
  private final io.fleetgate.store.pg.PgSequences sequences;
  /** The working set kept current with the database's change feed, and the write barrier; null for a single node. */
  public final io.fleetgate.cluster.WorkingSetSync workingSetSync;
  /** Events to and from the other nodes' streams; null for a single node. */
  public final io.fleetgate.cluster.ClusterEvents clusterEvents;

  private Gateway(Vertx vertx, GatewayConfig config, PrometheusMeterRegistry metrics, Clock clock, Stores stores,
      PgDatabase database) {
    this.vertx = vertx;
    this.config = config;
    this.metrics = metrics;
    this.database = database;
    this.tls = io.fleetgate.tls.ServerTls.load(vertx, config.tls());
    this.fileDescriptors = FileDescriptorBudget.divide(FileDescriptorBudget.processLimit(), config.http().maxConnections(),
        (long) config.mqtt().maxConnections() + config.tcp().maxConnections());
    LOG.info(fileDescriptors.describe(config.http().maxConnections(), config.mqtt().maxConnections(), config.tcp().maxConnections()));
    this.catalog = VehicleCatalog.load(config.catalogFile());
    this.stores = stores;
    this.secrets = new SecretVerifier(vertx, new PasswordHasher(config.hash().memoryKiB(), config.hash().iterations()),
        config.hash().maxPending());
    this.tokens = TokenService.create(vertx, config.jwt().keyFile(), config.jwt().issuer(), config.jwt().ttlSeconds());
    this.sse = new SseHub(config.events().maxStreamsPerClient());
    // after the tokens: a jwt.key the verifier key is derived from has been validated there
    this.verifierKey = VerifierKey.load(config.hash().verifierKey(), config.jwt().keyFile());
    this.keyedVerifier = new KeyedVerifier(verifierKey);
    // a deleted client's event streams end at once (one call: a cluster would broadcast it to every node)
    this.admin = new AdminService(stores.fleets(), directory, secrets, sse, java.time.Clock.systemUTC());
    MqttDeviceVerticle.warmUp();
    this.deviceMetrics = new DeviceMetrics(metrics);
    this.access = new VehicleAccess(sharingIndex, clock);
    GatewayConfig.Events ev = config.events();
    this.eventLog = database != null
        ? new PgEventLog(database, EVENT_LOG_MAX_PENDING, ev.logRetentionDays(), clock)
        : new MemoryEventLog(ev.logPerFleet(), ev.logRetentionDays(), clock);
    // the log before the streams: an event a resumed stream's replay misses has not reached the streams yet
    eventSinks.add(new EventLogSink(eventLog));
    eventSinks.add(sse);
    this.amqp = config.amqpUrl() == null ? null : amqpSink(vertx, config, metrics);
    if (amqp != null) {
      eventSinks.add(amqp);
      readiness.register(amqp.readiness());
    }
    this.eventConsumers = amqp == null ? null : new EventConsumers(amqp,
        database == null ? io.fleetgate.events.amqp.EventConsumerStore.memory() : new io.fleetgate.store.pg.PgEventConsumerStore(database),
        config.amqp().maxConsumersPerFleet(), clock);
    // the view reads fields assigned below; it is only called once the gateway serves
    this.events = new EventPublisher(eventSinks, access, this::vehicleView, clock);
    this.ingest = new IngestService(registry, stores.states(), deviceMetrics, events);
    // a cluster draws creation sequences from PostgreSQL: per-process counters would hand one out twice
    this.sequences = config.cluster().enabled() && database != null ? new io.fleetgate.store.pg.PgSequences(database) : null;
    LocalDeviceSessions localSessions = new LocalDeviceSessions();
    io.fleetgate.command.CommandRouter localRouter = new LocalCommandRouter(registry, localSessions);
    this.clustered = config.cluster().enabled()
        ? io.fleetgate.cluster.ClusterServices.create(vertx, config, metrics, database, registry, localSessions, localRouter, ingest)
        : null;
    io.fleetgate.vehicle.LiveReads liveReads = clustered == null ? io.fleetgate.vehicle.LiveReads.LOCAL : clustered.liveReads();
    this.vehicles = new VehicleService(registry, stores.vehicles(), stores.states(), this::unitCredential, catalog, access,
        new VehicleIds(), clock, events, liveReads,
        sequences == null ? null : sequences.source(io.fleetgate.store.pg.PgSequences.VEHICLES));
    this.cluster = clustered == null ? null : clustered.node;
    io.fleetgate.device.DeviceSessions sessions = clustered == null ? localSessions : clustered.sessions();
    GatewayConfig.Commands commandLimits = config.commands();
    this.commands = new CommandService(vertx, registry, access, stores.commands(),
        clustered == null ? localRouter : clustered.router(), clock, config.commandTimeoutSeconds(), commandLimits.queuePerVehicle(), metrics,
        events::commandStatusChanged, clustered != null, liveReads, cluster == null ? null : cluster.nodeId());
    if (clustered != null) {
      clustered.bindCommands(commands::commandsReady, commands::onResult);
      // a departed node's queued commands: each adopted by one survivor, a waiting synchronous one ended once
      cluster.addListener(new io.fleetgate.cluster.ClusterNode.MembershipListener() {
        @Override
        public void memberLeft(String nodeId) {
          commands.nodeLeft(nodeId).onFailure(e -> java.util.logging.Logger.getLogger("fleetgate.cluster")
              .warning("queued commands of departed node " + nodeId + " not adopted (" + e.getMessage() + "); a restart takes them up"));
        }
      });
    }
    CommandResultSink applyState = CommandResultSink.applyingState(ingest, deviceMetrics);
    CommandResultSink results = (protocol, vehicleId, result, nowMs) -> applyState.accept(protocol, vehicleId, result, nowMs)
        .compose(v -> clustered == null ? commands.onResult(vehicleId, result) : clustered.onResult(vehicleId, result));
    this.devices = new DeviceServices(registry, ingest, new UnitAuthenticator(registry, secrets, keyedVerifier,
        new UnitVerifiers(registry, stores.vehicles()), deviceMetrics,
        new UnitLoginFailures(config.hash().unitFailuresPerMinute(),
        config.hash().unitFailuresPerAddressPerMinute(), clock),
        // a stale cluster node refuses logins (the field is assigned below; read per login once serving)
        this::staleReason), sessions, results,
        deviceMetrics, commands, commandLimits.ackTimeoutSeconds() * 1000L);
    readiness.register(ReadinessCheck.of("listeners", this::listenersBound));
    // in a cluster, the "cluster" readiness check is the working set's (membership included), registered below
    // the streams of the other nodes: after the log and this node's streams
    this.clusterEvents = cluster == null ? null : new io.fleetgate.cluster.ClusterEvents(vertx, cluster, sse);
    if (clusterEvents != null) {
      eventSinks.add(clusterEvents.sink());
    }
    if (database != null) {
      readiness.register(database.readiness());
    }
    stores.states().bindMetrics(metrics);
    io.micrometer.core.instrument.Gauge.builder("fleetgate_ingest_frames_in_flight", ingest, IngestService::framesInFlight)
        .description("Frames applied and waiting for their history commit and event confirms (their acks withheld; counted with a durable store or a broker)")
        .register(metrics);
    if (stores.states().readiness() != null) {
      readiness.register(stores.states().readiness());
    }
    this.archive = new VehicleArchive(Duration.ofDays(config.archive().retentionDays()), clock);
    this.lifecycle = new VehicleLifecycle(registry, archive, stores.vehicles(), stores.states(), this::unitCredential, access,
        this::revokeUnit, lifecycleListeners, clock);
    GatewayConfig.Rate rate = config.rate();
    this.apiRate = new RateLimiter(rate.requestsPerSecond(), rate.burst(), RateLimiter.DEFAULT_MAX_KEYS, clock);
    // a flood of failing addresses must never lock out a clean one: a key that finds these full is not limited
    // by them (the hashing queue, hash.maxPending, still bounds what it costs)
    this.tokenChecks = new RateLimiter(rate.tokenFailuresPerMinute() / 60.0, rate.tokenFailuresPerMinute(),
        RateLimiter.DEFAULT_MAX_KEYS, clock, RateLimiter.Overflow.ALLOW);
    this.tokenPairChecks = new RateLimiter(rate.tokenFailuresPerClientPerMinute() / 60.0, rate.tokenFailuresPerClientPerMinute(),
        RateLimiter.DEFAULT_MAX_KEYS, clock, RateLimiter.Overflow.ALLOW);
    this.sharing = new SharingService(vertx, stores.sharing(), sharingIndex, registry, access, directory, sharingListeners, clock,
        sequences == null ? null : sequences.source(io.fleetgate.store.pg.PgSequences.SHARINGS));
    this.partners = new PartnerService(stores.sharing(), sharingIndex, directory, sharing, clock,
        config.sharing().maxInvitationsPerFleet(), config.sharing().maxInvitationSeconds(),
        sequences == null ? null : sequences.source(io.fleetgate.store.pg.PgSequences.PARTNERSHIPS));
    // queued commands of a removed vehicle, and a partner's queued commands when its sharing ends, end CANCELED
    lifecycleListeners.add(commandCancellation(commands));
    sharingListeners.add(partnerCommandCancellation(commands));
    lifecycleListeners.add(lifecycleEvents());
    sharingListeners.add(sharingEvents());
    this.workingSet = new WorkingSetLoader(stores, directory, registry, archive, lifecycle, commands, partners, sharing);
    this.adminBootstrap = new AdminBootstrap(stores.fleets(), directory, secrets);
    this.housekeeping = new Housekeeping(vertx, clock, stores.states(), config.db().historyRetentionDays(), eventLog,
        config.events().logRetentionDays(), lifecycle, partners, List.of(apiRate, tokenChecks, tokenPairChecks));
    this.workingSetSync = cluster == null ? null : new io.fleetgate.cluster.WorkingSetSync(vertx, cluster,
        new io.fleetgate.cluster.PgChangeLog(database), new io.fleetgate.cluster.ChangeApplier(stores.fleets(),
        stores.vehicles(), stores.sharing(), admin, lifecycle, sharing, partners));
    if (cluster == null && database != null) {
      // the change feed's triggers fill it on one node too (a node may join later): keep it to a day here as well
      io.fleetgate.cluster.PgChangeLog changes = new io.fleetgate.cluster.PgChangeLog(database);
      housekeeping.hourly(() -> changes.purge(24 * 3600));
    }
    if (cluster != null) {
      // a node gone stale ends its event streams: their clients resume on another node with Last-Event-ID
      workingSetSync.onStale(why -> sse.endAll("this node cannot vouch for its data: " + why));
      readiness.register(workingSetSync.readiness()); // "cluster": membership, and the working set current
    }
  }

  /** Why this cluster node cannot authorize correctly now (its working set not confirmed current), or null. */
  private String staleReason() {
    return workingSetSync == null ? null : workingSetSync.staleReason();
  }

  /** The publisher of amqp.url; a URL the client cannot use is a configuration error, not a retry loop. */
  private static AmqpEventSink amqpSink(Vertx vertx, GatewayConfig config, PrometheusMeterRegistry metrics) {
    try {
      new com.rabbitmq.client.ConnectionFactory().setUri(config.amqpUrl());
    } catch (Exception e) {
      throw new ConfigException("amqp.url (FLEETGATE_AMQP_URL): not a usable amqp:// URL (" + e.getClass().getSimpleName() + ")");
    }
    GatewayConfig.Amqp a = config.amqp();
    return new AmqpEventSink(vertx, config.amqpUrl(), a.exchange(), a.bufferEvents(), a.batchSize(), a.reconnectMaxSeconds(),
        a.batchEvents(), a.batchLingerMs(), metrics);
  }

  private io.vertx.core.json.JsonObject vehicleView(String fleetId, io.fleetgate.vehicle.Vehicle v) {
    return VehicleRoutes.view(vehicles, sharing, fleetId, v);
  }

  /** VehicleRemoved (to whoever could see it just before) and VehicleAdded on restore. */
  private VehicleLifecycleListener lifecycleEvents() {
    return new VehicleLifecycleListener() {
      @Override
      public void vehicleRemoved(String vehicleId, String unitId) {
        io.fleetgate.vehicle.VehicleArchive.Entry e = archive.get(vehicleId);
        if (e != null) {
          events.removed(e.archived().vehicle(), events.recipients(e.archived().vehicle()));
        }
      }

      @Override
      public void vehicleRestored(String vehicleId, String unitId) {
        io.fleetgate.vehicle.Vehicle v = registry.vehicle(vehicleId);
        if (v != null) {
          events.added(v);
        }
      }
    };
  }

  /** VehicleChanged SHARING_STARTED / SHARING_ENDED, to both fleets (the partner hears of the end too). */
  private SharingListener sharingEvents() {
    return new SharingListener() {
      @Override
      public void sharingStarted(String vehicleId, String ownerFleetId, String partnerFleetId) {
        tell(vehicleId, io.fleetgate.vehicle.VehicleEvents.Reason.SHARING_STARTED, ownerFleetId, partnerFleetId);
      }

      @Override
      public void sharingEnded(String vehicleId, String ownerFleetId, String partnerFleetId, Reason reason) {
        tell(vehicleId, io.fleetgate.vehicle.VehicleEvents.Reason.SHARING_ENDED, ownerFleetId, partnerFleetId);
      }

      private void tell(String vehicleId, io.fleetgate.vehicle.VehicleEvents.Reason why, String owner, String partner) {
        io.fleetgate.vehicle.Vehicle v = registry.vehicle(vehicleId);
        if (v != null) {
          events.changed(v, List.of(why), List.of(owner, partner));
        }
      }
    };
  }

  /** Removing a vehicle cancels its queued commands (CANCELED, never delivered). */
  private static VehicleLifecycleListener commandCancellation(io.fleetgate.command.CommandCancellation commands) {
    return new VehicleLifecycleListener() {
      @Override
      public void vehicleRemoved(String vehicleId, String unitId) {
        commands.cancelAllQueued(vehicleId, "vehicle removed");
      }

      @Override
      public void vehicleRestored(String vehicleId, String unitId) {}
    };
  }

  /** Ending a sharing cancels the partner's queued commands for that vehicle. */
  private static SharingListener partnerCommandCancellation(io.fleetgate.command.CommandCancellation commands) {
    return new SharingListener() {
      @Override
      public void sharingStarted(String vehicleId, String ownerFleetId, String partnerFleetId) {}

      @Override
      public void sharingEnded(String vehicleId, String ownerFleetId, String partnerFleetId, Reason reason) {
        commands.cancelQueued(vehicleId, partnerFleetId, "sharing ended");
      }
    };
  }

  /** A unit password's Argon2 hash (worker pool) and keyed verifier (one HMAC). */
  private Future<UnitCredential> unitCredential(String unitId, String password) {
    return secrets.hash(password).map(hash -> new UnitCredential(hash, keyedVerifier.derive(unitId, password)));
  }

  /** A unit's credentials no longer hold: forget its cached verification and close its live session at once. */
  private void revokeUnit(String unitId) {
    secrets.forget(UnitAuthenticator.cacheKey(unitId));
    DeviceSession session = devices.sessions().current(unitId);
    if (session != null) {
      session.revoke();
    }
  }

  /** A Vert.x instance with Micrometer metrics into {@code metrics} and the blocked-thread checker at {@code maxEventLoopMs}. */
  public static Vertx newVertx(PrometheusMeterRegistry metrics, long maxEventLoopMs) {
    return Vertx.builder().with(vertxOptions(metrics, maxEventLoopMs)).withMetrics(new MicrometerMetricsFactory(metrics)).build();
  }

  /**
   * The Vert.x instance for {@code config}: clustered through Hazelcast when cluster.members is set (its member
   * joins before this completes), else exactly {@link #newVertx}.
   */
  public static Future<Vertx> newVertx(PrometheusMeterRegistry metrics, long maxEventLoopMs, GatewayConfig config) {
    if (!config.cluster().enabled()) {
      return Future.succeededFuture(newVertx(metrics, maxEventLoopMs));
    }
    VertxOptions options = io.fleetgate.cluster.ClusterSetup.eventBus(vertxOptions(metrics, maxEventLoopMs), config.cluster());
    return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(metrics))
        .withClusterManager(io.fleetgate.cluster.ClusterSetup.clusterManager(config.cluster())).buildClustered();
  }

  private static VertxOptions vertxOptions(PrometheusMeterRegistry metrics, long maxEventLoopMs) {
    return new VertxOptions()
        .setPreferNativeTransport(true) // epoll on Linux when its natives load, else NIO (logged at start-up)
        .setMaxEventLoopExecuteTime(maxEventLoopMs)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setWarningExceptionTime(maxEventLoopMs)
        .setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS)
        .setMetricsOptions(GatewayMetrics.vertxOptions(metrics));
  }

  /** The registry behind {@code /metrics}: HTTP latency histogram and {@code fleetgate_build_info} configured. */
  public static PrometheusMeterRegistry newMetrics() {
    return GatewayMetrics.newRegistry(BuildInfo.current());
  }

  /** Builds, loads and deploys a gateway. Fails with a {@link ConfigException} for a bad setting. */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, PrometheusMeterRegistry metrics) {
    return start(vertx, config, metrics, Clock.systemUTC());
  }

  /** With a clock of the caller's (tests move it to expire archive entries). */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, PrometheusMeterRegistry metrics, Clock clock) {
    Future<PgStores.Opened> opened = config.dbUrl() == null
        ? Future.succeededFuture(new PgStores.Opened(null, Stores.memory(config)))
        : PgStores.open(vertx, config);
    // Built on a worker: the constructor reads files and may generate a key, and once the database has been
    // opened this continues on an event loop.
    return opened.compose(o -> vertx.executeBlocking(() -> new Gateway(vertx, config, metrics, clock, o.stores(), o.database()), false)
        .recover(e -> {
          if (o.database() != null) {
            o.database().close();
          }
          return Future.failedFuture(e);
        })
        .compose(g -> g.serve().recover(e -> g.stop().transform(ar -> Future.failedFuture(e)))));
  }

  private Future<Gateway> serve() {
    Gateway g = this;
    return (clustered == null ? Future.<Void>succeededFuture() : clustered.start()
        .compose(v -> clusterEvents.start())
        .map(v -> {
          io.fleetgate.cluster.ClusterLimits.divide(cluster, List.of(apiRate, tokenChecks, tokenPairChecks));
          return null;
        })
        .compose(v -> workingSetSync.begin()))
        .compose(v -> g.workingSet.load())
        .compose(v -> clustered == null ? Future.<Void>succeededFuture() : clustered.load())
        .compose(v -> sequences == null ? Future.<Void>succeededFuture() : sequences.catchUp())
        .compose(v -> g.adminBootstrap.ensure(config.admin()))
        .compose(v -> g.amqp == null ? Future.<Void>succeededFuture() : g.amqp.start())
        .compose(v -> g.deployApi())
        .compose(v -> g.deployDevices())
        .map(v -> {
          g.housekeeping.start();
          if (workingSetSync != null) {
            workingSetSync.start();
          }
          g.serving = true;
          LOG.info("fleetgate listening: " + g.listenerSummary()
              + "; store: " + (database == null ? "in memory" : "PostgreSQL " + database.where())
              + "; transport: " + (vertx.isNativeTransportEnabled() ? "native (epoll)" : "NIO"));
          if (g.tokens.isEphemeral()) {
            LOG.warning("jwt.key (FLEETGATE_JWT_KEY) is not set: tokens are signed with an ephemeral key and stop verifying when this process ends");
          }
          if (!g.verifierKey.persistent() && database != null) {
            LOG.warning("hash.verifierKey (FLEETGATE_HASH_VERIFIER_KEY) and jwt.key are not set: unit password verifiers"
                + " use an ephemeral key, so after a restart every unit pays one Argon2 login again");
          }
          return g;
        });
  }

  public int httpPort() {
    return httpPort;
  }

  public int mqttPort() {
    return mqttPort;
  }

  public int tcpPort() {
    return tcpPort;
  }

  /** The MQTT TLS listener's port, or -1 when TLS is off. */
  public int mqttTlsPort() {
    return mqttTlsPort;
  }

  /** The TCP TLS listener's port, or -1 when TLS is off. */
  public int tcpTlsPort() {
    return tcpTlsPort;
  }

  /** "http 8080, mqtt 1884, tcp 5100, mqtt-tls 8884, tcp-tls 5101 (TLS: openssl engine, client certificates)". */
  private String listenerSummary() {
    String bound;
    synchronized (listeners) {
      bound = String.join(", ", listeners.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
    }
    if (tls == null) {
      return bound + " (TLS off: tls.cert unset)";
    }
    return bound + " (TLS: " + tls.engineName() + " engine, " + (tls.clientCertificates() ? "client certificates from tls.clientCa" : "passwords only") + ")";
  }

  private Future<Void> deployApi() {
    ApiSupport support = new ApiSupport(tokens, directory, apiRate, workingSetSync);
    List<RouteGroup> groups = routeGroups();
    GatewayConfig.Http http = config.http();
    io.fleetgate.ops.HttpConnectionLimits limits =
        new io.fleetgate.ops.HttpConnectionLimits(fileDescriptors.http(), http.maxConnectionsPerAddress());
    HttpConnectionPolicy httpConnections = new HttpConnectionPolicy(limits,
        new io.fleetgate.ops.HttpConnectionMetrics(metrics, limits), http.requestHeaderTimeoutSeconds() * 1000L,
        http.minBodyBytesPerSecond(), http.trustedProxies());
    io.fleetgate.tls.ServerTls https = http.tls() ? tls : null;
    return deployShared(port -> new ApiVerticle(http.host(), port, http.bodyLimitBytes(), support, groups, httpConnections, https),
        http.port(), 1)
        .map(port -> {
          httpPort = port;
          listeners.put(https != null ? "https" : "http", port);
          return null;
        });
  }

  /**
   * Every route group of the API. Public so that a test can mount them on a router of its own and hold the
   * mounted routes against the OpenAPI description.
   */
  public List<RouteGroup> routeGroups() {
    List<RouteGroup> groups = new ArrayList<>();
    groups.add(new AuthRoutes(directory, secrets, tokens, tokenChecks, tokenPairChecks, config.http()));
    groups.add(new FleetRoutes(admin));
    groups.add(new OpsRoutes(vertx, readiness, metrics));
    groups.add(new DocsRoutes(vertx));
    groups.add(new ConsoleRoutes(vertx, config.console()));
    groups.add(new VehicleRoutes(vehicles, catalog, sharing));
    groups.add(new LifecycleRoutes(lifecycle, vehicles, sharing));
    groups.add(new CommandRoutes(commands));
    groups.add(new PartnerRoutes(partners));
    groups.add(new SharingRoutes(vehicles, sharing));
    GatewayConfig.Events ev = config.events();
    groups.add(new EventRoutes(sse, eventLog, directory, registry, access, ev.sseBufferEvents(), ev.keepAliveSeconds()));
    groups.add(new EventConsumerRoutes(eventConsumers));
    groups.add(new EventLogRoutes(eventLog));
    return groups;
  }

  /** Up once every listener is bound, down again as soon as {@link #stop()} begins (so balancers drain first). */
  private Future<ReadinessCheck.Result> listenersBound() {
    String bound;
    synchronized (listeners) {
      bound = listeners.isEmpty() ? "none" : String.join(", ", listeners.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
    }
    return Future.succeededFuture(serving
        ? ReadinessCheck.Result.up("bound: " + bound)
        : ReadinessCheck.Result.down("not serving (starting or stopping); bound: " + bound));
  }

  private Future<Void> deployDevices() {
    GatewayConfig.Mqtt mqtt = config.mqtt();
    // MQTT and TCP share the devices' file descriptors; each keeps its own configured bound within them
    ConnectionBudget deviceFds = new ConnectionBudget(fileDescriptors.devices());
    ConnectionBudget mqttConnections = new ConnectionBudget(Math.min(mqtt.maxConnections(), fileDescriptors.devices()), deviceFds);
    deviceMetrics.mqttConnections(mqttConnections::inUse);
    GatewayConfig.Tcp tcp = config.tcp();
    ConnectionBudget tcpConnections = new ConnectionBudget(Math.min(tcp.maxConnections(), fileDescriptors.devices()), deviceFds);
    deviceMetrics.tcpConnections(tcpConnections::inUse);
    PreLoginLog mqttPreLogin = new PreLoginLog("fleetgate.mqtt", "MQTT");
    PreLoginLog tcpPreLogin = new PreLoginLog("fleetgate.tcp", "TCP");
    io.fleetgate.device.mqtt.DecoderErrorLog.routeTo(mqttPreLogin);
    return deployShared(port -> new MqttDeviceVerticle(mqtt.host(), port, mqtt, mqttConnections, mqttPreLogin, devices), mqtt.port(), 2)
        .map(port -> {
          mqttPort = port;
          listeners.put("mqtt", port);
          return null;
        })
        .compose(v -> deployShared(port -> new TcpDeviceVerticle(tcp.host(), port, tcp, tcpConnections, tcpPreLogin, devices), tcp.port(), 3))
        .map(port -> {
          tcpPort = port;
          listeners.put("tcp", port);
          return null;
        })
        .compose(v -> deployTlsDevices(mqttConnections, tcpConnections, mqttPreLogin, tcpPreLogin));
  }

  /** The TLS device listeners (mqtt.tlsPort, tcp.tlsPort) when tls.cert is set; they share the plain ones' connection budgets. */
  private Future<Void> deployTlsDevices(ConnectionBudget mqttConnections, ConnectionBudget tcpConnections, PreLoginLog mqttPreLogin,
      PreLoginLog tcpPreLogin) {
    if (tls == null) {
      return Future.succeededFuture();
    }
    GatewayConfig.Mqtt mqtt = config.mqtt();
    GatewayConfig.Tcp tcp = config.tcp();
    return deployShared(port -> new MqttDeviceVerticle(mqtt.host(), port, mqtt, mqttConnections, mqttPreLogin, devices, tls), mqtt.tlsPort(), 4)
        .map(port -> {
          mqttTlsPort = port;
          listeners.put("mqtt-tls", port);
          return null;
        })
        .compose(v -> deployShared(port -> new TcpDeviceVerticle(tcp.host(), port, tcp, tcpConnections, tcpPreLogin, devices, tls), tcp.tlsPort(), 5))
        .map(port -> {
          tcpTlsPort = port;
          listeners.put("tcp-tls", port);
          return null;
        });
  }

  /**
   * Deploys one instance of a listener verticle per event loop, all on one port. Vert.x shares a port among
   * instances, but port 0 ("any") is never shared: a negative port is its shared form, one per listener kind.
   */
  private Future<Integer> deployShared(java.util.function.IntFunction<? extends PortBound> factory, int port, int listenerKind) {
    int instances = Math.max(1, VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE);
    int bindPort = port == 0 ? -listenerKind : port;
    List<PortBound> created = new java.util.concurrent.CopyOnWriteArrayList<>();
    Supplier<PortBound> supplier = () -> {
      PortBound v = factory.apply(bindPort);
      created.add(v);
      return v;
    };
    return vertx.deployVerticle(supplier, new DeploymentOptions().setInstances(instances)).map(id -> {
      deployments.add(id);
      return created.get(0).actualPort();
    });
  }

  /** Undeploys the listeners (the Vert.x instance stays the caller's). */
  public Future<Void> stop() {
    serving = false;
    housekeeping.stop();
    List<Future<Void>> all = new ArrayList<>();
    for (String id : deployments) {
      all.add(vertx.undeploy(id));
    }
    if (clustered != null) {
      all.add(workingSetSync.stop().compose(v -> clusterEvents.stop()).compose(v -> clustered.stop()));
    }
    return Future.join(all).<Void>mapEmpty()
        .compose(v -> amqp == null ? Future.<Void>succeededFuture() : amqp.stop())
        .eventually(() -> stores.states().close()) // what the units were told is done, and the latest state
        .eventually(() -> eventLog.close())
        .eventually(() -> database == null ? Future.succeededFuture() : database.close())
        .onComplete(ar -> secrets.close());
  }

}
