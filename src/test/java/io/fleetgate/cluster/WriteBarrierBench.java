package io.fleetgate.cluster;

import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the write barrier adds to an admin write (PATCH /fleets/{id}) and a sharing write (POST and DELETE
 * /vehicles/{id}/sharing) on a 3-node cluster: the same writes through node 0, one at a time, in alternating
 * blocks with and without the barrier. Not part of the suite (no *IT/*Test name); run it with
 * {@code mvn -B -o verify -Dit.test=WriteBarrierBench -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class WriteBarrierBench {
  private static final int WRITES = 500;
  private static final int BLOCK = 50;

  @Test
  void barrierLatency() {
    try (TestCluster cluster = TestCluster.start(3)) {
      for (int i = 0; i < 3; i++) {
        TestGateway node = cluster.node(i);
        eventually("node " + i + " ready", 20_000, () -> node.gateway.cluster.members().size() == 3 && WorkingSetBarrierIT.ready(node) == 200);
      }
      TestGateway n0 = cluster.node(0);
      String admin = n0.adminToken();
      String fleet = WorkingSetBarrierIT.createFleet(n0);
      String partner = WorkingSetBarrierIT.createFleet(n0);
      String ownerToken = WorkingSetBarrierIT.login(n0, WorkingSetBarrierIT.createClient(n0, fleet));
      assertEquals(201, WorkingSetBarrierIT.call(n0, HttpMethod.POST, "/partnerships", admin,
          new JsonObject().put("fleet_ids", new JsonArray().add(fleet).add(partner))).statusCode());
      String vehicle = WorkingSetBarrierIT.addVehicle(n0, ownerToken);
      WorkingSetSync sync = n0.gateway.workingSetSync;
      int[] n = {0};
      Runnable adminWrite = () -> expect(200, WorkingSetBarrierIT.call(n0, HttpMethod.PATCH, "/fleets/" + fleet, admin,
          new JsonObject().put("name", "Fleet " + (n[0]++))));
      boolean[] shared = {false};
      Runnable sharingWrite = () -> {
        if (shared[0]) {
          expect(204, WorkingSetBarrierIT.call(n0, HttpMethod.DELETE, "/vehicles/" + vehicle + "/sharing", ownerToken, null));
        } else {
          expect(200, WorkingSetBarrierIT.call(n0, HttpMethod.POST, "/vehicles/" + vehicle + "/sharing", ownerToken,
              new JsonObject().put("fleet_id", partner)));
        }
        shared[0] = !shared[0];
      };
      for (int i = 0; i < 100; i++) { // warm-up
        adminWrite.run();
        sharingWrite.run();
      }
      report("admin write (PATCH /fleets/{id})", sync, adminWrite);
      report("sharing write (POST/DELETE /vehicles/{id}/sharing)", sync, sharingWrite);
    }
  }

  private static void report(String what, WorkingSetSync sync, Runnable write) {
    List<Long> with = new ArrayList<>();
    List<Long> without = new ArrayList<>();
    for (int done = 0; done < WRITES; done += BLOCK) {
      for (boolean off : new boolean[] {false, true}) {
        sync.barrierOff = off;
        for (int i = 0; i < BLOCK; i++) {
          long t0 = System.nanoTime();
          write.run();
          (off ? without : with).add(System.nanoTime() - t0);
        }
      }
    }
    sync.barrierOff = false;
    System.out.printf("%s, %d writes each, 3 nodes: with the barrier median %.2f ms p99 %.2f ms; without median %.2f ms p99 %.2f ms%n",
        what, WRITES, pct(with, 50), pct(with, 99), pct(without, 50), pct(without, 99));
  }

  private static double pct(List<Long> nanos, int p) {
    List<Long> s = new ArrayList<>(nanos);
    Collections.sort(s);
    return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1)) / 1e6;
  }

  private static void expect(int status, HttpResponse<Buffer> r) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
  }
}
