package io.fleetgate.api;

import io.vertx.ext.web.Router;

/** The routes of one resource, mounted on the API router. Holds no state of its own beyond collaborators. */
public interface RouteGroup {
  void mount(Router router, ApiSupport api);
}
