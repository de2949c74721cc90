package io.fleetgate.support;

import io.vertx.core.Deployable;

/**
 * A listener verticle that can say which port it bound. Here rather than nested in {@code Gateway} so that the
 * listeners ({@code api}, {@code device}) do not refer up to the composition root that deploys them.
 */
public interface PortBound extends Deployable {
  int actualPort();
}
