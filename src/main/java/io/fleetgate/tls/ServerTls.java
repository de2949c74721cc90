package io.fleetgate.tls;

import io.fleetgate.config.ConfigException;
import io.fleetgate.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLEngineOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.logging.Logger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * The server side of TLS, loaded and checked once at start-up from {@code tls.cert}, {@code tls.key},
 * {@code tls.clientCa} and {@code tls.engine}: every listener that speaks TLS applies the same options.
 *
 * <p>Checked here, so that a bad file is one clear {@link ConfigException} naming the setting instead of a
 * failed handshake later: the certificate chain parses, the key parses and belongs to the certificate
 * (a test signature verifies), the client CA holds at least one certificate.
 *
 * <p>Engine: OpenSSL (BoringSSL from netty-tcnative) when it loads, else the JDK's, said in one log line.
 */
public final class ServerTls {
  private static final Logger LOG = Logger.getLogger("fleetgate.tls");

  private final PemKeyCertOptions keyCert;
  private final PemTrustOptions clientCa;
  private final SSLEngineOptions engine;
  private final String engineName;

  private ServerTls(PemKeyCertOptions keyCert, PemTrustOptions clientCa, SSLEngineOptions engine, String engineName) {
    this.keyCert = keyCert;
    this.clientCa = clientCa;
    this.engine = engine;
    this.engineName = engineName;
  }

  /** The server TLS of {@code config}, or null when {@code tls.cert} is unset. */
  public static ServerTls load(Vertx vertx, GatewayConfig.Tls config) {
    if (!config.enabled()) {
      return null;
    }
    Buffer certPem = Buffer.buffer(read("tls.cert", config.cert()));
    Buffer keyPem = Buffer.buffer(read("tls.key", config.key()));
    X509Certificate leaf = certificates("tls.cert", certPem.getBytes()).stream().findFirst()
        .orElseThrow(() -> new ConfigException(name("tls.cert") + ": no PEM certificate in '" + config.cert() + "'"));
    PemKeyCertOptions keyCert = new PemKeyCertOptions().setCertValue(certPem).setKeyValue(keyPem);
    checkKeyMatches(vertx, keyCert, leaf, config);
    PemTrustOptions ca = null;
    if (config.clientCa() != null) {
      byte[] caPem = read("tls.clientCa", config.clientCa());
      if (certificates("tls.clientCa", caPem).isEmpty()) {
        throw new ConfigException(name("tls.clientCa") + ": no PEM certificate in '" + config.clientCa() + "'");
      }
      ca = new PemTrustOptions().addCertValue(Buffer.buffer(caPem));
    }
    SSLEngineOptions engine;
    String engineName;
    if (config.engine().equals("jdk")) {
      engine = new JdkSSLEngineOptions();
      engineName = "jdk";
    } else if (OpenSSLEngineOptions.isAvailable()) {
      engine = new OpenSSLEngineOptions();
      engineName = "openssl";
    } else {
      LOG.warning("tls.engine openssl: netty-tcnative cannot be loaded on this platform ("
          + openSslUnavailabilityCause() + "); using the JDK's TLS engine");
      engine = new JdkSSLEngineOptions();
      engineName = "jdk";
    }
    return new ServerTls(keyCert, ca, engine, engineName);
  }

  /** "openssl" or "jdk": the engine actually in use. */
  public String engineName() {
    return engineName;
  }

  /** Whether units may authenticate with a client certificate ({@code tls.clientCa} is set). */
  public boolean clientCertificates() {
    return clientCa != null;
  }

  /**
   * Turns {@code options} into a TLS listener's. With {@code requestClientCertificate} and a client CA, a
   * client certificate is asked for but not required (units without one log in with their password); a
   * certificate that does not chain to the CA fails the handshake.
   */
  public <T extends NetServerOptions> T apply(T options, boolean requestClientCertificate) {
    options.setSsl(true)
        .setSslEngineOptions(engine.copy())
        .setKeyCertOptions(keyCert.copy());
    if (requestClientCertificate && clientCa != null) {
      options.setTrustOptions(clientCa.copy()).setClientAuth(ClientAuth.REQUEST);
    }
    return options;
  }

  // ---- start-up checks ------------------------------------------------------------------------------------

  private static String name(String key) {
    return key + " (" + io.fleetgate.config.Settings.ALL.get(key).envName() + ")";
  }

  private static byte[] read(String key, String file) {
    try {
      return Files.readAllBytes(Path.of(file));
    } catch (IOException e) {
      throw new ConfigException(name(key) + ": file '" + file + "' cannot be read (" + e.getMessage() + ")");
    }
  }

  @SuppressWarnings("unchecked")
  private static Collection<X509Certificate> certificates(String key, byte[] pem) {
    try {
      return (Collection<X509Certificate>) (Collection<? extends Certificate>)
          CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
    } catch (CertificateException e) {
      throw new ConfigException(name(key) + ": not a PEM certificate (" + e.getMessage() + ")");
    }
  }

  /** The key parses and is the certificate's: a signature made with it verifies with the certificate's key. */
  private static void checkKeyMatches(Vertx vertx, PemKeyCertOptions keyCert, X509Certificate leaf, GatewayConfig.Tls config) {
    PrivateKey key;
    try {
      key = null;
      for (KeyManager km : keyCert.getKeyManagerFactory(vertx).getKeyManagers()) {
        if (km instanceof X509KeyManager x) {
          String[] aliases = x.getServerAliases(leaf.getPublicKey().getAlgorithm(), null);
          if (aliases != null && aliases.length > 0) {
            key = x.getPrivateKey(aliases[0]);
          }
        }
      }
    } catch (Exception e) {
      throw new ConfigException(name("tls.key") + ": '" + config.key() + "' is not a PEM private key of tls.cert ("
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
    }
    if (key == null || !signs(key, leaf)) {
      throw new ConfigException(name("tls.key") + ": '" + config.key() + "' is not the private key of the certificate in tls.cert");
    }
  }

  private static boolean signs(PrivateKey key, X509Certificate cert) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return true; // an algorithm this check does not know: left to the handshake
    }
    try {
      byte[] data = new byte[32];
      new SecureRandom().nextBytes(data);
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(data);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(algorithm);
      v.initVerify(cert.getPublicKey());
      v.update(data);
      return v.verify(sig);
    } catch (Exception e) {
      return false;
    }
  }

  private static String openSslUnavailabilityCause() {
    Throwable cause = io.netty.handler.ssl.OpenSsl.unavailabilityCause();
    return cause == null ? "unknown cause" : cause.toString();
  }
}
