package io.fleetgate.sim;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy that makes a server slower, for the benchmarks and tests: "PostgreSQL (or RabbitMQ) at half
 * speed". Every connection to it is forwarded to the target; each direction's bytes are delayed by
 * {@code delayMs} and, over all connections together, limited to {@code bytesPerSecond} (0 = unlimited). Bytes
 * keep their order per connection; a direction that has more than {@link #HIGH_WATER} bytes waiting stops
 * reading its source until they are written, so the proxy's memory is bounded and the slowness reaches the
 * sender as TCP back-pressure, as a slow server's would.
 *
 * <p>Run on its own: {@code java -cp fleetgate.jar io.fleetgate.sim.ThrottlingProxy LISTEN_PORT TARGET_HOST:PORT
 * BYTES_PER_SECOND DELAY_MS [REPORT_SECONDS]} listens on 127.0.0.1 and prints, every REPORT_SECONDS (default 1),
 * {@code PROXY up=<bytes/s to the target> down=<bytes/s from it> connections=<n>}; a line
 * {@code limit BYTES_PER_SECOND DELAY_MS} on its standard input changes the limits without dropping a connection.
 */
public final class ThrottlingProxy {
  /** Bytes waiting in one direction of one connection before its source is paused. */
  static final int HIGH_WATER = 256 * 1024;

  private final Vertx vertx;
  private final String targetHost;
  private final int targetPort;
  private volatile long delayNanos;
  private final Limiter up;
  private final Limiter down;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private NetServer server;
  private NetClient client;

  /**
   * @param bytesPerSecond limit of each direction over all connections (0 = none)
   * @param delayMs added to every chunk in each direction
   */
  public ThrottlingProxy(Vertx vertx, String targetHost, int targetPort, long bytesPerSecond, long delayMs) {
    this.vertx = vertx;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMs);
    this.up = new Limiter(bytesPerSecond);
    this.down = new Limiter(bytesPerSecond);
  }

  /** Changes the limits (for chunks that arrive from now on); 0 bytes/s and 0 ms: pass through. */
  public void limit(long bytesPerSecond, long delayMs) {
    up.bytesPerSecond = bytesPerSecond;
    down.bytesPerSecond = bytesPerSecond;
    delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMs);
  }

  /** Listens on 127.0.0.1 ({@code port} 0: any free port); completes with the port. */
  public Future<Integer> start(int port) {
    client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(this::accept);
    return server.listen(port, "127.0.0.1").map(NetServer::actualPort);
  }

  public Future<Void> close() {
    open.forEach(NetSocket::close);
    return server.close().compose(v -> client.close());
  }

  /** Bytes forwarded to the target so far. */
  public long bytesUp() {
    return up.total.get();
  }

  /** Bytes forwarded from the target so far. */
  public long bytesDown() {
    return down.total.get();
  }

  public int connections() {
    return open.size() / 2;
  }

  private void accept(NetSocket in) {
    in.pause();
    Context context = vertx.getOrCreateContext();
    client.connect(targetPort, targetHost).onComplete(ar -> {
      if (ar.failed()) {
        in.close();
        return;
      }
      NetSocket out = ar.result();
      open.add(in);
      open.add(out);
      new Pipe(context, in, out, up).start();
      new Pipe(context, out, in, down).start();
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

  /**
   * The byte budget of one direction over all connections: a virtual clock of when the link is next free.
   * Thread-safe (connections live on different event loops).
   */
  private static final class Limiter {
    volatile long bytesPerSecond;
    final AtomicLong total = new AtomicLong();
    private long freeAtNanos;

    Limiter(long bytesPerSecond) {
      this.bytesPerSecond = bytesPerSecond;
    }

    /** Reserves the link for {@code bytes}; returns when they may be written (System.nanoTime()). */
    synchronized long reserve(int bytes, long nowNanos) {
      long rate = bytesPerSecond;
      if (rate <= 0) {
        return nowNanos;
      }
      long start = Math.max(nowNanos, freeAtNanos);
      freeAtNanos = start + bytes * 1_000_000_000L / rate;
      return start;
    }
  }

  /** One direction of one connection; confined to the connection's context. */
  private final class Pipe {
    private final Context context;
    private final NetSocket from;
    private final NetSocket to;
    private final Limiter limiter;
    private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean timerArmed;
    private boolean paused;

    Pipe(Context context, NetSocket from, NetSocket to, Limiter limiter) {
      this.context = context;
      this.from = from;
      this.to = to;
      this.limiter = limiter;
    }

    void start() {
      from.handler(this::received);
      to.drainHandler(v -> pump());
    }

    private void received(Buffer b) {
      queue.addLast(new Chunk(b, System.nanoTime() + delayNanos));
      queuedBytes += b.length();
      if (queuedBytes > HIGH_WATER && !paused) {
        paused = true;
        from.pause();
      }
      pump();
    }

    private void pump() {
      if (timerArmed) {
        return;
      }
      Chunk head;
      while ((head = queue.peekFirst()) != null && !to.writeQueueFull()) {
        long now = System.nanoTime();
        if (head.sendAtNanos < 0) {
          long due = Math.max(head.dueNanos, now);
          head.sendAtNanos = limiter.reserve(head.data.length(), due);
        }
        if (head.sendAtNanos > now) {
          arm(head.sendAtNanos - now);
          return;
        }
        queue.pollFirst();
        queuedBytes -= head.data.length();
        limiter.total.addAndGet(head.data.length());
        to.write(head.data);
      }
      if (paused && queuedBytes <= HIGH_WATER / 2) {
        paused = false;
        from.resume();
      }
    }

    private void arm(long nanos) {
      timerArmed = true;
      long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
      context.owner().setTimer(ms, id -> context.runOnContext(v -> {
        timerArmed = false;
        pump();
      }));
    }
  }

  private static final class Chunk {
    final Buffer data;
    final long dueNanos;
    /** When the limiter lets it go; -1 until reserved. */
    long sendAtNanos = -1;

    Chunk(Buffer data, long dueNanos) {
      this.data = data;
      this.dueNanos = dueNanos;
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: ThrottlingProxy LISTEN_PORT TARGET_HOST:PORT BYTES_PER_SECOND DELAY_MS [REPORT_SECONDS]");
      System.exit(2);
    }
    int listen = Integer.parseInt(args[0]);
    String target = args[1];
    int colon = target.lastIndexOf(':');
    long rate = Long.parseLong(args[2]);
    long delay = Long.parseLong(args[3]);
    long every = args.length > 4 ? Long.parseLong(args[4]) : 1;
    Vertx vertx = Vertx.vertx();
    ThrottlingProxy proxy = new ThrottlingProxy(vertx, target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)), rate, delay);
    int port = proxy.start(listen).toCompletionStage().toCompletableFuture().get();
    System.out.println("MARK listening " + port + " -> " + target + " (" + (rate > 0 ? rate + " bytes/s" : "no byte limit")
        + " per direction, " + delay + " ms added)");
    Thread commands = new Thread(() -> readCommands(proxy), "throttling-proxy-commands");
    commands.setDaemon(true);
    commands.start();
    long[] last = {0, 0};
    vertx.setPeriodic(every * 1000, id -> {
      long u = proxy.bytesUp();
      long d = proxy.bytesDown();
      System.out.println("PROXY up=" + (u - last[0]) / every + " down=" + (d - last[1]) / every + " connections=" + proxy.connections());
      last[0] = u;
      last[1] = d;
    });
  }

  /** Lines {@code limit BYTES_PER_SECOND DELAY_MS} from standard input, until it ends. */
  private static void readCommands(ThrottlingProxy proxy) {
    try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] words = line.trim().split("\\s+");
        if (words.length == 3 && words[0].equals("limit")) {
          proxy.limit(Long.parseLong(words[1]), Long.parseLong(words[2]));
          System.out.println("MARK limit " + words[1] + " bytes/s, " + words[2] + " ms");
        } else if (!line.isBlank()) {
          System.out.println("MARK unknown command: " + line);
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      System.out.println("MARK commands ended: " + e);
    }
  }
}
