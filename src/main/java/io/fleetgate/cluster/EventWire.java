package io.fleetgate.cluster;

import io.fleetgate.events.Event;
import io.fleetgate.events.EventType;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * An event as it crosses nodes: the publishing node's id (a node drops what it published itself), the
 * envelope's fields the streams filter on, and the envelope exactly as rendered for the recipient fleet (the
 * fleet is the address's). Strings are length-prefixed UTF-8 (-1: null); the type goes by its wire name, so
 * nodes of two builds in one cluster agree.
 */
final class EventWire {
  private EventWire() {}

  static Buffer encode(String originNode, Event e) {
    byte[] json = e.jsonBytes();
    Buffer b = Buffer.buffer(json.length + 128);
    string(b, originNode);
    string(b, e.messageId());
    string(b, e.type().wire);
    b.appendLong(e.occurredAtMs());
    string(b, e.flowId());
    string(b, e.vehicleId());
    b.appendBytes(json);
    return b;
  }

  /** The publishing node of an encoded event. */
  static String origin(Buffer b) {
    return string(b, new int[] {0});
  }

  /** The event for {@code fleetId}; null when its type is unknown to this build. */
  static Event decode(String fleetId, Buffer b) {
    int[] at = {0};
    string(b, at); // origin
    String messageId = string(b, at);
    EventType type = EventType.of(string(b, at));
    long occurredAtMs = b.getLong(at[0]);
    at[0] += Long.BYTES;
    String flowId = string(b, at);
    String vehicleId = string(b, at);
    if (type == null) {
      return null;
    }
    return Event.rendered(messageId, type, occurredAtMs, flowId, fleetId, vehicleId, b.getBytes(at[0], b.length()));
  }

  private static void string(Buffer b, String s) {
    if (s == null) {
      b.appendShort((short) -1);
      return;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    b.appendShort((short) bytes.length);
    b.appendBytes(bytes);
  }

  private static String string(Buffer b, int[] at) {
    short n = b.getShort(at[0]);
    at[0] += Short.BYTES;
    if (n < 0) {
      return null;
    }
    String s = b.getString(at[0], at[0] + n, "UTF-8");
    at[0] += n;
    return s;
  }
}
