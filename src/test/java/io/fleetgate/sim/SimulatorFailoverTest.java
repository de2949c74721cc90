package io.fleetgate.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The simulator against several gateways ({@code --gateways}): units spread over the addresses, the units of a
 * gateway that goes away come back on the other within seconds and keep getting frames acknowledged there, a
 * refused address is skipped, and two clients fighting over one unit id do not fight for ever.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SimulatorFailoverTest {
  private static final String FLEET = "fleet-sim-failover";
  private static final String PASSWORD = "sim-failover-password-0123";

  /** The simulator's own Vert.x: a gateway closing must not take the units' event loops with it. */
  private Vertx simVertx;

  @BeforeEach
  void setUp() {
    simVertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    simVertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void mqttUnitsOfAClosedGatewayReconnectToTheOther() throws Exception {
    failover(SimOptions.Protocol.MQTT);
  }

  @Test
  void tcpUnitsOfAClosedGatewayReconnectToTheOther() throws Exception {
    failover(SimOptions.Protocol.TCP);
  }

  private void failover(SimOptions.Protocol protocol) throws Exception {
    String prefix = protocol == SimOptions.Protocol.TCP ? "FOTCP" : "FOMQTT";
    try (TestGateway b = TestGateway.start()) {
      TestGateway a = TestGateway.start();
      boolean aClosed = false;
      try {
        // the two gateways stand for two nodes of one database: each knows every unit
        List<Credentials.Unit> units = new ArrayList<>();
        List<String> vehiclesOnB = new ArrayList<>();
        for (int n = 1; n <= 6; n++) {
          String unitId = String.format("%s%06d", prefix, n);
          provision(a, unitId);
          vehiclesOnB.add(provision(b, unitId));
          units.add(new Credentials.Unit(unitId, PASSWORD, null, null));
        }
        boolean tcp = protocol == SimOptions.Protocol.TCP;
        int portA = tcp ? a.gateway.tcpPort() : a.gateway.mqttPort();
        int portB = tcp ? b.gateway.tcpPort() : b.gateway.mqttPort();
        SimOptions o = SimOptions.parse(new String[] {"--protocol", protocol.name(), "--gateways",
            "127.0.0.1:" + portA + ",127.0.0.1:" + portB, "--rate", "5", "--connect-rate", "200"}, Map.of());
        SimulatorRun run = SimulatorRun.start(simVertx, o, units).await(10, TimeUnit.SECONDS);
        SimStats s = run.stats();
        try {
          assertTrue(run.awaitConnected(10_000).await(15, TimeUnit.SECONDS), "all 6 units connected");
          assertEquals("3/3", s.connectedPerGateway(), "unit i starts on address i mod 2");
          run.startSending().await(5, TimeUnit.SECONDS);
          TestGateway.eventually("frames acknowledged on both gateways", () -> s.framesAcked.sum() >= 30);

          long closing = System.nanoTime();
          aClosed = true;
          a.close();
          TestGateway.eventually("every unit connected to the other gateway", 5_000,
              () -> s.connected.get() == 6 && s.connectedPerGateway.get(1) == 6);
          long movedMs = (System.nanoTime() - closing) / 1_000_000;
          assertTrue(movedMs < 5_000, "moved in " + movedMs + " ms");
          assertEquals(3, s.disconnects.sum(), "the 3 units of the closed gateway lost their connection");
          assertEquals(3, s.reconnects.sum(), "and came back once each");

          Map<String, Long> before = run.ackedByUnit().await(5, TimeUnit.SECONDS);
          TestGateway.eventually("every unit's frames acknowledged again", 5_000, () -> {
            Map<String, Long> now = TestGateway.await(run.ackedByUnit());
            return before.keySet().stream().allMatch(u -> now.get(u) >= before.get(u) + 5);
          });
          run.stopSending(5_000).await(10, TimeUnit.SECONDS);
          assertEquals(0, run.inFlight().await(5, TimeUnit.SECONDS), "every frame on the survivor acknowledged");
        } finally {
          run.stop().await(10, TimeUnit.SECONDS);
        }
        long sent = s.framesSent.sum();
        assertEquals(0, s.ackTimeouts.sum() + s.publishErrors.sum() + s.connectFailures.sum(), "no errors");
        assertEquals(0, s.takenOver.sum(), "a gateway going away is not a takeover");
        assertEquals(sent, s.framesAcked.sum() + s.framesLostOnDisconnect.sum(),
            "every frame sent is either acknowledged or counted lost with its connection");
        for (String vehicleId : vehiclesOnB) {
          Reading position = b.gateway.registry.live(vehicleId).state.get(Property.POSITION);
          assertNotNull(position, "vehicle " + vehicleId + " has state on the surviving gateway");
        }
      } finally {
        if (!aClosed) {
          a.close();
        }
      }
    }
  }

  @Test
  void aRefusedAddressIsSkipped() throws Exception {
    int deadPort;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      deadPort = free.getLocalPort(); // nothing listens there once closed
    }
    try (TestGateway gw = TestGateway.start()) {
      List<Credentials.Unit> units = new ArrayList<>();
      for (int n = 1; n <= 4; n++) {
        String unitId = String.format("FOREF%06d", n);
        provision(gw, unitId);
        units.add(new Credentials.Unit(unitId, PASSWORD, null, null));
      }
      SimOptions o = SimOptions.parse(new String[] {"--gateways", "127.0.0.1:" + deadPort + ",127.0.0.1:" + gw.gateway.mqttPort(),
          "--idle", "--connect-rate", "200"}, Map.of());
      SimulatorRun run = SimulatorRun.start(simVertx, o, units).await(10, TimeUnit.SECONDS);
      try {
        assertTrue(run.awaitConnected(5_000).await(10, TimeUnit.SECONDS), "all 4 units connected");
        assertEquals("0/4", run.stats().connectedPerGateway());
        assertEquals(2, run.stats().connectFailures.sum(), "the 2 units that started on the dead address, once each");
      } finally {
        run.stop().await(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Two simulators with the same unit id take its session from each other: one gives up, the other stays. */
  @Test
  void twoClientsWithOneUnitIdStopFighting() throws Exception {
    try (TestGateway gw = TestGateway.start()) {
      provision(gw, "FOFIGHT000001");
      List<Credentials.Unit> unit = List.of(new Credentials.Unit("FOFIGHT000001", PASSWORD, null, null));
      SimOptions o = SimOptions.parse(new String[] {"--port", "" + gw.gateway.mqttPort(), "--idle"}, Map.of());
      SimulatorRun first = SimulatorRun.start(simVertx, o, unit).await(10, TimeUnit.SECONDS);
      SimulatorRun second = null;
      try {
        assertTrue(first.awaitConnected(5_000).await(10, TimeUnit.SECONDS), "the first one connected");
        second = SimulatorRun.start(simVertx, o, unit).await(10, TimeUnit.SECONDS);
        SimulatorRun other = second;
        TestGateway.eventually("one of them gives up", 20_000,
            () -> first.stats().takenOver.sum() + other.stats().takenOver.sum() == 1);
        long disconnects = first.stats().disconnects.sum() + second.stats().disconnects.sum();
        assertTrue(disconnects >= PacedUnit.TAKEN_OVER_AFTER, "they fought a few rounds: " + disconnects);
        Thread.sleep(2_500); // longer than the longest pause before a reconnect: the fight is over
        assertEquals(1, first.stats().connected.get() + second.stats().connected.get(), "the other one stays connected");
        assertEquals(disconnects, first.stats().disconnects.sum() + second.stats().disconnects.sum(), "no more takeovers");
      } finally {
        first.stop().await(10, TimeUnit.SECONDS);
        if (second != null) {
          second.stop().await(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  @Test
  void retriesWaitBetweenATenthAndTwoSecondsUntilEveryAddressFailed() {
    for (int i = 0; i < 1_000; i++) {
      long first = PacedUnit.retryDelayMs(0, 3);
      assertTrue(first >= 100 && first <= 2_000, "after a lost connection: " + first);
      long third = PacedUnit.retryDelayMs(2, 3);
      assertTrue(third >= 100 && third <= 2_000, "the third address: " + third);
      long round = PacedUnit.retryDelayMs(3, 3);
      assertTrue(round >= 2_000 && round < 3_000, "after a whole round failed: " + round);
      long many = PacedUnit.retryDelayMs(300, 3);
      assertTrue(many >= 30_000 && many < 31_000, "at most about 30 s: " + many);
    }
  }

  @Test
  void theUnitsOfALostAddressSpreadOverTheOthers() {
    int[] arrivals = new int[3];
    for (int index = 0; index < 300; index++) {
      int start = index % 3;
      if (start == 2) {
        arrivals[PacedUnit.addressAfterLoss(start, index, 3)]++;
      }
    }
    assertEquals(50, arrivals[0], "half of address 2's 100 units go to address 0");
    assertEquals(50, arrivals[1], "and half to address 1");
    assertEquals(1, PacedUnit.addressAfterLoss(0, 4, 2), "with two addresses: the other one");
    assertEquals(0, PacedUnit.addressAfterLoss(0, 7, 1), "with one: the same");
  }

  private static String provision(TestGateway gw, String unitId) {
    return gw.provisionUnit(FLEET, unitId, PASSWORD, Capabilities.ALL_COMMANDS, Arrays.asList(Property.values())).vehicleId();
  }
}
