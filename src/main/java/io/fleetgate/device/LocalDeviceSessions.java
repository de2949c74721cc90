package io.fleetgate.device;

import java.util.concurrent.ConcurrentHashMap;

/** {@link DeviceSessions} of this process: a concurrent map, the per-key lock making the callbacks atomic. */
public final class LocalDeviceSessions implements DeviceSessions {
  private final ConcurrentHashMap<String, DeviceSession> sessions = new ConcurrentHashMap<>();

  @Override
  public DeviceSession register(DeviceSession session, Runnable onCurrent) {
    DeviceSession[] previous = new DeviceSession[1];
    sessions.compute(session.unitId(), (id, old) -> {
      previous[0] = old;
      onCurrent.run();
      return session;
    });
    return previous[0] == session ? null : previous[0];
  }

  @Override
  public boolean unregister(DeviceSession session, Runnable onRemoved) {
    boolean[] removed = new boolean[1];
    sessions.computeIfPresent(session.unitId(), (id, current) -> {
      if (current != session) {
        return current;
      }
      removed[0] = true;
      onRemoved.run();
      return null;
    });
    return removed[0];
  }

  @Override
  public DeviceSession current(String unitId) {
    return sessions.get(unitId);
  }

  @Override
  public int size() {
    return sessions.size();
  }
}
