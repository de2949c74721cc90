package io.fleetgate.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.TestGateway;
import io.fleetgate.tls.TestCertificates;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.Property;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The simulator's {@code --tls} units against a gateway with TLS listeners and tls.clientCa: client
 * certificates issued in memory by the simulator (the units' passwords are wrong on purpose, so only the
 * certificate can admit them) over MQTT and TCP, and passwords over server-authenticated TLS.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SimulatorTlsTest {
  private static final String FLEET = "fleet-sim-tls";
  private static final String PASSWORD = "sim-tls-password-0123";
  static TestCertificates certs;
  static Path caKeyPem;
  static TestGateway gw;
  /** The simulator's own Vert.x, as in a real run: the gateway's event loops stay the ones checked at 100 ms. */
  static io.vertx.core.Vertx simVertx;
  static int next;

  @BeforeAll
  static void start() {
    certs = TestCertificates.create();
    caKeyPem = certs.write("ca-key.pem", certs.ca.keys().getPrivate());
    gw = TestGateway.start(Map.of("tls.cert", certs.serverCertPem.toString(), "tls.key", certs.serverKeyPem.toString(),
        "tls.clientCa", certs.caPem.toString(), "mqtt.tlsPort", 0, "tcp.tlsPort", 0));
    simVertx = io.vertx.core.Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    simVertx.close().await();
    gw.close();
  }

  /** Provisions {@code n} units with PASSWORD; hands them to the simulator with {@code simulatorPassword}. */
  private static List<SimulatorTcpTest.Provisioned> provision(int n, String simulatorPassword) {
    List<SimulatorTcpTest.Provisioned> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TestGateway.ProvisionedUnit p = gw.provisionUnit(FLEET, String.format("SIMTLS%06d", ++next), PASSWORD,
          Capabilities.ALL_COMMANDS, Arrays.asList(Property.values()));
      out.add(new SimulatorTcpTest.Provisioned(new Credentials.Unit(p.unitId(), simulatorPassword, null, null), p.vehicleId()));
    }
    return out;
  }

  private static String[] tls(boolean clientCertificates, String... more) {
    List<String> args = new ArrayList<>(List.of("--tls", "--ca", certs.caPem.toString(), "--mode", "load",
        "--target-rate", "200", "--window", "8", "--connect-rate", "100"));
    if (clientCertificates) {
      args.addAll(List.of("--client-ca-cert", certs.caPem.toString(), "--client-ca-key", caKeyPem.toString()));
    }
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** Connects, sends for 2 s, drains; every frame acknowledged and applied, no error. */
  private static void runLoad(SimOptions o, List<SimulatorTcpTest.Provisioned> provisioned) throws Exception {
    SimulatorRun run = SimulatorRun.start(simVertx, o, provisioned.stream().map(SimulatorTcpTest.Provisioned::unit).toList())
        .await(20, TimeUnit.SECONDS);
    try {
      assertTrue(run.awaitConnected(15_000).await(20, TimeUnit.SECONDS),
          "every unit connected (" + run.stats().connected.get() + " of " + provisioned.size() + ")");
      run.startSending().await(5, TimeUnit.SECONDS);
      Thread.sleep(2_000);
      run.stopSending(5_000).await(10, TimeUnit.SECONDS);
    } finally {
      run.stop().await(10, TimeUnit.SECONDS);
    }
    SimStats s = run.stats();
    assertEquals(0, s.errors(), "no connect failures, timeouts or errors");
    assertEquals(provisioned.size(), s.connects.sum());
    assertTrue(s.framesSent.sum() >= 100, "up to 200 frames/s for 2 s, sent " + s.framesSent.sum());
    assertEquals(s.framesSent.sum(), s.framesAcked.sum(), "every frame acknowledged");
    for (SimulatorTcpTest.Provisioned p : provisioned) {
      assertNotNull(gw.gateway.registry.live(p.vehicleId()).state.get(Property.POSITION), "state applied for " + p.vehicleId());
    }
  }

  @Test
  void mqttUnitsLogInWithCertificatesTheSimulatorIssued() throws Exception {
    List<SimulatorTcpTest.Provisioned> units = provision(3, "not-the-unit-password");
    runLoad(SimOptions.parse(tls(true, "--port", "" + gw.gateway.mqttTlsPort()), Map.of()), units);
  }

  @Test
  void tcpUnitsLogInWithCertificatesOnTheJdkEngineToo() throws Exception {
    List<SimulatorTcpTest.Provisioned> units = provision(2, "not-the-unit-password");
    runLoad(SimOptions.parse(tls(true, "--protocol", "tcp", "--port", "" + gw.gateway.tcpTlsPort(), "--tls-engine", "jdk"),
        Map.of()), units);
  }

  @Test
  void passwordsOverServerAuthenticatedTls() throws Exception {
    List<SimulatorTcpTest.Provisioned> units = provision(2, PASSWORD);
    runLoad(SimOptions.parse(tls(false, "--port", "" + gw.gateway.mqttTlsPort()), Map.of()), units);
  }

  @Test
  void issuedCertificatesNameTheUnitAndChainToTheCa() throws Exception {
    SimOptions o = SimOptions.parse(tls(true), Map.of());
    SimTls tls = SimTls.load(o, List.of("unit-a", "unit-b"));
    assertTrue(tls.clientCertificates());
    SimTls.Issuer issuer = new SimTls.Issuer(certs.ca.cert(), certs.ca.keys().getPrivate());
    X509Certificate cert = issuer.certificate("unit-c", java.security.KeyPairGenerator.getInstance("EC").generateKeyPair());
    cert.verify(certs.ca.cert().getPublicKey());
    cert.checkValidity();
    assertEquals("CN=unit-c", cert.getSubjectX500Principal().getName());
    assertEquals(certs.ca.cert().getSubjectX500Principal(), cert.getIssuerX500Principal());
    assertTrue(cert.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.2"), "clientAuth");
  }

  @Test
  void aCaKeyThatIsNotTheCertificatesIsRefusedAtStart() {
    TestCertificates other = TestCertificates.create();
    Path otherKey = other.write("other-key.pem", other.ca.keys().getPrivate());
    SimOptions o = SimOptions.parse(new String[] {"--tls", "--client-ca-cert", certs.caPem.toString(),
        "--client-ca-key", otherKey.toString()}, Map.of());
    String m = assertThrows(SimOptions.BadArgument.class, () -> SimTls.load(o, List.of("u"))).getMessage();
    assertTrue(m.startsWith("--client-ca-key: ") && m.contains("is not the private key of the certificate in --client-ca-cert"), m);
    SimOptions notAKey = SimOptions.parse(new String[] {"--tls", "--client-ca-cert", certs.caPem.toString(),
        "--client-ca-key", certs.caPem.toString()}, Map.of());
    m = assertThrows(SimOptions.BadArgument.class, () -> SimTls.load(notAKey, List.of("u"))).getMessage();
    assertTrue(m.contains("holds no PEM PKCS#8 key"), m);
  }
}
