package io.fleetgate.ops;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The registered readiness checks and their evaluation: all run concurrently, each bounded by a timeout, and
 * the gateway is ready only when every one is up. Thread-safe; checks may be registered at any time.
 */
public final class Readiness {
  public static final long DEFAULT_TIMEOUT_MS = 2_000;

  private final List<ReadinessCheck> checks = new CopyOnWriteArrayList<>();
  private final long timeoutMs;

  public Readiness() {
    this(DEFAULT_TIMEOUT_MS);
  }

  public Readiness(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  /** Adds a check; names are unique so that a report names one thing. */
  public synchronized Readiness register(ReadinessCheck check) {
    for (ReadinessCheck c : checks) {
      if (c.name().equals(check.name())) {
        throw new IllegalArgumentException("a readiness check named '" + check.name() + "' is already registered");
      }
    }
    checks.add(check);
    return this;
  }

  /** Runs every check; never fails (a failing or slow check is reported as down). */
  public Future<Report> evaluate() {
    List<Future<Outcome>> running = new ArrayList<>(checks.size());
    for (ReadinessCheck c : checks) {
      running.add(run(c));
    }
    return Future.join(running).transform(ar -> {
      List<Outcome> outcomes = new ArrayList<>(running.size());
      running.forEach(f -> outcomes.add(f.result()));
      return Future.succeededFuture(new Report(outcomes));
    });
  }

  private Future<Outcome> run(ReadinessCheck c) {
    Future<ReadinessCheck.Result> probe;
    try {
      probe = c.check();
    } catch (RuntimeException e) {
      probe = Future.failedFuture(e);
    }
    if (probe == null) {
      probe = Future.failedFuture("the check returned no result");
    }
    return probe
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .transform(ar -> Future.succeededFuture(ar.succeeded() && ar.result() != null
            ? new Outcome(c.name(), ar.result().up(), ar.result().detail())
            : new Outcome(c.name(), false, describe(ar.cause()))));
  }

  private String describe(Throwable failure) {
    if (failure instanceof java.util.concurrent.TimeoutException) {
      return "no answer within " + timeoutMs + " ms";
    }
    return failure == null || failure.getMessage() == null ? "check failed" : failure.getMessage();
  }

  /** One check's outcome. */
  public record Outcome(String name, boolean up, String detail) {
    JsonObject toJson() {
      return new JsonObject().put("name", name).put("status", up ? "UP" : "DOWN").put("detail", detail);
    }
  }

  /** Every check's outcome, in registration order. */
  public record Report(List<Outcome> outcomes) {
    public boolean up() {
      return outcomes.stream().allMatch(Outcome::up);
    }

    /**
     * The body of {@code /health/ready}: every check when up; only the failing ones when down, so that the
     * answer names what to fix.
     */
    public JsonObject toJson() {
      boolean up = up();
      JsonArray list = new JsonArray();
      for (Outcome o : outcomes) {
        if (up || !o.up()) {
          list.add(o.toJson());
        }
      }
      return new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", list);
    }
  }
}
