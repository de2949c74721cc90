package io.fleetgate.store.pg;

import static io.fleetgate.TestGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import io.fleetgate.TestGateway;
import io.fleetgate.sim.ThrottlingProxy;
import io.fleetgate.store.PgTestDatabase;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.reactivex.schedulers.Schedulers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL slow (behind a {@link ThrottlingProxy}: 10 ms added each way, 100 kB/s each way) while MQTT units
 * each put more QoS 1 frames on the wire than the gateway lets in flight (400 against a window of 200), and the
 * windows together (16 × 200) are three times {@code db.maxPendingRows}: the units are slowed (their sessions
 * stop reading once the history buffer is three quarters full), not refused or disconnected, and the buffer
 * never holds more rows than its bound. Then the database link is cut in the middle of the flood and the
 * gateway stopped: every frame a unit got a PUBACK for is in {@code state_history} (read straight from the
 * database), i.e. no PUBACK went out before its commit. Without the congested pause, units are disconnected
 * (frames refused at the bound) and the test fails.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlowHistoryWritesTest {
  static final int UNITS = 16;
  static final int FRAMES = 400;
  static final int MAX_PENDING_ROWS = 1000; // the smallest db.maxPendingRows; 500 a lane, congested from 375
  static final String PASSWORD = "slow-db-unit-password";

  static byte[] frame(int seq) {
    return String.format("{\"ts\": \"2026-11-21T10:%02d:%02d.%03dZ\", \"state\": {\"mileage_in_kilometers\": {\"value\": %d}}}",
        seq / 60_000, seq / 1000 % 60, seq % 1000, seq).getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void acknowledgedFramesAreCommittedAndUnitsAreSlowedNotRefused() throws Exception {
    assumeFalse(PgTestDatabase.selected(), "on PostgreSQL of its own in either execution: once is enough");
    Vertx helper = Vertx.vertx();
    try (PgTestDatabase db = PgTestDatabase.create()) {
      URI target = URI.create(db.url);
      ThrottlingProxy proxy = new ThrottlingProxy(helper, target.getHost(), target.getPort() > 0 ? target.getPort() : 5432, 0, 0);
      int port = await(proxy.start(0));
      String slowUrl = db.url.replaceFirst("//([^@/]*@)?[^/:]+(:\\d+)?/", "//$1127.0.0.1:" + port + "/");
      List<String> vehicles = new ArrayList<>();
      List<ConcurrentLinkedQueue<Integer>> acked = new ArrayList<>();
      AtomicInteger ackedTotal = new AtomicInteger();
      AtomicInteger maxPending = new AtomicInteger();
      // closing it at the end of the block: what is still queued cannot be written, it fails unacknowledged
      try (TestGateway gw = TestGateway.start(Map.of("db.url", slowUrl, "db.maxPendingRows", MAX_PENDING_ROWS, "db.timeoutMs", 2000,
          "mqtt.maxInflightPerConnection", 200))) {
        List<Mqtt3AsyncClient> clients = new ArrayList<>();
        for (int i = 0; i < UNITS; i++) {
          String unitId = String.format("SLOWDB%08X", i);
          TestGateway.ProvisionedUnit u = gw.provisionUnit("slow-db-fleet", unitId, PASSWORD, List.of(), List.of(Property.MILEAGE_IN_KILOMETERS));
          Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3().identifier(unitId).serverHost("127.0.0.1")
              .serverPort(gw.gateway.mqttPort())
              .executorConfig(MqttClientExecutorConfig.builder().applicationScheduler(Schedulers.single()).build())
              .buildAsync();
          c.connectWith().simpleAuth().username(unitId).password(PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
              .send().get(10, TimeUnit.SECONDS);
          vehicles.add(u.vehicleId());
          clients.add(c);
          acked.add(new ConcurrentLinkedQueue<>());
        }
        proxy.limit(100_000, 10); // migrated and provisioned at full speed; now the database is slow
        Gauge pendingRows = gw.gateway.metrics.find("fleetgate_db_history_pending_rows").gauge();
        long sampler = helper.setPeriodic(5, id -> maxPending.accumulateAndGet((int) pendingRows.value(), Math::max));
        for (int i = 0; i < UNITS; i++) {
          ConcurrentLinkedQueue<Integer> mine = acked.get(i);
          for (int seq = 1; seq <= FRAMES; seq++) {
            int s = seq;
            clients.get(i).publishWith().topic("units/" + String.format("SLOWDB%08X", i) + "/state").qos(MqttQos.AT_LEAST_ONCE)
                .payload(frame(seq)).send().thenRun(() -> {
                  mine.add(s);
                  ackedTotal.incrementAndGet();
                });
          }
        }
        TestGateway.eventually("half the frames acknowledged (or a unit disconnected)", 30_000,
            () -> ackedTotal.get() >= UNITS * FRAMES / 2 || clients.stream().anyMatch(c -> !c.getState().isConnected()));
        helper.cancelTimer(sampler);

        assertTrue(ackedTotal.get() < UNITS * FRAMES, "the database is slow enough that frames still wait");
        for (Mqtt3AsyncClient c : clients) {
          assertTrue(c.getState().isConnected(), "units are slowed, not disconnected");
        }
        Counter congested = gw.gateway.metrics.find("fleetgate_device_read_pauses").tags("protocol", "mqtt", "cause", "congested").counter();
        assertTrue(congested != null && congested.count() > 0, "sessions stopped reading while the history buffer was congested");
        assertTrue(maxPending.get() <= MAX_PENDING_ROWS, "pending rows within db.maxPendingRows: " + maxPending.get());
        assertTrue(maxPending.get() > 0, "the sampler saw the backlog");

        await(proxy.close()); // the database goes away in the middle of the flood
      } finally {
        helper.close();
      }

      Map<String, Set<Integer>> committed = new HashMap<>();
      try (Connection c = db.open(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT vehicle_id, readings FROM state_history")) {
        while (rs.next()) {
          for (Reading r : PgReadingCodec.decode(Buffer.buffer(rs.getBytes(2)))) {
            if (r.property() == Property.MILEAGE_IN_KILOMETERS) {
              committed.computeIfAbsent(rs.getString(1), v -> new HashSet<>()).add(((Number) r.value()).intValue());
            }
          }
        }
      }
      int ackedFrames = 0;
      for (int i = 0; i < UNITS; i++) {
        Set<Integer> rows = committed.getOrDefault(vehicles.get(i), Set.of());
        List<Integer> mine = new ArrayList<>(acked.get(i));
        ackedFrames += mine.size();
        List<Integer> lost = mine.stream().filter(seq -> !rows.contains(seq)).toList();
        assertEquals(List.of(), lost, "unit " + i + ": acknowledged frames missing from state_history");
      }
      assertTrue(ackedFrames >= UNITS * FRAMES / 2 && ackedFrames < UNITS * FRAMES,
          "the cut came in the middle of the flood: " + ackedFrames + " of " + UNITS * FRAMES + " acknowledged");
    }
  }
}
