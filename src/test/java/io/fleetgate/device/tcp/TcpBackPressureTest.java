package io.fleetgate.device.tcp;

import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.device.UnitConnection;
import io.fleetgate.events.Event;
import io.fleetgate.events.EventSink;
import io.fleetgate.events.EventType;
import io.fleetgate.protocol.tcp.TcpMessage.Login;
import io.fleetgate.protocol.tcp.TcpMessage.LoginAck;
import io.fleetgate.protocol.tcp.TcpMessage.State;
import io.fleetgate.protocol.tcp.TcpMessage.StateAck;
import io.fleetgate.protocol.tcp.TcpMessageEncoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A unit floods STATE frames while the gateway cannot finish their hand-offs (an event sink that holds
 * its confirms, as a stalled broker would): the gateway takes exactly tcp.maxInflightPerConnection frames,
 * pauses reading, keeps at most one read's worth of bytes, and the unit's writes stall in the kernel. Once
 * the sink confirms again, reading resumes and every frame is applied and acknowledged in order.
 */
@Timeout(120)
class TcpBackPressureTest {
  private static final int IN_FLIGHT = 8;
  private static final int FRAMES = 100_000;

  /** Holds every confirm of the unit's vehicle's events until released; then confirms at once. */
  static final class HoldingSink implements EventSink {
    final String vehicleId;
    final ConcurrentLinkedQueue<Promise<Void>> held = new ConcurrentLinkedQueue<>();
    volatile boolean holding = true;

    HoldingSink(String vehicleId) {
      this.vehicleId = vehicleId;
    }

    @Override
    public boolean wants(String fleetId, EventType type, String vehicleId) {
      return type == EventType.VEHICLE_STATE_RECORDED && this.vehicleId.equals(vehicleId);
    }

    @Override
    public Future<Void> deliver(Event event) {
      if (!holding) {
        return Future.succeededFuture();
      }
      // like a real sink: completion is delivered on the publishing session's own event loop
      Promise<Void> p = ((io.vertx.core.internal.ContextInternal) io.vertx.core.Vertx.currentContext()).promise();
      held.add(p);
      return p.future();
    }
  }

  @Test
  void floodWhileHandOffsAreHeldPausesReadingThenEverythingIsAcked() throws Exception {
    try (TestGateway gw = TestGateway.start(Map.of("tcp.maxInflightPerConnection", IN_FLIGHT))) {
      TcpDeviceTest.Unit u = TcpDeviceTest.provision(gw);
      HoldingSink sink = new HoldingSink(u.vehicleId());
      gw.gateway.eventSinks.add(sink);

      Socket socket = new Socket();
      socket.setSendBufferSize(8192);
      socket.connect(new InetSocketAddress("127.0.0.1", gw.gateway.tcpPort()));
      try (RawUnit unit = new RawUnit(socket)) {
        unit.send(new Login(u.id(), TcpDeviceTest.PASSWORD));
        assertEquals(new LoginAck(0), unit.read());
        TcpUnitSession session = (TcpUnitSession) ((UnitConnection<?>) gw.gateway.devices.sessions().current(u.id())).wire();

        AtomicLong written = new AtomicLong();
        AtomicBoolean writerFailed = new AtomicBoolean();
        OutputStream out = socket.getOutputStream();
        Thread writer = new Thread(() -> {
          try {
            for (int seq = 1; seq <= FRAMES; seq++) {
              byte[] frame = TcpMessageEncoder.encode(new State(TcpDeviceTest.charge(seq, seq % 101)));
              out.write(frame);
              written.addAndGet(frame.length);
            }
            out.flush();
          } catch (IOException e) {
            writerFailed.set(true);
          }
        }, "flooding-unit");
        writer.setDaemon(true);
        writer.start();

        eventually("gateway took the in-flight bound and paused", () -> sink.held.size() == IN_FLIGHT && session.readingPaused());
        // The unit's writes stall in the kernel. Tiny frames cost the receive queue far more memory than their
        // bytes, and a busy kernel makes room by collapsing that queue, so writes may trickle on for a while
        // rather than stop dead: a trickle (< 16 KiB/s, against MB/s unthrottled) counts as stalled.
        eventually("the unit's writes stall", 60_000, () -> {
          long before = written.get();
          sleep(1000);
          return written.get() - before < 16 * 1024;
        });
        long stalledAt = written.get();
        assertTrue(writer.isAlive() && stalledAt < (long) FRAMES * 20, "the writer is blocked, " + stalledAt + " bytes written");
        sleep(500);
        assertEquals(IN_FLIGHT, sink.held.size(), "no frame beyond the bound is taken");
        assertTrue(session.bufferedBytes() <= 128 * 1024, "at most about one read is buffered: " + session.bufferedBytes());

        // the broker is back: confirm what is held, confirm the rest at once
        sink.holding = false;
        Promise<Void> p;
        while ((p = sink.held.poll()) != null) {
          p.complete(); // each listener runs on the session's event loop, not on this thread
        }
        for (int seq = 1; seq <= FRAMES; seq++) {
          assertEquals(new StateAck(seq), unit.read(), "acks resume, in order");
        }
        writer.join(10_000);
        assertTrue(!writerFailed.get());
        assertEquals((double) (FRAMES % 101), TcpDeviceTest.charge(gw, u));
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

}
