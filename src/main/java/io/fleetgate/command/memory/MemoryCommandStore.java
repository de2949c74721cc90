package io.fleetgate.command.memory;

import io.fleetgate.command.Command;
import io.fleetgate.command.CommandStatus;
import io.fleetgate.command.CommandStore;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Commands in memory: one map by id, and per vehicle its commands by sequence. At most
 * {@code historyPerVehicle} commands are kept per vehicle; the oldest that are no longer QUEUED are dropped
 * first (queued ones are bounded by the queue limit and never dropped unseen).
 */
public final class MemoryCommandStore implements CommandStore {
  private final int historyPerVehicle;
  private final Map<UUID, Command> byId = new ConcurrentHashMap<>();
  private final Map<String, TreeMap<Long, UUID>> byVehicle = new ConcurrentHashMap<>();

  public MemoryCommandStore(int historyPerVehicle) {
    this.historyPerVehicle = historyPerVehicle;
  }

  @Override
  public Future<Void> insert(Command command) {
    TreeMap<Long, UUID> index = byVehicle.computeIfAbsent(command.vehicleId(), v -> new TreeMap<>());
    synchronized (index) {
      byId.put(command.id(), command);
      index.put(command.seq(), command.id());
      trim(index);
    }
    return Future.succeededFuture();
  }

  private void trim(TreeMap<Long, UUID> index) {
    Iterator<UUID> oldestFirst = index.values().iterator();
    int excess = index.size() - historyPerVehicle;
    while (excess > 0 && oldestFirst.hasNext()) {
      UUID id = oldestFirst.next();
      Command c = byId.get(id);
      if (c == null || c.status() != CommandStatus.QUEUED) {
        oldestFirst.remove();
        byId.remove(id);
        excess--;
      }
    }
  }

  @Override
  public Future<Boolean> update(Command expected, Command next) {
    return Future.succeededFuture(byId.replace(expected.id(), expected, next));
  }

  @Override
  public Future<Command> get(UUID id) {
    return Future.succeededFuture(byId.get(id));
  }

  @Override
  public Future<List<Command>> list(String vehicleId, String fleetId, long beforeSeq, int limit) {
    List<Command> out = new ArrayList<>(Math.min(limit, 64));
    TreeMap<Long, UUID> index = byVehicle.get(vehicleId);
    if (index != null) {
      synchronized (index) {
        for (UUID id : index.headMap(beforeSeq, false).descendingMap().values()) {
          Command c = byId.get(id);
          if (c != null && c.fleetId().equals(fleetId)) {
            out.add(c);
            if (out.size() == limit) {
              break;
            }
          }
        }
      }
    }
    return Future.succeededFuture(out);
  }

  @Override
  public Future<List<Command>> queued(String vehicleId) {
    List<Command> out = new ArrayList<>();
    TreeMap<Long, UUID> index = byVehicle.get(vehicleId);
    if (index != null) {
      synchronized (index) {
        for (UUID id : index.values()) {
          Command c = byId.get(id);
          if (c != null && c.status() == CommandStatus.QUEUED) {
            out.add(c);
          }
        }
      }
    }
    return Future.succeededFuture(out);
  }

  @Override
  public Future<List<Command>> loadQueued() {
    return Future.succeededFuture(byId.values().stream().filter(c -> c.status() == CommandStatus.QUEUED)
        .sorted(java.util.Comparator.comparingLong(Command::seq)).toList());
  }

  @Override
  public Future<Long> maxSeq() {
    return Future.succeededFuture(byId.values().stream().mapToLong(Command::seq).max().orElse(0));
  }
}
