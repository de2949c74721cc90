package io.fleetgate.device.tcp;

import static io.fleetgate.TestGateway.await;
import static io.fleetgate.TestGateway.eventually;
import static io.fleetgate.device.tcp.TcpDeviceTest.charge;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.device.tcp.TcpDeviceTest.Unit;
import io.fleetgate.protocol.tcp.TcpMessage.State;
import io.fleetgate.protocol.tcp.TcpMessage.StateAck;
import io.fleetgate.store.PgTestDatabase;
import io.fleetgate.store.pg.CuttableProxy;
import io.fleetgate.vehicle.Property;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL away while a unit sends state: its STATE_ACKs are withheld (the rows are not committed), the
 * latest state in memory stays current, readiness is down; when the database is back the acks follow, in
 * order, and every row is in the history.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TcpStateOutageTest {

  @Test
  void stateAcksWaitForTheDatabaseAndFollowInOrderWhenItIsBack() throws Exception {
    Vertx helper = Vertx.vertx();
    try (PgTestDatabase db = PgTestDatabase.create()) {
      CuttableProxy proxy = CuttableProxy.before(helper, db.url);
      TestGateway gw = TestGateway.start(Map.of("db.url", proxy.url, "db.timeoutMs", 1000));
      try {
        Unit u = TcpDeviceTest.provision(gw);
        try (RawUnit unit = TcpDeviceTest.loggedIn(gw, u)) {
          unit.send(new State(charge(1, 1)));
          assertEquals(new StateAck(1), unit.read());

          proxy.cut();
          for (int seq = 2; seq <= 20; seq++) {
            unit.send(new State(charge(seq, seq)));
          }
          eventually("latest state current in memory", () -> {
            var r = gw.gateway.registry.live(u.vehicleId()).state.get(Property.STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT);
            return r != null && r.value().equals(20.0);
          });
          assertTrue(unit.silentFor(1000), "no STATE_ACK while the database is away");
          eventually("not ready", () -> await(gw.http.get("/health/ready").send()).statusCode() == 503);

          proxy.restore();
          for (int seq = 2; seq <= 20; seq++) {
            assertEquals(new StateAck(seq), unit.read(), "acks in order once the rows are committed");
          }
          assertEquals(20, db.count("SELECT count(*) FROM state_history WHERE vehicle_id = '" + u.vehicleId() + "'"));
          eventually("ready again", 15_000, () -> await(gw.http.get("/health/ready").send()).statusCode() == 200);
        }
      } finally {
        gw.close();
        await(proxy.close());
        await(helper.close());
      }
    }
  }
}
