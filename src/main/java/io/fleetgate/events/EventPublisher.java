package io.fleetgate.events;

import com.github.f4b6a3.ulid.UlidCreator;
import io.fleetgate.access.Sharing;
import io.fleetgate.command.Command;
import io.fleetgate.protocol.json.StateJson;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.Vehicle;
import io.fleetgate.vehicle.VehicleAccess;
import io.fleetgate.vehicle.VehicleEvents;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The in-process fan-out: turns what the services announce into one {@link Event} per recipient fleet and
 * hands it to every {@link EventSink} that wants it, synchronously on the publishing thread (so events of
 * one vehicle reach each sink in the order their causes were applied). Recipients are computed per event:
 * the owner, plus the partner only while a sharing is active. Nothing is rendered for a fleet no sink
 * wants, so the ingest path pays a map lookup when nobody listens.
 */
public final class EventPublisher implements VehicleEvents {

  /** The vehicle resource as a recipient fleet sees it (the API's rendering). */
  public interface VehicleView {
    JsonObject render(String fleetId, Vehicle vehicle);
  }

  private final List<EventSink> sinks;
  private final VehicleAccess access;
  private final VehicleView view;
  private final Clock clock;

  /**
   * @param sinks read at every event (the composition root may add to it later)
   */
  public EventPublisher(List<EventSink> sinks, VehicleAccess access, VehicleView view, Clock clock) {
    this.sinks = sinks;
    this.access = access;
    this.view = view;
    this.clock = clock;
  }

  @Override
  public Future<Void> stateRecorded(Vehicle v, List<Reading> applied, long atMs) {
    JsonObject[] data = new JsonObject[1]; // the same for every recipient: rendered once, when first wanted
    return publish(EventType.VEHICLE_STATE_RECORDED, v.id(), recipients(v), atMs, fleet -> {
      if (data[0] == null) {
        data[0] = new JsonObject().put("vehicle_id", v.id()).put("state", StateJson.toJson(applied));
      }
      return data[0];
    });
  }

  @Override
  public boolean congested() {
    for (int i = 0, n = sinks.size(); i < n; i++) {
      if (sinks.get(i).congested()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public int pendingCapacity() {
    int min = Integer.MAX_VALUE;
    for (int i = 0, n = sinks.size(); i < n; i++) {
      min = Math.min(min, sinks.get(i).pendingCapacity());
    }
    return min;
  }

  @Override
  public void added(Vehicle v) {
    publish(EventType.VEHICLE_ADDED, v.id(), recipients(v), clock.millis(),
        fleet -> new JsonObject().put("vehicle_id", v.id()).put("vehicle", view.render(fleet, v)));
  }

  @Override
  public void changed(Vehicle v, List<Reason> reasons) {
    changed(v, reasons, recipients(v));
  }

  /** A VehicleChanged to the given fleets (a sharing that ended still tells its former partner). */
  public void changed(Vehicle v, List<Reason> reasons, List<String> recipients) {
    JsonArray wire = new JsonArray();
    reasons.forEach(r -> wire.add(r.name()));
    publish(EventType.VEHICLE_CHANGED, v.id(), recipients, clock.millis(), fleet -> new JsonObject()
        .put("vehicle_id", v.id()).put("reasons", wire.copy()).put("vehicle", view.render(fleet, v)));
  }

  /** The vehicle is gone (recipients as it was just before). */
  public void removed(Vehicle v, List<String> recipients) {
    publish(EventType.VEHICLE_REMOVED, v.id(), recipients, clock.millis(), fleet -> new JsonObject().put("vehicle_id", v.id()));
  }

  /** A command was created or changed status: only the fleet that sent it hears of it. */
  public void commandStatusChanged(Command c) {
    if (c.fleetId() == null) {
      return;
    }
    publish(EventType.VEHICLE_COMMAND_STATUS_CHANGED, c.vehicleId(), List.of(c.fleetId()), clock.millis(), fleet -> new JsonObject()
        .put("vehicle_id", c.vehicleId())
        .put("command_id", c.id().toString())
        .put("command", c.name())
        .put("status", c.status().name())
        .put("detail", c.detail()));
  }

  /** The owner, and the partner while its sharing is active right now. */
  public List<String> recipients(Vehicle v) {
    Sharing s = access.current(v);
    if (s != null && access.of(s.partnerFleetId(), v) == VehicleAccess.Access.PARTNER) {
      return List.of(v.fleetId(), s.partnerFleetId());
    }
    return List.of(v.fleetId());
  }

  private Future<Void> publish(EventType type, String vehicleId, List<String> recipients, long atMs,
      Function<String, JsonObject> data) {
    String flowId = null;
    List<Future<Void>> pending = null;
    for (String fleet : recipients) {
      if (!wanted(fleet, type, vehicleId)) {
        continue;
      }
      if (flowId == null) {
        flowId = Flows.currentOrNew(); // one per cause: shared by all its recipients
      }
      Event e = new Event(UlidCreator.getMonotonicUlid().toString(), type, atMs, flowId, fleet, vehicleId, data.apply(fleet));
      for (EventSink sink : sinks) {
        if (sink.wants(fleet, type, vehicleId)) {
          Future<Void> f = sink.deliver(e);
          if (!f.succeeded()) {
            if (pending == null) {
              pending = new ArrayList<>(2);
            }
            pending.add(f);
          }
        }
      }
    }
    return pending == null ? Future.succeededFuture() : Future.all(pending).mapEmpty();
  }

  private boolean wanted(String fleet, EventType type, String vehicleId) {
    for (EventSink sink : sinks) {
      if (sink.wants(fleet, type, vehicleId)) {
        return true;
      }
    }
    return false;
  }
}
