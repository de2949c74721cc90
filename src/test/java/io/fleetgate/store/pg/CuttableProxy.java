package io.fleetgate.store.pg;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of the local PostgreSQL that a test can cut (every connection dropped, new ones
 * closed at once) and restore: a database outage without stopping the server others use.
 */
public final class CuttableProxy {
  private final Vertx vertx;
  private final String targetHost;
  private final int targetPort;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;
  private NetServer server;
  private NetClient client;

  public CuttableProxy(Vertx vertx, String targetHost, int targetPort) {
    this.vertx = vertx;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
  }

  public Future<Integer> start() {
    client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(this::accept);
    return server.listen(0, "127.0.0.1").map(NetServer::actualPort);
  }

  private void accept(NetSocket in) {
    if (cut) {
      in.close();
      return;
    }
    in.pause();
    client.connect(targetPort, targetHost).onComplete(ar -> {
      if (ar.failed() || cut) {
        in.close();
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      NetSocket out = ar.result();
      open.add(in);
      open.add(out);
      // nothing passes once cut() was called, even bytes already read from a socket that is still closing:
      // otherwise a statement sent just after the cut could reach the server while its sender sees a failure
      in.handler(b -> {
        if (!cut) {
          out.write(b);
        }
      });
      out.handler(b -> {
        if (!cut) {
          in.write(b);
        }
      });
      in.closeHandler(v -> {
        open.remove(in);
        out.close();
      });
      out.closeHandler(v -> {
        open.remove(out);
        in.close();
      });
      in.resume();
    });
  }

  /** A proxy in front of the server of a postgresql:// URL, started; {@link #url} is the URL through it. */
  public static CuttableProxy before(Vertx vertx, String url) {
    java.net.URI u = java.net.URI.create(url);
    CuttableProxy p = new CuttableProxy(vertx, u.getHost(), u.getPort() > 0 ? u.getPort() : 5432);
    int port = io.fleetgate.TestGateway.await(p.start());
    p.url = url.replaceFirst("//([^@/]*@)?[^/:]+(:\\d+)?/", "//$1127.0.0.1:" + port + "/");
    return p;
  }

  /** The database URL through this proxy (set by {@link #before}). */
  public String url;

  /** The database is gone: open connections drop, new ones are closed on arrival. */
  public void cut() {
    cut = true;
    open.forEach(NetSocket::close);
  }

  public void restore() {
    cut = false;
  }

  public Future<Void> close() {
    cut();
    return server.close().compose(v -> client.close());
  }
}
