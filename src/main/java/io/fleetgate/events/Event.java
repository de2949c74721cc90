package io.fleetgate.events;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.fleetgate.protocol.json.Iso8601;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One delivered message: the envelope of {@code events.md} for one recipient fleet. Immutable once built; its
 * JSON is rendered at most once, however many streams of that fleet take it.
 */
public final class Event {
  public static final String VERSION = "1.0.0";

  private final String messageId;
  private final EventType type;
  private final long occurredAtMs;
  private final String flowId;
  private final String fleetId;
  private final String vehicleId;
  private final JsonObject data;
  private volatile byte[] bytes;
  private volatile String json;

  // characters outside the BMP as UTF-8, not escaped surrogate pairs: the same text as JsonObject.encode()
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

  public Event(String messageId, EventType type, long occurredAtMs, String flowId, String fleetId, String vehicleId,
      JsonObject data) {
    this.messageId = messageId;
    this.type = type;
    this.occurredAtMs = occurredAtMs;
    this.flowId = flowId;
    this.fleetId = fleetId;
    this.vehicleId = vehicleId;
    this.data = data;
  }

  /**
   * An event published on another node of a cluster, as its envelope was rendered there (its data is not
   * parsed unless {@link #envelope()} is asked for).
   */
  public static Event rendered(String messageId, EventType type, long occurredAtMs, String flowId, String fleetId,
      String vehicleId, byte[] json) {
    Event e = new Event(messageId, type, occurredAtMs, flowId, fleetId, vehicleId, null);
    e.bytes = json;
    return e;
  }

  public String messageId() {
    return messageId;
  }

  public EventType type() {
    return type;
  }

  public long occurredAtMs() {
    return occurredAtMs;
  }

  public String flowId() {
    return flowId;
  }

  /** The recipient. */
  public String fleetId() {
    return fleetId;
  }

  public String vehicleId() {
    return vehicleId;
  }

  public JsonObject envelope() {
    if (data == null && bytes != null) {
      return new JsonObject(json());
    }
    return new JsonObject()
        .put("metadata", new JsonObject()
            .put("message_id", messageId)
            .put("type", type.wire)
            .put("version", VERSION)
            .put("occurred_at", Iso8601.format(occurredAtMs))
            .put("flow_id", flowId)
            .put("fleet_id", fleetId))
        .put("data", data);
  }

  /** The envelope on one line (rendered once). */
  public String json() {
    String j = json;
    if (j == null) {
      j = new String(jsonBytes(), StandardCharsets.UTF_8);
      json = j;
    }
    return j;
  }

  /**
   * The envelope on one line as UTF-8 (rendered once): what the broker gets. Written with Jackson's streaming
   * generator straight from the tree, which costs a fraction of {@link JsonObject#encode()} (data binding) on
   * the ingest path, where every state frame makes one of these; the text is the same.
   */
  public byte[] jsonBytes() {
    byte[] b = bytes;
    if (b == null) {
      b = render();
      bytes = b;
    }
    return b;
  }

  private byte[] render() {
    try (ByteArrayBuilder out = new ByteArrayBuilder(512); JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeObjectFieldStart("metadata");
      g.writeStringField("message_id", messageId);
      g.writeStringField("type", type.wire);
      g.writeStringField("version", VERSION);
      g.writeStringField("occurred_at", Iso8601.format(occurredAtMs));
      g.writeStringField("flow_id", flowId);
      g.writeStringField("fleet_id", fleetId);
      g.writeEndObject();
      g.writeFieldName("data");
      write(g, data);
      g.writeEndObject();
      g.flush();
      return out.toByteArray();
    } catch (IOException | UnsupportedOperationException e) {
      // a value the tree walk does not know (never made by the publisher): Vert.x's own encoding
      return envelope().encode().getBytes(StandardCharsets.UTF_8);
    }
  }

  private static void write(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof JsonObject o) {
      writeMap(g, o.getMap());
    } else if (v instanceof JsonArray a) {
      writeList(g, a.getList());
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof Double d) {
      g.writeNumber(d);
    } else if (v instanceof Float f) {
      g.writeNumber(f);
    } else if (v instanceof BigDecimal d) {
      g.writeNumber(d);
    } else if (v instanceof BigInteger i) {
      g.writeNumber(i);
    } else if (v instanceof Map<?, ?> m) {
      writeMap(g, m);
    } else if (v instanceof List<?> l) {
      writeList(g, l);
    } else {
      throw new UnsupportedOperationException(v.getClass().getName());
    }
  }

  private static void writeMap(JsonGenerator g, Map<?, ?> m) throws IOException {
    g.writeStartObject();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      g.writeFieldName(String.valueOf(e.getKey()));
      write(g, e.getValue());
    }
    g.writeEndObject();
  }

  private static void writeList(JsonGenerator g, List<?> l) throws IOException {
    g.writeStartArray();
    for (Object o : l) {
      write(g, o);
    }
    g.writeEndArray();
  }
}
