package io.fleetgate.device.tcp;

import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.protocol.CommandResult;
import io.fleetgate.protocol.Hex;
import io.fleetgate.protocol.tcp.TcpFrame;
import io.fleetgate.protocol.tcp.TcpMessage;
import io.fleetgate.protocol.tcp.TcpMessageEncoder;
import io.fleetgate.protocol.tcp.TcpMessage.Command;
import io.fleetgate.protocol.tcp.TcpMessage.Error;
import io.fleetgate.protocol.tcp.TcpMessage.Heartbeat;
import io.fleetgate.protocol.tcp.TcpMessage.HeartbeatAck;
import io.fleetgate.protocol.tcp.TcpMessage.Login;
import io.fleetgate.protocol.tcp.TcpMessage.LoginAck;
import io.fleetgate.protocol.tcp.TcpMessage.Result;
import io.fleetgate.protocol.tcp.TcpMessage.State;
import io.fleetgate.protocol.tcp.TcpMessage.StateAck;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A unit on a raw socket against a running gateway: login, state, heartbeats, commands and every refusal. */
@Timeout(60)
class TcpDeviceTest {
  static final String FLEET = "fleet-tcp";
  static final String PASSWORD = "unit-password-0123";
  private static final AtomicInteger NEXT = new AtomicInteger(40_000);
  static TestGateway gw;

  record Unit(String id, String vehicleId) {}

