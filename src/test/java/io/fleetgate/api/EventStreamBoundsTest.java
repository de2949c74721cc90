package io.fleetgate.api;

import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.vertx.core.Future;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bounds of an event stream: keep-alive comments, and a client that cannot keep up is dropped, never waited for. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EventStreamBoundsTest {
  static TestGateway gw;
  static VehicleApi api;

  @BeforeAll
  static void start() {
    gw = TestGateway.start(Map.of("events.keepAliveSeconds", 1, "events.sseBufferEvents", 32));
    api = new VehicleApi(gw);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @Test
  void anIdleStreamGetsKeepAliveComments() {
    try (SseClient s = SseClient.open(gw, gw.token("fleet-ka", Permission.EVENTS), null)) {
      int first = s.comments.get(); // the comment sent on open
      eventually("two keep-alive comments", 5_000, () -> s.comments.get() >= first + 2);
      assertEquals(List.of(), s.events);
    }
  }

  @Test
  void aClientThatNeverReadsIsDisconnectedWhileIngestionCarriesOn() throws Exception {
    String token = gw.token("fleet-slow", Permission.VEHICLES, Permission.VEHICLE_LIFECYCLE, Permission.EVENTS);
    String id = api.add(token, VehicleApi.newVehicle().put("vehicle_model_id", "vw-golf-8-retrofit")).getString("id");
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(1024);
      socket.connect(new InetSocketAddress("127.0.0.1", gw.gateway.httpPort()));
      OutputStream out = socket.getOutputStream();
      out.write(("GET /events/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      eventually("the stream is open", () -> gw.gateway.sse.streams("fleet-slow") == 1);

      long t = System.currentTimeMillis() - 3_600_000;
      int applied = 0;
      // the socket is never read: socket buffers, then the write queue, then the 32-event buffer fill up
      for (int batch = 0; batch < 400 && gw.gateway.sse.streams("fleet-slow") > 0; batch++) {
        applied += ingest(id, t, applied, 500);
      }
      assertEquals(0, gw.gateway.sse.streams("fleet-slow"), "the slow stream was dropped");
      int more = ingest(id, t, applied, 500);
      assertEquals(500, more, "ingestion carries on after the drop");
      double last = TestGateway.await(gw.http.get("/vehicles/" + id + "/state").putHeader("Authorization", "Bearer " + token).send())
          .bodyAsJsonObject().getJsonObject("mileage_in_kilometers").getDouble("value");
      assertEquals(applied + more, (int) last);
      assertTrue(applied > 0);
    }
  }

  /** Applies {@code n} frames with increasing mileage; returns how many were applied (each one changes the state). */
  private static int ingest(String id, long t, int from, int n) {
    List<Future<List<Reading>>> frames = new ArrayList<>(n);
    for (int i = from + 1; i <= from + n; i++) {
      frames.add(gw.gateway.ingest.apply(id, List.of(new Reading(Property.MILEAGE_IN_KILOMETERS, t + i, (double) i)), t + i));
    }
    int ok = 0;
    for (Future<List<Reading>> f : frames) {
      ok += TestGateway.await(f).size();
    }
    return ok;
  }
}
