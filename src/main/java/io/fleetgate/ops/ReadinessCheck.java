package io.fleetgate.ops;

import io.vertx.core.Future;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One thing the gateway needs before it should receive traffic: its listeners, the store, the broker. The
 * composition root registers one per dependency with {@link Readiness#register}; a check answers quickly
 * (it is probed on every {@code GET /health/ready}) and never blocks the event loop.
 */
public interface ReadinessCheck {

  /** A short stable name, e.g. {@code listeners}, {@code store}, {@code broker}. */
  String name();

  /** Up or down with a short human detail. A failed future counts as down, with the failure's message. */
  Future<Result> check();

  /** The answer of one check. {@code detail} is shown to unauthenticated callers: no secrets, no URLs with credentials. */
  record Result(boolean up, String detail) {
    public static Result up(String detail) {
      return new Result(true, detail);
    }

    public static Result down(String detail) {
      return new Result(false, detail);
    }
  }

  static ReadinessCheck of(String name, Supplier<Future<Result>> probe) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(probe, "probe");
    return new ReadinessCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Future<Result> check() {
        return probe.get();
      }
    };
  }
}
