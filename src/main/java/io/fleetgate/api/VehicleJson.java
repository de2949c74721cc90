package io.fleetgate.api;

import io.fleetgate.protocol.json.Iso8601;
import io.fleetgate.protocol.json.StateJson;
import io.fleetgate.sharing.SharingView;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.HistoryEntry;
import io.fleetgate.vehicle.MasterData;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.TelematicsUnit;
import io.fleetgate.vehicle.Vehicle;
import io.fleetgate.vehicle.VehicleLive;
import io.fleetgate.vehicle.VehicleModel;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The JSON of the vehicle resources exactly as the contract shows them. Every contract field is always
 * present ({@code null} when unset); secrets (the unit's password hash) never appear.
 */
final class VehicleJson {
  /** {@code status} of a vehicle with a unit attached (the only kind there is until units can be detached). */
  static final String CONNECTED = "CONNECTED_VEHICLE";

  private VehicleJson() {}

  static JsonObject vehicle(Vehicle v, VehicleLive live, TelematicsUnit unit, SharingView sharing) {
    JsonObject masterData = new JsonObject();
    for (String field : MasterData.FIELDS) {
      masterData.put(field, v.masterData().get(field));
    }
    VehicleLive.LifeStatus life = live != null ? live.lifeStatus() : new VehicleLive.LifeStatus(false, v.createdAt());
    return new JsonObject()
        .put("id", v.id())
        .put("fleet_id", v.fleetId())
        .put("status", CONNECTED)
        .put("created_at", time(v.createdAt()))
        .put("modified_at", time(v.modifiedAt()))
        .put("attached_at", time(v.attachedAt()))
        .put("last_contact_at", live == null ? null : time(live.lastContact()))
        .put("master_data", masterData)
        .put("custom_fields", new JsonObject(new java.util.LinkedHashMap<>(v.customFields())))
        .put("tags", new JsonArray(v.tags()))
        .put("life_status", new JsonObject().put("value", life.value()).put("modified_at", time(life.modifiedAt())))
        .put("operation_status", new JsonObject()
            .put("value", v.operationStatus())
            .put("modified_at", time(v.operationStatusModifiedAt())))
        .put("capabilities", capabilities(v.capabilities()))
        .put("telematics_unit", unit == null ? null : unit(unit))
        .put("latest_state", live == null ? new JsonObject()
            : StateJson.toJson(live.state.snapshot(v.capabilities().stateMask())))
        .put("sharing", sharing == null ? null : sharing(sharing));
  }

  /** A vehicle's {@code sharing} as the caller sees it. */
  static JsonObject sharing(SharingView s) {
    return new JsonObject()
        .put("owner", new JsonObject().put("fleet_id", s.owner().fleetId()).put("name", s.owner().name()))
        .put("partner", new JsonObject().put("fleet_id", s.partner().fleetId()).put("name", s.partner().name()))
        .put("starts_at", time(s.startsAt()))
        .put("ends_at", time(s.endsAt()))
        .put("status", s.status());
  }

  /** A telematics unit as embedded in a vehicle. */
  static JsonObject unit(TelematicsUnit u) {
    return new JsonObject()
        .put("id", u.id())
        .put("brand", u.brand())
        .put("model", u.model())
        .put("manufacturer", u.manufacturer())
        .put("type", u.type())
        .put("fleet_id", u.fleetId())
        .put("created_at", time(u.createdAt()))
        .put("modified_at", time(u.modifiedAt()));
  }

  /** A telematics unit as its own resource: the embedded form plus the vehicle it is attached to. */
  static JsonObject unitResource(TelematicsUnit u) {
    return unit(u).put("vehicle_id", u.vehicleId());
  }

  static JsonObject capabilities(Capabilities c) {
    JsonArray state = new JsonArray();
    for (Property p : c.vehicleState()) {
      state.add(p.name());
    }
    return new JsonObject().put("commands", new JsonArray(c.commands())).put("vehicle_state", state);
  }

  static JsonObject model(VehicleModel m) {
    return new JsonObject()
        .put("id", m.id())
        .put("vehicle_type", m.vehicleType())
        .put("brand", m.brand())
        .put("model", m.model())
        .put("capabilities", capabilities(m.capabilities()));
  }

  static JsonObject historyEntry(HistoryEntry e) {
    return new JsonObject().put("recorded_at", Iso8601.format(e.recordedAtMs())).put("state", StateJson.toJson(e.readings()));
  }

  /** UTC ISO-8601 with {@code Z}, milliseconds at most; null for null. */
  static String time(Instant t) {
    return t == null ? null : Iso8601.format(t.toEpochMilli());
  }
}
