package io.fleetgate.device.mqtt;

import io.fleetgate.device.PreLoginLog;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Before CONNECT a vertx-mqtt connection has no exception handler of ours: a packet Netty's decoder refuses
 * (garbage, an HTTP request, bad header bits) is logged by Vert.x itself as a SEVERE line per connection, with
 * the decoder's message unescaped. This filter takes those records from Vert.x's connection logger and writes
 * them through the MQTT listener's {@link PreLoginLog} instead: escaped, short, rate-limited. Only MQTT
 * connections before CONNECT reach that logger: TCP and HTTP connections have handlers from the start.
 */
public final class DecoderErrorLog {
  /** Held strongly: {@code java.util.logging} keeps loggers weakly, and a collected logger forgets its filter. */
  private static final Logger VERTX_CONNECTION_LOG = Logger.getLogger("io.vertx.core.net.impl.ConnectionBase");

  private DecoderErrorLog() {}

  /** Routes Vert.x's unhandled connection errors to {@code log} (the latest gateway started wins). */
  public static void routeTo(PreLoginLog log) {
    VERTX_CONNECTION_LOG.setFilter(r -> {
      if (r.getLevel().intValue() < Level.WARNING.intValue()) {
        return true;
      }
      String m = r.getThrown() != null ? PreLoginLog.describe(r.getThrown()) : io.fleetgate.support.LogSafe.escape(r.getMessage());
      log.violation(null, "undecodable packet, " + m);
      return false;
    });
  }
}
