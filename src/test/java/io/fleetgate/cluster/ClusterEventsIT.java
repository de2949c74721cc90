package io.fleetgate.cluster;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.events.EventType;
import io.fleetgate.fleet.ApiClient;
import io.fleetgate.fleet.Fleet;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Contract point 5 on three nodes: an event stream on any node gets its fleet's events from units on every
 * node, once each and in order per vehicle; a node sends nothing for a fleet no other node streams; a
 * sharing's scheduled start and its ends_at produce one event per recipient fleet, not one per node.
 *
 * <p>Until the working set is coherent across nodes (another branch), the fixture puts fleets, clients,
 * vehicles, partnerships and sharings into every node's working set itself, as a coherent cluster would.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterEventsIT {
  static final Permission[] ALL = {Permission.VEHICLES, Permission.VEHICLE_LIFECYCLE, Permission.FLEETSHARE,
      Permission.VEHICLE_COMMANDS, Permission.EVENTS};

  @Test
  void streamOnThirdNodeGetsEventsOfUnitsOnTheOtherTwoOnceEachInOrder() throws Exception {
    try (TestCluster cluster = TestCluster.start(3)) {
      Everywhere all = new Everywhere(cluster);
      String fleet = "fl-" + tag();
      String token = all.token(fleet);
      String onA = all.vehicle(fleet, 0);
      String onB = all.vehicle(fleet, 1);
      TestGateway a = cluster.node(0);
      TestGateway b = cluster.node(1);
      TestGateway c = cluster.node(2);
      String quiet = "fl-" + tag();
      all.token(quiet);
      String quietCar = all.vehicle(quiet, 0);
      try (StreamReader onC = StreamReader.open(c, token, "types=VehicleStateRecorded");
           StreamReader alsoOnA = StreamReader.open(a, token, "types=VehicleStateRecorded")) {
        assertEquals(200, onC.status);
        eventually("A and B know C streams the fleet", () -> a.gateway.clusterEvents.wantedElsewhere(fleet, EventType.VEHICLE_STATE_RECORDED)
            && b.gateway.clusterEvents.wantedElsewhere(fleet, EventType.VEHICLE_STATE_RECORDED));
        assertFalse(a.gateway.clusterEvents.wantedElsewhere(fleet, EventType.VEHICLE_CHANGED), "only the types streamed");
        double sentBefore = counter(a, "sent") + counter(b, "sent");
        int n = 200;
        long t0 = System.currentTimeMillis() - 600_000;
        // both nodes publish at once, each its own vehicle's frames in order
        List<Future<Void>> ingests = new ArrayList<>();
        ingests.add(a.vertx.executeBlocking(() -> publish(a, onA, t0, n), false));
        ingests.add(b.vertx.executeBlocking(() -> publish(b, onB, t0, n), false));
        // a fleet nobody streams: nothing crosses nodes
        publish(a, quietCar, t0, 20);
        Future.all(ingests).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        for (StreamReader s : List.of(onC, alsoOnA)) {
          eventually("all " + 2 * n + " events on the stream", 15_000, () -> s.events.size() >= 2 * n);
          Thread.sleep(300); // room for a duplicate to show up
          assertEquals(2 * n, s.events.size(), "each event once");
          assertEquals(2 * n, s.events.stream().map(e -> e.getJsonObject("metadata").getString("message_id")).distinct().count());
          assertInOrder(s, onA, n);
          assertInOrder(s, onB, n);
        }
        double sent = counter(a, "sent") + counter(b, "sent") - sentBefore;
        // A's events go to C; B's to C and A: one publish per event either way
        assertEquals(2 * n, sent, 0.0, "one publish per event, none for the quiet fleet");
        assertTrue(counter(c, "received") >= 2 * n, "C counted what it received");
      }
      // the streams closed: the others stop sending
      eventually("nobody streams the fleet any more", () -> !a.gateway.clusterEvents.wantedElsewhere(fleet, EventType.VEHICLE_STATE_RECORDED)
          && !b.gateway.clusterEvents.wantedElsewhere(fleet, EventType.VEHICLE_STATE_RECORDED));
      double before = counter(a, "sent");
      publish(a, onA, System.currentTimeMillis() - 1000, 5);
      assertEquals(before, counter(a, "sent"), 0.0, "nothing published for a fleet no other node streams");
    }
  }

  @Test
  void sharingScheduledStartAndEndsAtGiveOneEventPerRecipientFleetWithThreeNodes() throws Exception {
    try (TestCluster cluster = TestCluster.start(3)) {
      Everywhere all = new Everywhere(cluster);
      String owner = "own-" + tag();
      String partner = "par-" + tag();
      String ownerToken = all.token(owner);
      String partnerToken = all.token(partner);
      String car = all.vehicle(owner, 0);
      TestGateway a = cluster.node(0);
      HttpResponse<Buffer> partnered = await(a.http.post("/partnerships").putHeader("Authorization", "Bearer " + a.adminToken())
          .sendJsonObject(new JsonObject().put("fleet_ids", new JsonArray().add(owner).add(partner))));
      assertEquals(201, partnered.statusCode(), partnered.bodyAsString());
      try (StreamReader ownerOnB = StreamReader.open(cluster.node(1), ownerToken, "types=VehicleChanged");
           StreamReader partnerOnC = StreamReader.open(cluster.node(2), partnerToken, "types=VehicleChanged")) {
        eventually("the streams are known everywhere", () -> a.gateway.clusterEvents.wantedElsewhere(owner, EventType.VEHICLE_CHANGED)
            && a.gateway.clusterEvents.wantedElsewhere(partner, EventType.VEHICLE_CHANGED)
            && cluster.node(2).gateway.clusterEvents.wantedElsewhere(owner, EventType.VEHICLE_CHANGED)
            && cluster.node(1).gateway.clusterEvents.wantedElsewhere(partner, EventType.VEHICLE_CHANGED));
        Instant starts = Instant.now().plusSeconds(2);
        Instant ends = starts.plusSeconds(2);
        HttpResponse<Buffer> shared = await(a.http.post("/vehicles/" + car + "/sharing").putHeader("Authorization", "Bearer " + ownerToken)
            .sendJsonObject(new JsonObject().put("fleet_id", partner).put("starts_at", starts.toString()).put("ends_at", ends.toString())));
        assertEquals(200, shared.statusCode(), shared.bodyAsString());
        all.sharingsEverywhere(); // every node has the sharing and its timers, as a coherent cluster would
        eventually("the sharing ended everywhere", 15_000, () -> {
          for (int i = 0; i < 3; i++) {
            if (cluster.node(i).gateway.sharingIndex.current().sharing(car) != null) {
              return false;
            }
          }
          return true;
        });
        Thread.sleep(1500); // a second node's late event would be in by now
        for (StreamReader s : List.of(ownerOnB, partnerOnC)) {
          assertEquals(1, reasons(s, car, "SHARING_STARTED"), "one SHARING_STARTED: " + s.events);
          assertEquals(1, reasons(s, car, "SHARING_ENDED"), "one SHARING_ENDED: " + s.events);
        }
        // and the event log (PostgreSQL, shared) has one of each per fleet, whichever node is asked
        for (String[] f : new String[][] {{owner, ownerToken}, {partner, partnerToken}}) {
          eventually(f[0] + "'s log has the end (written behind)", () -> logged(cluster.node(1), f[1], car).encode().contains("SHARING_ENDED"));
          JsonArray logged = logged(cluster.node(1), f[1], car);
          int started = 0;
          int ended = 0;
          for (int i = 0; i < logged.size(); i++) {
            JsonArray why = logged.getJsonObject(i).getJsonObject("data").getJsonArray("reasons");
            started += why.contains("SHARING_STARTED") ? 1 : 0;
            ended += why.contains("SHARING_ENDED") ? 1 : 0;
          }
          assertEquals(1, started, f[0] + " log: " + logged);
          assertEquals(1, ended, f[0] + " log: " + logged);
        }
        // a stream resumed on a node that published none of it replays from the shared log
        String startedId = null;
        for (JsonObject e : ownerOnB.ofType("VehicleChanged")) {
          if (e.getJsonObject("data").getJsonArray("reasons").contains("SHARING_STARTED")) {
            startedId = e.getJsonObject("metadata").getString("message_id");
          }
        }
        for (int i = 0; i < 3; i++) {
          try (StreamReader resumed = StreamReader.open(cluster.node(i), ownerToken, "types=VehicleChanged", startedId)) {
            eventually("node " + i + " replays the end", () -> reasons(resumed, car, "SHARING_ENDED") == 1);
            assertEquals(0, reasons(resumed, car, "SHARING_STARTED"), "only what came after the id");
          }
        }
      }
    }
  }

  private static JsonArray logged(TestGateway node, String token, String car) {
    return await(node.http.get("/events?vehicle_id=" + car + "&types=VehicleChanged")
        .putHeader("Authorization", "Bearer " + token).send()).bodyAsJsonObject().getJsonArray("items");
  }

  private static Void publish(TestGateway node, String vehicleId, long t0, int n) {
    for (int i = 1; i <= n; i++) {
      await(node.gateway.ingest.apply(vehicleId, List.of(new Reading(Property.MILEAGE_IN_KILOMETERS, t0 + i, i)), t0 + i));
    }
    return null;
  }

  private static void assertInOrder(StreamReader s, String vehicleId, int n) {
    List<Double> km = new ArrayList<>();
    for (JsonObject e : s.events) {
      JsonObject data = e.getJsonObject("data");
      if (vehicleId.equals(data.getString("vehicle_id"))) {
        km.add(data.getJsonObject("state").getJsonObject("mileage_in_kilometers").getDouble("value"));
      }
    }
    assertEquals(n, km.size(), vehicleId + " events");
    for (int i = 0; i < n; i++) {
      assertEquals(i + 1, km.get(i), 0.0, vehicleId + " in order: " + km);
    }
  }

  private static int reasons(StreamReader s, String vehicleId, String reason) {
    int n = 0;
    for (JsonObject e : s.ofType("VehicleChanged")) {
      JsonObject data = e.getJsonObject("data");
      if (vehicleId.equals(data.getString("vehicle_id")) && data.getJsonArray("reasons").contains(reason)) {
        n++;
      }
    }
    return n;
  }

  /** fleetgate_cluster_events_total{direction=...} as /metrics shows it. */
  static double counter(TestGateway node, String direction) {
    String body = await(node.http.get("/metrics").send()).bodyAsString();
    String prefix = "fleetgate_cluster_events_total{direction=\"" + direction + "\"";
    for (String line : body.split("\n")) {
      if (line.startsWith(prefix)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
      }
    }
    return -1;
  }

  static String tag() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /** What a coherent working set would do: the same fleets, clients, vehicles and sharings on every node. */
  static final class Everywhere {
    private final TestCluster cluster;
    /** The client of the last {@link #token}. */
    String lastClientId;

    Everywhere(TestCluster cluster) {
      this.cluster = cluster;
    }

    /** A token of a new client of the fleet (every fleet permission), known to every node. */
    String token(String fleetId) {
      TestGateway first = cluster.node(0);
      Fleet f = first.fleet(fleetId);
      ApiClient client = new ApiClient("c-" + UUID.randomUUID(), fleetId, "test", EnumSet.of(ALL[0], ALL), "$argon2id$unused",
          Instant.now());
      for (int i = 0; i < cluster.size(); i++) {
        cluster.node(i).gateway.directory.put(f);
        cluster.node(i).gateway.directory.put(client);
      }
      lastClientId = client.clientId();
      return first.gateway.tokens.issue(client.clientId(), fleetId, client.permissions());
    }

    /** A vehicle of the fleet whose unit is (as if) connected to node {@code home}; known to every node. */
    String vehicle(String fleetId, int home) {
      TestGateway.ProvisionedUnit u = cluster.node(home).provisionUnit(fleetId, "U" + tag(), "secret-pass-1234", List.of(),
          List.of(Property.MILEAGE_IN_KILOMETERS));
      for (int i = 0; i < cluster.size(); i++) {
        if (i != home) {
          cluster.node(i).gateway.registry.put(cluster.node(home).gateway.registry.unit(u.unitId()));
          cluster.node(i).gateway.registry.put(cluster.node(home).gateway.registry.vehicle(u.vehicleId()));
        }
      }
      return u.vehicleId();
    }

    /** Loads the stored partnerships and sharings a node does not have yet (timers armed as at start-up). */
    void sharingsEverywhere() {
      for (int i = 0; i < cluster.size(); i++) {
        var g = cluster.node(i).gateway;
        g.partners.load(await(g.stores.sharing().loadPartnerships()));
        Set<Long> known = new HashSet<>();
        g.sharingIndex.current().sharings().forEach(s -> known.add(s.id()));
        g.sharing.load(await(g.stores.sharing().loadSharings()).stream().filter(s -> !known.contains(s.id())).toList());
      }
    }
  }
}
