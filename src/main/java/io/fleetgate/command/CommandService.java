package io.fleetgate.command;

import io.fleetgate.auth.Principal;
import io.fleetgate.problem.Problems;
import io.fleetgate.protocol.CommandResult;
import io.fleetgate.vehicle.Vehicle;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.VehicleAccess;
import io.fleetgate.vehicle.VehicleLive;
import io.fleetgate.vehicle.VehicleRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Sending commands, their results, queues and cancellation. Every status change goes through
 * {@link #transition}: the allowed step ({@link CommandStatus#mayBecome}) written with a compare-and-set, so
 * each command ends in exactly one terminal status however a result, an expiry and a cancel race.
 *
 * <p>Synchronous: {@code authorize → capability → reachable → insert → deliver → await result}. The wait is
 * {@code min(ttl, command.timeoutSeconds)}; on timeout the command stays as it is (DELIVERED once the PUBACK
 * came) and a result that arrives later is recorded. A synchronous command that could not be handed to the
 * unit (connection lost, no PUBACK in time) ends EXPIRED with a detail saying so, so it is never delivered
 * later. Synchronous commands do not wait behind the vehicle's queue.
 *
 * <p>Asynchronous: {@code authorize → capability → admit to the vehicle's queue → insert → drain}. The queue
 * holds at most {@code command.queuePerVehicle} QUEUED commands (more: 409 conflict). A vehicle's queue is
 * drained one command at a time, oldest first, each waiting for its PUBACK, whenever the unit becomes ready
 * (connected and subscribed at QoS 1) or a command is added; {@code expires_at} is checked right before each
 * delivery, and a timer also expires queued commands. A command whose delivery got no PUBACK stays QUEUED at
 * the head and is sent again at the next readiness (at least once, as MQTT QoS 1).
 */
public final class CommandService implements CommandCancellation, CommandReadiness {
  private static final Logger LOG = Logger.getLogger("fleetgate.commands");
  public static final int DEFAULT_ASYNC_TTL_SECONDS = 3600;
  /** How soon an expiry the store could not take is tried again. */
  static final long EXPIRY_RETRY_MS = 5_000;
  static final String RESTARTED = "not delivered: the gateway restarted while its sender waited";
  static final String NODE_LEFT = "not delivered: the gateway node its sender waited on left the cluster";

  private final Vertx vertx;
  private final VehicleRegistry registry;
  private final VehicleAccess access;
  private final CommandStore store;
  private final CommandRouter router;
  private final Clock clock;
  private final int syncTimeoutSeconds;
  private final CommandQueues queues;
  private final CommandMetrics metrics;
  private final AtomicLong seq = new AtomicLong();
  private final java.util.function.Consumer<Command> statusListener;
  /** Synchronous senders waiting for a terminal status, by command id. */
  private final Map<UUID, Promise<Command>> waiters = new ConcurrentHashMap<>();
  /** Synchronous commands not yet out of QUEUED: the queue's drain leaves them alone. */
  private final java.util.Set<UUID> syncQueued = ConcurrentHashMap.newKeySet();
  /** Expiry timers of QUEUED commands. */
  private final Map<UUID, Long> expiryTimers = new ConcurrentHashMap<>();
  /**
   * The last version this service wrote of each synchronous command whose sender waits (as long as it is in
   * {@link #waiters}): its next change is tried as a compare-and-set on it without reading it first. Only a
   * hint: when it is stale the compare-and-set loses and {@link #transition(UUID, Function)} reads.
   */
  private final Map<UUID, Command> lastKnown = new ConcurrentHashMap<>();
  /**
   * Several nodes share the store's queues (cluster.members): commands queued through another node are not
   * counted here, so the queue limit is checked against the store, a drain reads the store whatever this node
   * counted, and at start-up only synchronous commands whose sender has surely given up are ended.
   */
  private final boolean sharedQueues;
  private final io.fleetgate.vehicle.LiveReads liveReads;
  private final String nodeId;

  public CommandService(Vertx vertx, VehicleRegistry registry, VehicleAccess access, CommandStore store, CommandRouter router, Clock clock,
      int syncTimeoutSeconds, int queuePerVehicle, MeterRegistry meters) {
    this(vertx, registry, access, store, router, clock, syncTimeoutSeconds, queuePerVehicle, meters, c -> {});
  }

  /** @param statusListener told of every command created (QUEUED) and of each status change after it; must not block */
  public CommandService(Vertx vertx, VehicleRegistry registry, VehicleAccess access, CommandStore store, CommandRouter router, Clock clock,
      int syncTimeoutSeconds, int queuePerVehicle, MeterRegistry meters, java.util.function.Consumer<Command> statusListener) {
    this(vertx, registry, access, store, router, clock, syncTimeoutSeconds, queuePerVehicle, meters, statusListener, false);
  }

  /** @param sharedQueues other nodes queue commands in the same store (a cluster) */
  public CommandService(Vertx vertx, VehicleRegistry registry, VehicleAccess access, CommandStore store, CommandRouter router, Clock clock,
      int syncTimeoutSeconds, int queuePerVehicle, MeterRegistry meters, java.util.function.Consumer<Command> statusListener,
      boolean sharedQueues) {
    this(vertx, registry, access, store, router, clock, syncTimeoutSeconds, queuePerVehicle, meters, statusListener, sharedQueues,
        io.fleetgate.vehicle.LiveReads.LOCAL, null);
  }

  /**
   * @param liveReads where a synchronous command's 200 reads the state after it (in a cluster: the unit's node)
   * @param nodeId this cluster node's id, stored with the commands it creates (null for a single node)
   */
  public CommandService(Vertx vertx, VehicleRegistry registry, VehicleAccess access, CommandStore store, CommandRouter router, Clock clock,
      int syncTimeoutSeconds, int queuePerVehicle, MeterRegistry meters, java.util.function.Consumer<Command> statusListener,
      boolean sharedQueues, io.fleetgate.vehicle.LiveReads liveReads, String nodeId) {
    this.sharedQueues = sharedQueues;
    this.liveReads = liveReads;
    this.nodeId = nodeId;
    this.statusListener = statusListener;
    this.vertx = vertx;
    this.registry = registry;
    this.access = access;
    this.store = store;
    this.router = router;
    this.clock = clock;
    this.syncTimeoutSeconds = syncTimeoutSeconds;
    this.queues = new CommandQueues(queuePerVehicle);
    this.metrics = new CommandMetrics(meters);
  }

  // ---- sending ------------------------------------------------------------------------------------------

  /**
   * Sends {@code name} (a capability name) to a vehicle.
   *
   * @param ttlSeconds null for the default (asynchronous: 3600; synchronous: the command timeout)
   */
  public Future<CommandOutcome> send(Principal principal, String vehicleId, String name, Integer ttlSeconds, boolean async) {
    Vehicle vehicle = registry.vehicle(vehicleId);
    access.requireCommand(principal, vehicle);
    if (!vehicle.capabilities().commands().contains(name)) {
      throw CommandProblems.notSupported(name);
    }
    int ttl = ttlSeconds != null ? ttlSeconds : async ? DEFAULT_ASYNC_TTL_SECONDS : syncTimeoutSeconds;
    if (!sharedQueues) {
      return send(vehicle, principal, name, ttl, async, seq.incrementAndGet());
    }
    return store.nextSharedSeq().compose(next -> send(vehicle, principal, name, ttl, async, next));
  }

  private Future<CommandOutcome> send(Vehicle vehicle, Principal principal, String name, int ttl, boolean async, long seq) {
    Instant now = now();
    Command command = new Command(UUID.randomUUID(), seq, vehicle.id(), principal.clientId(),
        principal.fleetId(), name, async, CommandStatus.QUEUED, now, now.plusSeconds(ttl), now, null);
    return async ? sendAsync(command) : sendSync(command, Math.min(ttl, syncTimeoutSeconds));
  }

  private Future<CommandOutcome> sendAsync(Command command) {
    if (sharedQueues) {
      // the queue as the store has it, counted under a lock per vehicle: sends racing through several nodes
      // cannot pass the limit together
      return store.insertQueuedWithin(command, queues.limit(), nodeId).compose(inserted -> {
        if (!inserted) {
          metrics.queueFull();
          return Future.failedFuture(CommandProblems.queueFull(queues.limit()));
        }
        queues.restore(command.vehicleId());
        return Future.succeededFuture(queued(command));
      });
    }
    if (!queues.admit(command.vehicleId())) {
      metrics.queueFull();
      return Future.failedFuture(CommandProblems.queueFull(queues.limit()));
    }
    return store.insert(command, nodeId)
        .onFailure(e -> queues.left(command.vehicleId()))
        .map(v -> queued(command));
  }

  /** A command just stored as QUEUED: counted, reported, its expiry armed, and its queue drained if possible. */
  private CommandOutcome queued(Command command) {
    metrics.status(CommandStatus.QUEUED);
    statusListener.accept(command);
    armExpiry(command);
    drain(command.vehicleId());
    return new CommandOutcome(command, null);
  }

  private Future<CommandOutcome> sendSync(Command command, int waitSeconds) {
    if (!router.reachable(command.vehicleId())) {
      throw CommandProblems.offline("the vehicle's telematics unit is not connected (or not subscribed to its commands)");
    }
    Promise<Command> result = Promise.promise();
    waiters.put(command.id(), result);
    lastKnown.put(command.id(), command);
    long timer = vertx.setTimer(waitSeconds * 1000L, t -> {
      if (waiters.remove(command.id(), result)) {
        lastKnown.remove(command.id());
        store.get(command.id()).onComplete(ar -> result.tryFail(CommandProblems.timeout(ar.succeeded() && ar.result() != null ? ar.result() : command)));
      }
    });
    syncQueued.add(command.id());
    store.insert(command, nodeId)
        .onFailure(e -> notStored(command, result, e))
        .onSuccess(v -> {
          metrics.status(CommandStatus.QUEUED);
          statusListener.accept(command);
          router.deliver(command)
              .compose(x -> transition(known(command), c -> c.to(CommandStatus.DELIVERED, null, now())))
              .onFailure(e -> undelivered(command, result, e));
        });
    return result.future()
        .onComplete(ar -> vertx.cancelTimer(timer))
        .compose(this::syncOutcome);
  }

  /** A synchronous command the store did not take (database down: 503) was never there: nothing to undo. */
  private void notStored(Command command, Promise<Command> result, Throwable e) {
    syncQueued.remove(command.id());
    waiters.remove(command.id(), result);
    lastKnown.remove(command.id());
    result.tryFail(e);
  }

  /** A synchronous command that never reached the unit ends EXPIRED and its sender learns why. */
  private void undelivered(Command command, Promise<Command> result, Throwable e) {
    Command known = known(command);
    waiters.remove(command.id(), result);
    lastKnown.remove(command.id());
    String why = e instanceof DeliveryTimeoutException ? "no proof of delivery from the unit in time"
        : "the unit went offline before the command reached it";
    transition(known, c -> c.to(CommandStatus.EXPIRED, "not delivered: " + why, now()));
    if (e instanceof DeliveryTimeoutException) {
      result.tryFail(CommandProblems.timeout(command));
    } else if (e instanceof UnitOfflineException) {
      result.tryFail(CommandProblems.offline(why));
    } else {
      result.tryFail(e);
    }
  }

  private Future<CommandOutcome> syncOutcome(Command c) {
    if (c.status() == CommandStatus.SUCCEEDED) {
      return latestState(c.vehicleId()).map(state -> new CommandOutcome(c, state));
    }
    if (c.status() == CommandStatus.FAILED || c.status() == CommandStatus.REJECTED) {
      return Future.failedFuture(CommandProblems.unitError(c));
    }
    if (c.status() == CommandStatus.CANCELED) {
      return Future.failedFuture(Problems.conflict("the command was canceled: " + c.detail()));
    }
    return Future.failedFuture(CommandProblems.timeout(c));
  }

  /** The state after a command: as the unit's node has it (the result was applied there before it was answered). */
  private Future<List<Reading>> latestState(String vehicleId) {
    Vehicle v = registry.vehicle(vehicleId);
    if (v == null) {
      return Future.succeededFuture(List.of());
    }
    return liveReads.remote(List.of(v)).map(remote -> {
      VehicleLive live = remote.containsKey(vehicleId) ? remote.get(vehicleId) : registry.live(vehicleId);
      return live == null ? List.<Reading>of() : live.state.snapshot(v.capabilities().stateMask());
    });
  }

  // ---- start-up -----------------------------------------------------------------------------------------

  /**
   * Takes up what the store kept (start-up, before units connect): the sequence goes on above the stored
   * maximum; a QUEUED asynchronous command waits for its unit again (expiry timer armed, delivered at the
   * unit's next readiness), unless it expired meanwhile: then it ends EXPIRED, never delivered. A synchronous
   * command still QUEUED lost its waiting sender with the old process: it ends EXPIRED ({@value #RESTARTED}) so
   * it never reaches the unit late. A DELIVERED command stays DELIVERED: the unit has it, and its result, if it
   * comes after the unit reconnects, is recorded as always.
   *
   * @return how many queued commands wait for delivery
   */
  public Future<Integer> recover() {
    return store.maxSeq()
        .compose(max -> {
          seq.accumulateAndGet(max, Math::max);
          return (sharedQueues ? store.sharedSeqAtLeast(max) : Future.<Void>succeededFuture()).compose(v -> store.loadQueued());
        })
        .compose(queued -> {
          Instant now = now();
          List<Future<Command>> ended = new java.util.ArrayList<>();
          int waiting = 0;
          for (Command c : queued) {
            queues.restore(c.vehicleId()); // counted like an admitted one: leaving QUEUED uncounts it
            if (!c.async() && sharedQueues && c.createdAt().plusSeconds(syncTimeoutSeconds + 60L).isAfter(now)) {
              queues.left(c.vehicleId()); // another node's sender may still wait for it: that node ends it
            } else if (!c.async()) {
              ended.add(transition(c, cur -> cur.to(CommandStatus.EXPIRED, RESTARTED, now)));
            } else if (c.expiredAt(now)) {
              ended.add(expire(c));
            } else {
              armExpiry(c);
              waiting++;
            }
          }
          int w = waiting;
          return Future.all(ended).map(v -> w);
        });
  }

  /**
   * A cluster node left (its member is gone, maybe killed): its QUEUED commands are adopted by the survivors, each
   * by exactly one (a conditional UPDATE in the store). A synchronous one lost its waiting sender: it ends
   * EXPIRED ({@value #NODE_LEFT}) once, as at a restart, unless the unit's result came first. An asynchronous one
   * stays queued, delivered when its unit next connects to any node (same command id); its expiry timer, which
   * ran on the departed node, runs here now. A DELIVERED command is the unit's: its result, through any node, ends it.
   *
   * @return how many commands this node adopted
   */
  public Future<Integer> nodeLeft(String departedNode) {
    if (nodeId == null) {
      return Future.succeededFuture(0);
    }
    return store.adoptQueued(departedNode, nodeId).compose(adopted -> {
      Instant now = now();
      List<Future<Command>> ended = new java.util.ArrayList<>();
      for (Command c : adopted) {
        if (expiryTimers.containsKey(c.id())) {
          continue; // loaded at this node's start: counted and timed here already
        }
        queues.restore(c.vehicleId()); // counted like an admitted one: leaving QUEUED uncounts it
        if (!c.async()) {
          ended.add(transition(c, cur -> cur.to(CommandStatus.EXPIRED, NODE_LEFT, now)));
        } else if (c.expiredAt(now)) {
          ended.add(expire(c));
        } else {
          armExpiry(c);
        }
      }
      if (!adopted.isEmpty()) {
        LOG.info(adopted.size() + " queued commands of departed node " + departedNode + " adopted");
      }
      return Future.join(ended).map(v -> adopted.size());
    });
  }

  // ---- the queue ----------------------------------------------------------------------------------------

  /** The unit can take commands now: send what is queued. */
  @Override
  public void commandsReady(String vehicleId) {
    drain(vehicleId);
  }

  private void drain(String vehicleId) {
    if (!router.drainsHere(vehicleId)) {
      return;
    }
    CommandQueues.Lane lane = queues.lane(vehicleId);
    if (lane.begin()) {
      drainNext(vehicleId, lane);
    }
  }

  private void drainNext(String vehicleId, CommandQueues.Lane lane) {
    boolean mayHaveQueued = sharedQueues || lane.queued() > 0;
    if (!mayHaveQueued || !(sharedQueues ? router.drainsHere(vehicleId) : router.reachable(vehicleId))) {
      finish(vehicleId, lane);
      return;
    }
    store.queued(vehicleId).onComplete(ar -> {
      if (ar.failed() || ar.result().isEmpty()) {
        finish(vehicleId, lane);
        return;
      }
      // only asynchronous commands are queued; a synchronous one is on its way with its sender waiting (on a
      // cluster, maybe on another node, which is why this is not left to syncQueued alone)
      Command head = ar.result().stream().filter(c -> c.async() && !syncQueued.contains(c.id())).findFirst().orElse(null);
      if (head == null) {
        finish(vehicleId, lane);
        return;
      }
      if (head.expiredAt(clock.instant())) {
        expire(head).onComplete(x -> drainNext(vehicleId, lane));
        return;
      }
      router.deliver(head).onComplete(d -> {
        if (d.succeeded()) {
          transition(head, c -> c.to(CommandStatus.DELIVERED, null, now()))
              .onComplete(x -> drainNext(vehicleId, lane));
        } else {
          LOG.fine(() -> "command " + head.id() + " not delivered, stays queued: " + d.cause().getMessage());
          finish(vehicleId, lane);
        }
      });
    });
  }

  private void finish(String vehicleId, CommandQueues.Lane lane) {
    if (lane.end()) {
      drainNext(vehicleId, lane); // someone asked for a drain meanwhile
    }
  }

  private void armExpiry(Command command) {
    armExpiry(command, Math.max(1, command.expiresAt().toEpochMilli() - clock.millis()));
  }

  /** The expiry timer; when the store cannot take the change now, it tries again a little later. */
  private void armExpiry(Command command, long delayMs) {
    long timer = vertx.setTimer(delayMs, t -> {
      expiryTimers.remove(command.id(), t);
      expire(command).onFailure(e -> {
        LOG.fine(() -> "expiring command " + command.id() + " failed, trying again: " + e.getMessage());
        if (!expiryTimers.containsKey(command.id())) {
          armExpiry(command, EXPIRY_RETRY_MS);
        }
      });
    });
    expiryTimers.put(command.id(), timer);
  }

  /** @param known the command as last seen (tried first, without reading it again) */
  private Future<Command> expire(Command known) {
    return transition(known, c -> c.to(CommandStatus.EXPIRED, "expired before it could be delivered", now()));
  }

  // ---- results ------------------------------------------------------------------------------------------

  /**
   * A unit's result (its state was applied already). Matched by id and vehicle; an unknown or foreign id, or
   * a command that already ended, is counted and ignored.
   */
  public Future<Void> onResult(String vehicleId, CommandResult result) {
    Command known = lastKnown.get(result.id());
    // a synchronous command whose sender waits is known here: no read before its compare-and-set
    Future<Command> found = known != null ? Future.succeededFuture(known) : store.get(result.id());
    return found.compose(c -> {
      if (c == null || !c.vehicleId().equals(vehicleId)) {
        metrics.resultIgnored("unknown_id");
        return Future.succeededFuture();
      }
      CommandStatus status = CommandStatus.ofResult(result.status());
      Function<Command, Command> change = cur -> cur.to(status, result.detail(), now());
      return (c == known ? transition(c, change) : transitionFrom(c.id(), c, change)).map(changed -> {
        if (changed == null) {
          metrics.resultIgnored("already_ended");
        }
        return null;
      });
    });
  }

  // ---- reading and canceling ----------------------------------------------------------------------------

  /** 404 unless the caller's fleet sees the vehicle (owner or partner). */
  public void requireVisible(Principal principal, String vehicleId) {
    access.requireRead(principal, registry.vehicle(vehicleId));
  }

  /** A command of the caller's fleet on a vehicle it may see; 404 otherwise. */
  public Future<Command> get(Principal principal, String vehicleId, UUID commandId) {
    Vehicle vehicle = registry.vehicle(vehicleId);
    access.requireRead(principal, vehicle);
    return store.get(commandId).map(c -> {
      if (c == null || !c.vehicleId().equals(vehicle.id()) || !c.fleetId().equals(principal.fleetId())) {
        throw Problems.notFound("command");
      }
      return c;
    });
  }

  /** The caller fleet's commands of a vehicle, newest first, {@code seq < beforeSeq}. */
  public Future<List<Command>> list(Principal principal, String vehicleId, long beforeSeq, int limit) {
    Vehicle vehicle = registry.vehicle(vehicleId);
    access.requireRead(principal, vehicle);
    return store.list(vehicle.id(), principal.fleetId(), beforeSeq, limit);
  }

  /** DELETE: cancels a QUEUED command; 409 in any other status. */
  public Future<Command> cancel(Principal principal, String vehicleId, UUID commandId) {
    return get(principal, vehicleId, commandId)
        .compose(c -> transition(c, cur -> cur.to(CommandStatus.CANCELED, "canceled by the client", now()))
            .compose(changed -> changed != null ? Future.succeededFuture(changed)
                : store.get(c.id()).compose(now -> Future.failedFuture(CommandProblems.notQueued(now != null ? now : c)))));
  }

  @Override
  public Future<Integer> cancelQueued(String vehicleId, String issuingFleetId, String reason) {
    return cancelWhere(vehicleId, c -> issuingFleetId.equals(c.fleetId()), reason);
  }

  @Override
  public Future<Integer> cancelAllQueued(String vehicleId, String reason) {
    return cancelWhere(vehicleId, c -> true, reason);
  }

  /**
   * Cancels the vehicle's queued asynchronous commands that {@code which} selects. A synchronous command is
   * never in the queue: while QUEUED it is on its way to the unit with its sender waiting, and ends by that
   * delivery (DELIVERED, then the unit's result) or by its failure (EXPIRED).
   */
  private Future<Integer> cancelWhere(String vehicleId, java.util.function.Predicate<Command> which, String reason) {
    return store.queued(vehicleId).compose(list -> {
      List<Future<Command>> all = list.stream().filter(Command::async).filter(which)
          .map(c -> transition(c, cur -> cur.to(CommandStatus.CANCELED, reason, now()))).toList();
      return Future.join(all).map(v -> (int) all.stream().filter(f -> f.result() != null).count());
    });
  }

  // ---- the one place a status changes -------------------------------------------------------------------

  /**
   * Applies {@code change} to the stored command with a compare-and-set, retrying when another change came
   * first. {@code change} returns null when the step is not allowed from the current status.
   *
   * @return the command after the change, or null when nothing changed
   */
  Future<Command> transition(UUID id, Function<Command, Command> change) {
    return store.get(id).compose(current -> transitionFrom(id, current, change));
  }

  /**
   * {@link #transition(UUID, Function)} starting from {@code known}, the command as the caller last saw it:
   * the compare-and-set is tried on it at once, and the stored command is read only when that loses (another
   * change came first) or when {@code known} does not allow the step. One statement instead of two when
   * {@code known} is current, the same outcome either way.
   */
  Future<Command> transition(Command known, Function<Command, Command> change) {
    Command next = change.apply(known);
    if (next == null) {
      return transition(known.id(), change); // known may be stale: decide on the stored command
    }
    return store.update(known, next).compose(won -> won ? Future.succeededFuture(changed(known, next)) : transition(known.id(), change));
  }

  /** The last version of a command this service knows, {@code fallback} when it keeps none. */
  private Command known(Command fallback) {
    return lastKnown.getOrDefault(fallback.id(), fallback);
  }

  private Future<Command> transitionFrom(UUID id, Command current, Function<Command, Command> change) {
    Command next = current == null ? null : change.apply(current);
    if (next == null) {
      return Future.succeededFuture(null);
    }
    return store.update(current, next).compose(won -> won ? Future.succeededFuture(changed(current, next)) : transition(id, change));
  }

  /** The current time as the store keeps it (microseconds), so a command held here equals the stored one. */
  private Instant now() {
    return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
  }

  private Command changed(Command before, Command after) {
    metrics.status(after.status());
    lastKnown.computeIfPresent(after.id(), (id, last) -> after);
    if (before.status() == CommandStatus.QUEUED && !syncQueued.remove(after.id())) {
      queues.left(after.vehicleId());
      Long timer = expiryTimers.remove(after.id());
      if (timer != null) {
        vertx.cancelTimer(timer);
      }
    }
    if (after.status().isTerminal()) {
      lastKnown.remove(after.id());
      Promise<Command> waiter = waiters.remove(after.id());
      if (waiter != null) {
        waiter.tryComplete(after);
      }
    }
    statusListener.accept(after);
    LOG.fine(() -> "command " + after.id() + " of vehicle " + after.vehicleId() + ": " + before.status() + " → " + after.status());
    return after;
  }
}
