package io.fleetgate.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimOptionsTest {

  private static SimOptions parse(String... args) {
    return SimOptions.parse(args, Map.of());
  }

  private static String error(String... args) {
    return assertThrows(SimOptions.BadArgument.class, () -> parse(args)).getMessage();
  }

  @Test
  void defaults() {
    SimOptions o = parse();
    assertEquals("127.0.0.1", o.host());
    assertEquals(1884, o.port());
    assertEquals(10, o.units());
    assertEquals(1, o.qos());
    assertEquals(SimOptions.Format.JSON, o.format());
    assertEquals(SimOptions.Mode.REALISTIC, o.mode());
    assertEquals(60, o.durationSeconds());
    assertFalse(o.idle());
    assertEquals("sim-000007", o.unitId(7));
  }

  @Test
  void protocolDefaultsToMqttAndTcpImpliesBinaryOnItsOwnPort() {
    assertEquals(SimOptions.Protocol.MQTT, parse().protocol());
    SimOptions tcp = parse("--protocol", "tcp");
    assertEquals(SimOptions.Protocol.TCP, tcp.protocol());
    assertEquals(SimOptions.DEFAULT_TCP_PORT, tcp.port());
    assertEquals(SimOptions.Format.BINARY, tcp.format());
    assertEquals(1, tcp.qos());
    SimOptions explicit = parse("--protocol=TCP", "--port", "6100", "--format", "binary");
    assertEquals(6100, explicit.port());
    assertEquals(SimOptions.Format.BINARY, explicit.format());
    assertEquals(SimOptions.Protocol.MQTT, parse("--protocol", "mqtt").protocol());
    assertEquals(1884, parse("--protocol", "mqtt").port());
  }

  @Test
  void badProtocolsAreOneLine() {
    String bad = error("--protocol", "udp");
    assertEquals("--protocol: one of mqtt, tcp, got 'udp'", bad);
    String json = error("--protocol", "tcp", "--format", "json");
    assertTrue(json.startsWith("--format json: the TCP protocol carries binary state frames only"), json);
    assertFalse(json.contains("\n"), json);
    String qos0 = error("--format", "binary", "--qos", "0", "--protocol", "tcp");
    assertTrue(qos0.startsWith("--qos 0: TCP state frames are always acknowledged"), qos0);
    assertFalse(qos0.contains("\n"), qos0);
  }

  @Test
  void everyOptionInBothSpellings() {
    SimOptions o = parse("--host", "localhost", "--port=1999", "--units", "300", "--unit-prefix", "bench-", "--qos", "0",
        "--format", "BINARY", "--mode", "load", "--target-rate", "5000", "--window", "64", "--duration", "30",
        "--source-addresses", "127.0.0.1-127.0.0.4,127.0.1.9", "--connect-rate", "200", "--keep-alive", "120",
        "--provision", "--admin-id", "root", "--admin-secret", "s3cret-s3cret-s3cret", "--api-url", "http://127.0.0.1:9090/");
    assertEquals(1999, o.port());
    assertEquals(300, o.units());
    assertEquals(0, o.qos());
    assertEquals(SimOptions.Format.BINARY, o.format());
    assertEquals(SimOptions.Mode.LOAD, o.mode());
    assertEquals(5000, o.targetRate());
    assertEquals(64, o.window());
    assertEquals(List.of("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.1.9"), o.sourceAddresses());
    assertTrue(o.provision());
    assertEquals("http://127.0.0.1:9090", o.apiUrl());
  }

  @Test
  void adminFromTheEnvironment() {
    SimOptions o = SimOptions.parse(new String[] {"--provision"},
        Map.of("FLEETGATE_ADMIN_CLIENT_ID", "root", "FLEETGATE_ADMIN_CLIENT_SECRET", "0123456789abcdef"));
    assertEquals("root", o.adminId());
  }

  @Test
  void badOptionsAreOneClearLine() {
    assertEquals("unknown option '--bogus'", error("--bogus"));
    assertEquals("unexpected argument 'fast'", error("fast"));
    assertEquals("--qos: must be between 0 and 1, got 2", error("--qos", "2"));
    assertEquals("--units: must be a whole number, got 'many'", error("--units", "many"));
    assertEquals("--port: needs a value", error("--port"));
    assertEquals("--format: one of json, binary, got 'xml'", error("--format", "xml"));
    assertEquals("--idle takes no value", error("--idle=yes"));
    assertTrue(error("--password", "short").startsWith("--password: at least 12"));
    assertTrue(error("--provision").startsWith("--provision: needs --admin-id"));
    assertTrue(error("--source-addresses", "10.0.0.1-10.0.0.4").contains("loopback"));
    assertTrue(error("--source-addresses", "127.0.0.9-127.0.0.2").contains("empty range"));
    assertTrue(error("--mode", "load", "--host", "192.0.2.1").contains("only target loopback"));
    assertTrue(error("--idle", "--mode", "load").startsWith("--idle:"));
    assertTrue(error("--duration", "0").startsWith("--duration: must be between 1"));
  }

  @Test
  void theCliPrintsOneLineAndExitsWithTwo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      assertEquals(2, Simulator.run(new String[] {"--qos", "7"}, Map.of(), System.out));
    } finally {
      System.setErr(saved);
    }
    String text = err.toString(StandardCharsets.UTF_8);
    assertEquals(1, text.lines().count(), text);
    assertTrue(text.startsWith("fleetgate simulate: --qos: must be between 0 and 1, got 7"), text);
  }

  private static String help() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, Simulator.run(new String[] {"--help"}, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8)));
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helpIsPrinted() {
    assertTrue(help().contains("--target-rate"));
  }

  @Test
  void commandOptions() {
    SimOptions o = SimOptions.parse(new String[] {"--mode", "commands", "--provision", "--command-rate", "1000",
        "--command-failure-rate", "0.1", "--command-delay-ms", "5"}, Map.of("FLEETGATE_ADMIN_CLIENT_ID", "a",
        "FLEETGATE_ADMIN_CLIENT_SECRET", "secret-secret-secret"));
    assertEquals(SimOptions.Mode.COMMANDS, o.mode());
    assertEquals(1000.0, o.commandRate());
    assertEquals(0.1, o.commandFailureRate());
    assertEquals(5, o.commandDelayMs());
    assertEquals(0.0, parse().commandFailureRate());
    org.junit.jupiter.api.Assertions.assertThrows(SimOptions.BadArgument.class, () -> parse("--mode", "commands"));
    org.junit.jupiter.api.Assertions.assertThrows(SimOptions.BadArgument.class, () -> parse("--command-failure-rate", "1.5"));
  }

  @Test
  void tlsMovesTheDefaultPortToTheTlsListenersAndTakesItsFiles(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path ca = java.nio.file.Files.writeString(dir.resolve("ca.pem"), "x");
    java.nio.file.Path key = java.nio.file.Files.writeString(dir.resolve("ca-key.pem"), "x");
    SimOptions plain = parse();
    assertFalse(plain.tls());
    assertFalse(plain.clientCertificates());
    SimOptions o = parse("--tls");
    assertTrue(o.tls());
    assertEquals(8884, o.port());
    assertEquals(SimOptions.TlsEngine.OPENSSL, o.tlsEngine());
    assertEquals(5101, parse("--tls", "--protocol", "tcp").port());
    assertEquals(9999, parse("--tls", "--port", "9999").port());
    o = parse("--tls", "--ca", ca.toString(), "--client-ca-cert", ca.toString(), "--client-ca-key", key.toString(),
        "--tls-engine", "jdk");
    assertEquals(ca, o.ca());
    assertEquals(ca, o.clientCaCert());
    assertEquals(key, o.clientCaKey());
    assertTrue(o.clientCertificates());
    assertEquals(SimOptions.TlsEngine.JDK, o.tlsEngine());

    assertEquals("--ca: only with --tls (it configures the TLS connection)", error("--ca", ca.toString()));
    assertEquals("--client-ca-cert: only with --tls (it configures the TLS connection)",
        error("--client-ca-cert", ca.toString(), "--client-ca-key", key.toString()));
    assertEquals("--client-ca-cert: needs --client-ca-key (its private key, to issue the units' certificates)",
        error("--tls", "--client-ca-cert", ca.toString()));
    assertEquals("--client-ca-key: needs --client-ca-cert (the CA certificate of that key)",
        error("--tls", "--client-ca-key", key.toString()));
    assertEquals("--ca: '" + dir.resolve("missing.pem") + "' is not a readable file",
        error("--tls", "--ca", dir.resolve("missing.pem").toString()));
    assertEquals("--ca: '" + dir + "' is not a readable file", error("--tls", "--ca", dir.toString()));
    assertEquals("--tls-engine: one of openssl, jdk, got 'boring'", error("--tls", "--tls-engine", "boring"));
    assertEquals("--tls takes no value", error("--tls=yes"));
    assertEquals("--tls-engine: only with --tls (it configures the TLS connection)", error("--tls-engine", "jdk"));
    assertTrue(help().contains("--client-ca-cert FILE"), "documented in --help");
  }

  @Test
  void gatewaysSpreadUnitsOverSeveralAddresses() {
    SimOptions one = parse("--host", "localhost", "--port", "1999");
    assertEquals(List.of(new SimOptions.Address("localhost", 1999)), one.gateways(), "--host/--port: one address");
    SimOptions o = parse("--gateways", "127.0.0.1:1884, 127.0.0.1:1885,localhost:1886");
    assertEquals(List.of(new SimOptions.Address("127.0.0.1", 1884), new SimOptions.Address("127.0.0.1", 1885),
        new SimOptions.Address("localhost", 1886)), o.gateways());
    assertEquals("127.0.0.1", o.host(), "host() and port() are the first address");
    assertEquals(1884, o.port());
    assertEquals("127.0.0.1:1884, 127.0.0.1:1885, localhost:1886", o.describeGateways());
    SimOptions tcp = parse("--protocol", "tcp", "--mode", "load", "--gateways=127.0.0.1:5100,[::1]:5101");
    assertEquals(new SimOptions.Address("::1", 5101), tcp.gateways().get(1));
    assertEquals("[::1]:5101", tcp.gateways().get(1).toString());
    assertEquals(List.of(new SimOptions.Address("127.0.0.1", 8884)), parse("--tls").gateways());
    assertTrue(help().contains("--gateways H:P,H:P"), "documented in --help");
  }

  @Test
  void badGatewaysAreOneLine() {
    assertEquals("--gateways: each address is HOST:PORT (e.g. 127.0.0.1:1884,127.0.0.1:1885), got '1884'",
        error("--gateways", "1884"));
    assertEquals("--gateways: each address is HOST:PORT (e.g. 127.0.0.1:1884,127.0.0.1:1885), got ':1884'",
        error("--gateways", "127.0.0.1:1883,:1884"));
    assertEquals("--gateways: each address is HOST:PORT (e.g. 127.0.0.1:1884,127.0.0.1:1885), got ''",
        error("--gateways", "127.0.0.1:1883,"));
    assertEquals("--gateways: each address is HOST:PORT (e.g. 127.0.0.1:1884,127.0.0.1:1885), got '::1:1884'",
        error("--gateways", "::1:1884"));
    assertEquals("--gateways: '127.0.0.1:http' needs a port between 1 and 65535 (each address is HOST:PORT)",
        error("--gateways", "127.0.0.1:http"));
    assertEquals("--gateways: '127.0.0.1:70000' needs a port between 1 and 65535 (each address is HOST:PORT)",
        error("--gateways", "127.0.0.1:70000"));
    assertEquals("--gateways: 127.0.0.1:1884 is listed twice", error("--gateways", "127.0.0.1:1884,127.0.0.1:1884"));
    assertEquals("--gateways: not with --host (each address of --gateways has its own host:port)",
        error("--host", "127.0.0.1", "--gateways", "127.0.0.1:1884,127.0.0.1:1885"));
    assertEquals("--gateways: not with --port (each address of --gateways has its own host:port)",
        error("--gateways", "127.0.0.1:1884,127.0.0.1:1885", "--port", "1886"));
    assertEquals("--gateways: needs a value", error("--gateways"));
    String many = String.join(",", java.util.stream.IntStream.rangeClosed(1, 65).mapToObj(i -> "127.0.0.1:" + (2000 + i)).toList());
    assertEquals("--gateways: at most 64 addresses, got 65", error("--gateways", many));
    // load and idle runs stay on loopback, for every address
    assertEquals("--gateways: load and idle runs only target loopback addresses (127.0.0.0/8), got '192.0.2.1'",
        error("--mode", "load", "--gateways", "127.0.0.1:1884,192.0.2.1:1884"));
    assertEquals("--gateways: load and idle runs only target loopback addresses (127.0.0.0/8), got '192.0.2.1'",
        error("--idle", "--gateways", "192.0.2.1:1884"));
    assertEquals(2, parse("--gateways", "127.0.0.1:1884,192.0.2.1:1884").gateways().size(), "realistic runs go anywhere");
  }
}
