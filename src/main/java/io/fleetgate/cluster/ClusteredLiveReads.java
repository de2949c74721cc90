package io.fleetgate.cluster;

import io.fleetgate.vehicle.LiveReads;
import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.Vehicle;
import io.fleetgate.vehicle.VehicleLive;
import io.fleetgate.vehicle.VehicleRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Latest state and life status read through any node (contract point 3): a REST read of a vehicle whose unit
 * is connected to another node asks that node, on its fixed control address ({@code {"op":"live","ids":[…]}}),
 * which answers from its memory. A list asks each node holding some of its units once. Nothing of this is on the
 * ingest path: a frame is merged into its node's memory before it is acknowledged, so a read after the
 * acknowledgement sees it.
 *
 * <p>A node that does not answer within {@link #TIMEOUT_MS} (dying, cut off, overloaded) leaves the read to
 * this node's working set: life status as this node knows it (ONLINE from the owner's claim until the departed
 * node's sweep makes it OFFLINE, within the failure detection), and the latest state this node last saw (each
 * answer's readings are merged into its working set, never older ones over newer).
 */
final class ClusteredLiveReads implements LiveReads {
  static final String OP = "live";
  /** How long a read waits for the unit's node before it answers from this node's working set. */
  static final long TIMEOUT_MS = 500;

  private final Vertx vertx;
  private final ClusterNode node;
  private final Owners owners;
  private final VehicleRegistry registry;

  ClusteredLiveReads(Vertx vertx, ClusterNode node, Owners owners, VehicleRegistry registry) {
    this.vertx = vertx;
    this.node = node;
    this.owners = owners;
    this.registry = registry;
    node.handleControl(OP, this::answer);
  }

  @Override
  public Future<Map<String, VehicleLive>> remote(List<Vehicle> vehicles) {
    Map<String, JsonArray> byNode = new LinkedHashMap<>();
    for (Vehicle v : vehicles) {
      Owners.Owner o = owners.get(v.id());
      if (o != null && !o.nodeId().equals(node.nodeId()) && node.isMember(o.nodeId())) {
        byNode.computeIfAbsent(o.nodeId(), n -> new JsonArray()).add(v.id());
      }
    }
    if (byNode.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    List<Future<Map<String, VehicleLive>>> asks = new ArrayList<>(byNode.size());
    DeliveryOptions timeout = new DeliveryOptions().setSendTimeout(TIMEOUT_MS);
    byNode.forEach((nodeId, ids) -> asks.add(vertx.eventBus()
        .<JsonObject>request(ClusterNode.address(nodeId, ClusterNode.Channel.CONTROL), new JsonObject().put("op", OP).put("ids", ids), timeout)
        .map(reply -> decode(reply.body()))
        .otherwise(Map.of())));
    return Future.join(asks).map(x -> {
      Map<String, VehicleLive> all = new HashMap<>();
      asks.forEach(f -> all.putAll(f.result()));
      return all;
    }).otherwise(Map.of());
  }

  /** Another node's read: the live side of the asked vehicles, from this node's memory. */
  private void answer(Message<JsonObject> message) {
    JsonArray ids = message.body().getJsonArray("ids", new JsonArray());
    JsonObject out = new JsonObject();
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.getString(i);
      VehicleLive live = registry.live(id);
      if (live != null) {
        out.put(id, encode(live));
      }
    }
    message.reply(new JsonObject().put("live", out));
  }

  static JsonObject encode(VehicleLive live) {
    JsonArray state = new JsonArray();
    for (Reading r : live.state.snapshot(Property.allMask())) {
      Object value = r.value() instanceof Position p ? new JsonArray().add(p.lat()).add(p.lon()) : r.value();
      state.add(new JsonArray().add(r.property().ordinal()).add(r.timestampMs()).add(value));
    }
    VehicleLive.LifeStatus life = live.lifeStatus();
    return new JsonObject().put("online", life.online()).put("since", life.modifiedAt().toEpochMilli())
        .put("contact", live.lastContactMs()).put("state", state);
  }

  /** The answer as live sides; their readings are also merged into this node's working set (the fallback's). */
  private Map<String, VehicleLive> decode(JsonObject reply) {
    JsonObject items = reply.getJsonObject("live", new JsonObject());
    Map<String, VehicleLive> out = new HashMap<>();
    for (String id : items.fieldNames()) {
      JsonObject item = items.getJsonObject(id);
      List<Reading> readings = readings(item.getJsonArray("state"));
      VehicleLive live = VehicleLive.of(readings, new VehicleLive.LifeStatus(item.getBoolean("online"),
          Instant.ofEpochMilli(item.getLong("since"))), item.getLong("contact", 0L));
      out.put(id, live);
      VehicleLive here = registry.live(id);
      if (here != null) {
        here.state.merge(readings, Property.allMask());
      }
    }
    return out;
  }

  static List<Reading> readings(JsonArray state) {
    List<Reading> readings = new ArrayList<>(state.size());
    for (int i = 0; i < state.size(); i++) {
      JsonArray r = state.getJsonArray(i);
      Property p = Property.byOrdinal(r.getInteger(0));
      Object raw = r.getValue(2);
      Object value = switch (p.kind) {
        case POSITION -> new Position(((JsonArray) raw).getDouble(0), ((JsonArray) raw).getDouble(1));
        case NUMBER -> ((Number) raw).doubleValue();
        case ENUM -> raw.toString();
        case BOOLEAN -> (Boolean) raw;
      };
      readings.add(new Reading(p, r.getLong(1), value));
    }
    return readings;
  }
}
