package io.fleetgate.events;

import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The flow id an event carries. A REST request binds its flow id to its own (duplicated) Vert.x context, so
 * everything that request causes — on its thread or in futures completed back on its context — reads it
 * here without every service taking a flow id parameter. Work with no request behind it (device frames,
 * timers of their own) gets a fresh id. Timers a request arms inherit its context, so e.g. a sharing that
 * ends at its scheduled time reports the flow id of the request that scheduled it.
 */
public final class Flows {
  private static final String KEY = "fleetgate.flowId";

  private Flows() {}

  /** Binds a request's flow id to the current context; ignored off a request (non-duplicated) context. */
  public static void bind(String flowId) {
    if (Vertx.currentContext() instanceof ContextInternal c && c.isDuplicate()) {
      c.putLocal(KEY, flowId);
    }
  }

  /** The flow id bound to the current context, or a new one. */
  public static String currentOrNew() {
    if (Vertx.currentContext() instanceof ContextInternal c && c.isDuplicate()) {
      Object id = c.getLocal(KEY);
      if (id instanceof String s) {
        return s;
      }
    }
    return newId();
  }

  /**
   * A random (version 4) UUID from {@link ThreadLocalRandom}: a flow id correlates, it protects nothing, and
   * {@code UUID.randomUUID()} (SecureRandom: a shared lock and SHA-1 mixing) was a visible cost on the ingest
   * path, where every device frame gets a new id.
   */
  public static String newId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
    return new UUID(msb, lsb).toString();
  }
}