  @BeforeAll
  static void start() {
    gw = TestGateway.start();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  static Unit provision(TestGateway gw) {
    String unitId = String.format("TCPU%08X", NEXT.incrementAndGet());
    TestGateway.ProvisionedUnit p = gw.provisionUnit(FLEET, unitId, PASSWORD, Capabilities.ALL_COMMANDS,
        Arrays.asList(Property.values()));
    return new Unit(p.unitId(), p.vehicleId());
  }

  static RawUnit loggedIn(TestGateway gw, Unit u) {
    RawUnit unit = new RawUnit(gw.gateway.tcpPort()).send(new Login(u.id(), PASSWORD));
    assertEquals(new LoginAck(0), unit.read());
    return unit;
  }

  static StateFrame charge(long seq, int percent) {
    long ts = System.currentTimeMillis() - 60_000 + seq;
    return new StateFrame(ts, seq, List.of(new Reading(Property.STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT, ts, (double) percent)), 0);
  }

  static boolean online(TestGateway gw, Unit u) {
    return gw.gateway.registry.live(u.vehicleId()).lifeStatus().online();
  }

  static Object charge(TestGateway gw, Unit u) {
    Reading r = gw.gateway.registry.live(u.vehicleId()).state.get(Property.STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT);
    return r == null ? null : r.value();
  }

  @Test
  void loginStateAcksAndHeartbeatOverSplitAndMergedWrites() throws Exception {
    Unit u = provision(gw);
    try (RawUnit unit = new RawUnit(gw.gateway.tcpPort())) {
      unit.writeByteByByte(TcpMessageEncoder.encode(new Login(u.id(), PASSWORD)));
      assertEquals(new LoginAck(0), unit.read());
      eventually("online", () -> online(gw, u));

      unit.writeByteByByte(TcpMessageEncoder.encode(new State(charge(1, 10))));
      assertEquals(new StateAck(1), unit.read());
      assertEquals(10.0, charge(gw, u));

      ByteArrayOutputStream merged = new ByteArrayOutputStream();
      for (int seq = 2; seq <= 200; seq++) {
        merged.write(TcpMessageEncoder.encode(new State(charge(seq, seq % 101))));
      }
      merged.write(TcpMessageEncoder.encode(new Heartbeat()));
      unit.write(merged.toByteArray());
      // HEARTBEAT_ACK goes out at once, not in order with STATE_ACKs: with a store that commits before the
      // ack (PostgreSQL), it can overtake state acks still waiting for their commit
      int heartbeatAcks = 0;
      int seq = 2;
      while (seq <= 200 || heartbeatAcks == 0) {
        TcpMessage m = unit.read();
        if (m instanceof HeartbeatAck) {
          heartbeatAcks++;
        } else {
          assertEquals(new StateAck(seq++), m, "acks in order");
        }
      }
      assertEquals(1, heartbeatAcks);
      assertEquals(200.0 % 101, charge(gw, u));
    }
    eventually("offline after close", () -> !online(gw, u));
  }

  @Test
  void commandThroughTheApiIsAnsweredWithCommandResult() throws Exception {
    Unit u = provision(gw);
    String token = gw.token(FLEET, Permission.VEHICLE_COMMANDS);
    try (RawUnit unit = loggedIn(gw, u)) {
      CompletableFuture<HttpResponse<Buffer>> response = gw.http.post("/vehicles/" + u.vehicleId() + "/commands/unlock-central-lock")
          .putHeader("Authorization", "Bearer " + token).send().toCompletionStage().toCompletableFuture();
      Command command = assertInstanceOf(Command.class, unit.read());
      assertEquals("UNLOCK_CENTRAL_LOCK", command.name());
      assertTrue(command.expiresAtMs() > System.currentTimeMillis());
      long ts = System.currentTimeMillis() - 1000;
      StateFrame after = new StateFrame(ts, 5, List.of(new Reading(Property.CENTRAL_LOCK, ts, "UNLOCKED")), 0);
      unit.send(new Result(new CommandResult(command.id(), CommandResult.SUCCEEDED, "done", after.readings()), after));
      HttpResponse<Buffer> r = response.get(20, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r::bodyAsString);
      JsonObject body = r.bodyAsJsonObject();
      assertEquals("SUCCEEDED", body.getString("status"));
      assertEquals(command.id().toString(), body.getString("command_id"));
      assertEquals("UNLOCKED", body.getJsonObject("state").getJsonObject("central_lock").getString("value"));
    }
  }

  @Test
  void wrongPasswordGetsLoginAck1AndClose() {
    Unit u = provision(gw);
    try (RawUnit unit = new RawUnit(gw.gateway.tcpPort()).send(new Login(u.id(), "not-the-password"))) {
      assertEquals(new LoginAck(1), unit.read());
      assertTrue(unit.closedByGateway());
    }
    try (RawUnit unit = new RawUnit(gw.gateway.tcpPort()).send(new Login("NO-SUCH-UNIT", PASSWORD))) {
      assertEquals(new LoginAck(1), unit.read());
      assertTrue(unit.closedByGateway());
    }
    assertFalse(online(gw, u));
  }

  @Test
  void frameBeforeLoginGetsError2AndClose() {
    Unit u = provision(gw);
    try (RawUnit unit = new RawUnit(gw.gateway.tcpPort()).send(new State(charge(1, 50)))) {
      assertEquals(new Error(2), unit.read());
      assertTrue(unit.closedByGateway());
    }
    assertEquals(null, charge(gw, u));
  }

  @Test
  void badCrcGetsError1AndClose() {
    Unit u = provision(gw);
    try (RawUnit unit = loggedIn(gw, u)) {
      byte[] frame = TcpMessageEncoder.encode(new State(charge(1, 50)));
      frame[frame.length - 1] ^= 1;
      unit.write(frame);
      assertEquals(new Error(1), unit.read());
      assertTrue(unit.closedByGateway());
    }
    assertEquals(null, charge(gw, u));
    eventually("offline", () -> !online(gw, u));
  }

  @Test
  void invalidStatePayloadGetsError1AndClose() {
    Unit u = provision(gw);
    try (RawUnit unit = loggedIn(gw, u)) {
      unit.write(new TcpFrame(TcpFrame.STATE, Hex.bytes("01 000001A1FD8C6900 00000007 01 060165")).toBytes()); // charge 101 %
      assertEquals(new Error(1), unit.read());
      assertTrue(unit.closedByGateway());
    }
  }

  @Test
  void secondConnectionTakesOver() {
    Unit u = provision(gw);
    try (RawUnit first = loggedIn(gw, u); RawUnit second = loggedIn(gw, u)) {
      assertTrue(first.closedByGateway());
      second.send(new Heartbeat());
      assertEquals(new HeartbeatAck(), second.read());
      assertTrue(online(gw, u), "the older session's close leaves the vehicle online");
    }
  }

  @Test
  void loginTimeoutAndSilenceTimeout() {
    try (TestGateway quick = TestGateway.start(Map.of("tcp.loginTimeoutSeconds", 1, "tcp.heartbeatSeconds", 1))) {
      try (RawUnit silent = new RawUnit(quick.gateway.tcpPort())) {
        assertEquals(new Error(2), silent.read());
        assertTrue(silent.closedByGateway());
      }
      Unit u = provision(quick);
      try (RawUnit unit = loggedIn(quick, u)) {
        long start = System.nanoTime();
        assertTrue(unit.closedByGateway(), "closed after 1.5 heartbeat intervals of silence");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 1000 && ms < 5000, ms + " ms");
      }
      eventually("offline", () -> !online(quick, u));
    }
  }

  @Test
  void revokeCloses() {
    Unit u = provision(gw);
    try (RawUnit unit = loggedIn(gw, u)) {
      gw.gateway.devices.sessions().current(u.id()).revoke();
      assertTrue(unit.closedByGateway());
    }
    eventually("offline", () -> !online(gw, u));
  }
}
