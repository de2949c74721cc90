package io.fleetgate.device.tcp;

import static io.fleetgate.TestGateway.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.auth.Permission;
import io.fleetgate.protocol.tcp.TcpMessage;
import io.fleetgate.protocol.tcp.TcpMessage.Heartbeat;
import io.fleetgate.protocol.tcp.TcpMessage.HeartbeatAck;
import io.fleetgate.protocol.tcp.TcpMessage.Login;
import io.fleetgate.protocol.tcp.TcpMessage.LoginAck;
import io.fleetgate.protocol.tcp.TcpMessage.State;
import io.fleetgate.protocol.tcp.TcpMessage.StateAck;
import io.fleetgate.tls.TestCertificates;
import io.fleetgate.tls.TestCertificates.Issued;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TCP protocol on tcp.tlsPort with certificates made at test time: a unit with a password over
 * server-authenticated TLS, a unit with a client certificate (CN = unit id) and no password, and every
 * refusal (certificate of another CA, CN of another unit, unit whose vehicle was removed). A raw JDK
 * SSLSocket plays the unit.
 */
@Timeout(60)
class TcpTlsTest {
  static TestCertificates certs;
  static TestGateway gw;

  @BeforeAll
  static void start() {
    certs = TestCertificates.create();
    gw = TestGateway.start(Map.of("tls.cert", certs.serverCertPem.toString(), "tls.key", certs.serverKeyPem.toString(),
        "tls.clientCa", certs.caPem.toString(), "mqtt.tlsPort", 0, "tcp.tlsPort", 0));
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  private RawUnit tls(Issued client, Issued issuer) {
    try {
      return new RawUnit(certs.connect(gw.gateway.tcpTlsPort(), client, issuer));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void passwordOverServerAuthenticatedTls() {
    TcpDeviceTest.Unit u = TcpDeviceTest.provision(gw);
    try (RawUnit unit = tls(null, null).send(new Login(u.id(), TcpDeviceTest.PASSWORD))) {
      assertEquals(new LoginAck(0), unit.read());
      unit.send(new State(TcpDeviceTest.charge(1, 42)));
      assertEquals(new StateAck(1), unit.read());
      assertEquals(42.0, TcpDeviceTest.charge(gw, u));
    }
    try (RawUnit unit = tls(null, null).send(new Login(u.id(), "wrong-password-123"))) {
      assertEquals(new LoginAck(1), unit.read());
      assertTrue(unit.closedByGateway());
    }
  }

  @Test
  void clientCertificateStandsForThePassword() {
    TcpDeviceTest.Unit u = TcpDeviceTest.provision(gw);
    try (RawUnit unit = tls(certs.client(u.id()), certs.ca).send(new Login(u.id(), ""))) {
      assertEquals(new LoginAck(0), unit.read());
      eventually("online", () -> TcpDeviceTest.online(gw, u));
      unit.send(new State(TcpDeviceTest.charge(7, 55)), new Heartbeat());
      // HEARTBEAT_ACK goes out at once: it may overtake a STATE_ACK that waits for its commit (PostgreSQL)
      assertEquals(java.util.Set.of(new StateAck(7), new HeartbeatAck()), java.util.Set.of(unit.read(), unit.read()));
      assertEquals(55.0, TcpDeviceTest.charge(gw, u));
    }
  }

  @Test
  void loginNamingAnotherUnitThanTheCertificateIsRefused() {
    TcpDeviceTest.Unit mine = TcpDeviceTest.provision(gw);
    TcpDeviceTest.Unit other = TcpDeviceTest.provision(gw);
    // even with the other unit's right password: the certificate says who is speaking
    try (RawUnit unit = tls(certs.client(mine.id()), certs.ca).send(new Login(other.id(), TcpDeviceTest.PASSWORD))) {
      assertEquals(new LoginAck(1), unit.read());
      assertTrue(unit.closedByGateway());
    }
  }

  @Test
  void certificateOfAnotherCaFailsTheHandshake() {
    TcpDeviceTest.Unit u = TcpDeviceTest.provision(gw);
    Issued rogueCa = TestCertificates.selfSignedCa("rogue CA", "EC");
    Issued rogue = TestCertificates.issue(rogueCa, u.id(), false, "EC");
    assertRefusedAtHandshake(() -> tls(rogue, rogueCa).send(new Login(u.id(), "")));
    assertTrue(!TcpDeviceTest.online(gw, u));
  }

  @Test
  void removedUnitsCertificateIsRefusedAndItsSessionClosed() throws Exception {
    TcpDeviceTest.Unit u = TcpDeviceTest.provision(gw);
    Issued cert = certs.client(u.id());
    try (RawUnit unit = tls(cert, certs.ca).send(new Login(u.id(), ""))) {
      assertEquals(new LoginAck(0), unit.read());
      String token = gw.token(TcpDeviceTest.FLEET, Permission.VEHICLE_LIFECYCLE);
      int status = TestGateway.await(gw.http.delete("/vehicles/" + u.vehicleId()).putHeader("Authorization", "Bearer " + token).send())
          .statusCode();
      assertEquals(204, status);
      assertTrue(unit.closedByGateway(), "the live session of a removed vehicle's unit is closed");
    }
    try (RawUnit unit = tls(cert, certs.ca).send(new Login(u.id(), ""))) {
      assertEquals(new LoginAck(1), unit.read(), "still a valid certificate, but the registry says no");
      assertTrue(unit.closedByGateway());
    }
    // an id the registry never knew is refused the same way
    try (RawUnit unit = tls(certs.client("NEVER-PROVISIONED"), certs.ca).send(new Login("NEVER-PROVISIONED", ""))) {
      assertEquals(new LoginAck(1), unit.read());
    }
  }

  @Test
  void plainPortStillWorks() {
    TcpDeviceTest.Unit u = TcpDeviceTest.provision(gw);
    assertNotEquals(gw.gateway.tcpPort(), gw.gateway.tcpTlsPort());
    try (RawUnit unit = TcpDeviceTest.loggedIn(gw, u)) {
      unit.send(new Heartbeat());
      assertEquals(new HeartbeatAck(), unit.read());
    }
  }

  /**
   * The gateway refuses the certificate: with TLS 1.3 the client may believe the handshake done and only
   * learn it from the alert on its first read, so "refused" is a failed handshake or a connection that ends
   * without a LOGIN_ACK.
   */
  static void assertRefusedAtHandshake(java.util.function.Supplier<RawUnit> attempt) {
    RawUnit unit;
    try {
      unit = attempt.get();
    } catch (UncheckedIOException refused) {
      return;
    }
    try (unit) {
      TcpMessage answer = unit.read();
      throw new AssertionError("expected the handshake to fail, got " + answer);
    } catch (UncheckedIOException refused) {
      // alert or reset on the first read
    }
  }
}
