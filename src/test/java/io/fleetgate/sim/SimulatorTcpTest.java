package io.fleetgate.sim;

import static io.fleetgate.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The simulator's TCP units against a running gateway: login, load, STATE_ACK latencies, applied state. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SimulatorTcpTest {
  private static final String FLEET = "fleet-sim-tcp";
  private static final String PASSWORD = "sim-tcp-password-0123";

  record Provisioned(Credentials.Unit unit, String vehicleId) {}

  /** Provisions a vehicle and its unit directly in the gateway's store and registry (no REST). */
  private static Provisioned provision(TestGateway gw, int n) {
    TestGateway.ProvisionedUnit p = gw.provisionUnit(FLEET, String.format("SIMTCP%06d", n), PASSWORD,
        Capabilities.ALL_COMMANDS, Arrays.asList(Property.values()));
    return new Provisioned(new Credentials.Unit(p.unitId(), PASSWORD, null, null), p.vehicleId());
  }

  /** The demo's mode: units drive around at --rate frames/s and answer commands sent through the REST API. */
  @Test
  void realisticOverTcpStreamsStateAndAnswersCommands() throws Exception {
    try (TestGateway gw = TestGateway.start()) {
      List<Provisioned> provisioned = new ArrayList<>();
      for (int n = 11; n <= 12; n++) {
        provisioned.add(provision(gw, n));
      }
      SimOptions o = SimOptions.parse(new String[] {"--protocol", "tcp", "--port", "" + gw.gateway.tcpPort(),
          "--rate", "5", "--connect-rate", "100"}, Map.of());
      SimulatorRun run = SimulatorRun.start(gw.vertx, o, provisioned.stream().map(Provisioned::unit).toList())
          .await(10, TimeUnit.SECONDS);
      try {
        assertTrue(run.awaitConnected(10_000).await(15, TimeUnit.SECONDS), "both units logged in");
        run.startSending().await(5, TimeUnit.SECONDS);
        String vehicleId = provisioned.get(0).vehicleId();
        TestGateway.eventually("state streams in", () -> gw.gateway.registry.live(vehicleId).state.get(Property.POSITION) != null);
        String token = gw.token(FLEET, io.fleetgate.auth.Permission.VEHICLE_COMMANDS);
        io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> r = await(gw.http
            .post("/vehicles/" + vehicleId + "/commands/unlock-central-lock").putHeader("Authorization", "Bearer " + token).send());
        assertEquals(200, r.statusCode(), r::bodyAsString);
        assertEquals("SUCCEEDED", r.bodyAsJsonObject().getString("status"));
        assertEquals("UNLOCKED", r.bodyAsJsonObject().getJsonObject("state").getJsonObject("central_lock").getString("value"));
      } finally {
        run.stop().await(10, TimeUnit.SECONDS);
      }
      assertEquals(0, run.stats().errors(), "no connect failures, timeouts or errors");
    }
  }

  @Test
  void loadOverTcpIsAcknowledgedAndApplied() throws Exception {
    try (TestGateway gw = TestGateway.start()) {
      List<Provisioned> provisioned = new ArrayList<>();
      for (int n = 1; n <= 3; n++) {
        provisioned.add(provision(gw, n));
      }
      SimOptions o = SimOptions.parse(new String[] {"--protocol", "tcp", "--port", "" + gw.gateway.tcpPort(),
          "--units", "3", "--mode", "load", "--target-rate", "300", "--window", "16"}, Map.of());
      List<Credentials.Unit> units = provisioned.stream().map(Provisioned::unit).toList();
      SimulatorRun run = SimulatorRun.start(gw.vertx, o, units).await(10, TimeUnit.SECONDS);
      try {
        assertTrue(run.awaitConnected(10_000).await(15, TimeUnit.SECONDS), "all 3 units logged in");
        run.startSending().await(5, TimeUnit.SECONDS);
        Thread.sleep(3_000);
        run.stopSending(5_000).await(10, TimeUnit.SECONDS);
        assertEquals(0, run.inFlight().await(5, TimeUnit.SECONDS), "every STATE acknowledged after the drain");
      } finally {
        run.stop().await(10, TimeUnit.SECONDS);
      }

      SimStats s = run.stats();
      long sent = s.framesSent.sum();
      assertTrue(sent >= 450, "about 300 frames/s for 3 s, sent " + sent);
      assertEquals(sent, s.framesAcked.sum(), "every STATE got its STATE_ACK");
      assertEquals(0, s.errors(), "no connect failures, timeouts or errors");
      assertEquals(3, s.connects.sum());
      Histogram h = s.latencies();
      assertEquals(sent, h.getTotalCount(), "one STATE→STATE_ACK latency per frame");
      assertTrue(h.getValueAtPercentile(50) > 0, "latencies in microseconds");
      for (Provisioned p : provisioned) {
        Reading position = gw.gateway.registry.live(p.vehicleId()).state.get(Property.POSITION);
        assertNotNull(position, "vehicle " + p.vehicleId() + " has the simulated position");
        assertTrue(position.timestampMs() > System.currentTimeMillis() - 60_000, "recent state of " + p.vehicleId());
      }
    }
  }
}
