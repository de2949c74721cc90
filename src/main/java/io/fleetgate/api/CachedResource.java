package io.fleetgate.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * A small class-path file served as is (the OpenAPI description, the docs page): read once, asynchronously
 * (a class-path read may extract from the jar, which must not happen on an event loop), then kept. A failed
 * read is retried on the next request.
 */
final class CachedResource {
  private final Vertx vertx;
  private final String path;
  private volatile Future<Buffer> content;

  CachedResource(Vertx vertx, String path) {
    this.vertx = vertx;
    this.path = path;
  }

  Future<Buffer> get() {
    Future<Buffer> f = content;
    if (f == null || f.failed()) {
      f = vertx.fileSystem().readFile(path);
      content = f;
    }
    return f;
  }
}
