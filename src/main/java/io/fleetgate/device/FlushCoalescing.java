package io.fleetgate.device;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/**
 * One socket write for all the acknowledgements a connection gets in one event-loop task.
 *
 * <p>Vert.x flushes every write made outside a read at once: a durable frame's PUBACK or STATE_ACK is sent
 * when its commit (and publisher confirm) completes, which is never during a read, so each ack cost a
 * {@code write(2)} of its own — on the durable path, the largest single cost per frame. Netty's
 * {@link FlushConsolidationHandler}, placed just before the Vert.x handler, turns the flushes of one task into
 * one, flushed by a task queued behind it on the same event loop (reads keep their flush at read-complete).
 * Installed once per connection, on its event loop.
 */
public final class FlushCoalescing {
  static final String NAME = "fleetgateFlushCoalescing";
  /** Flushes after which a write goes out even within one task: bounds what waits in the outbound buffer. */
  static final int MAX_COALESCED = 256;

  private FlushCoalescing() {}

  /** Installs it on {@code socket}'s pipeline; a socket that is not Vert.x's own is left as it is. */
  public static void install(NetSocket socket) {
    if (!(socket instanceof NetSocketInternal internal)) {
      return;
    }
    ChannelHandlerContext handler = internal.channelHandlerContext();
    if (handler.pipeline().get(NAME) == null && !handler.isRemoved()) {
      handler.pipeline().addBefore(handler.name(), NAME, new FlushConsolidationHandler(MAX_COALESCED, true));
    }
  }
}
