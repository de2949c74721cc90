package io.fleetgate.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time (nothing is committed): a CA, a server certificate for localhost /
 * 127.0.0.1 signed by it, and client certificates whose CN is a unit id. Written as PEM into a temporary
 * directory for the gateway's tls.* settings; handed to clients as JDK key and trust managers.
 */
public final class TestCertificates {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
  private static final char[] NO_PASSWORD = "changeit".toCharArray();

  /** A key pair and its certificate. */
  public record Issued(KeyPair keys, X509Certificate cert) {}

  public final Path dir;
  public final String keyAlgorithm;
  public final Issued ca;
  public final Issued server;
  public final Path caPem;
  public final Path serverCertPem;
  public final Path serverKeyPem;

  private TestCertificates(Path dir, String keyAlgorithm) {
    this.dir = dir;
    this.keyAlgorithm = keyAlgorithm;
    this.ca = selfSignedCa("fleetgate test CA", keyAlgorithm);
    this.server = issue(ca, "localhost", false, keyAlgorithm);
    this.caPem = write("ca.pem", ca.cert());
    this.serverCertPem = write("server.pem", server.cert());
    this.serverKeyPem = write("server-key.pem", server.keys().getPrivate());
  }

  /** EC P-256 keys in a new temporary directory. */
  public static TestCertificates create() {
    return create("EC");
  }

  /** {@code keyAlgorithm} "EC" (P-256) or "RSA" (2048 bits). */
  public static TestCertificates create(String keyAlgorithm) {
    try {
      return new TestCertificates(Files.createTempDirectory("fleetgate-tls-"), keyAlgorithm);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client certificate with subject CN {@code cn}, issued by this CA. */
  public Issued client(String cn) {
    return issue(ca, cn, false, keyAlgorithm);
  }

  public static Issued selfSignedCa(String name, String keyAlgorithm) {
    KeyPair keys = keyPair(keyAlgorithm);
    return new Issued(keys, sign(new X500Name("CN=" + name), keys, new X500Name("CN=" + name), keys, true, null));
  }

  /** A leaf certificate for {@code cn} signed by {@code issuer}; the server one carries localhost and 127.0.0.1 as SANs. */
  public static Issued issue(Issued issuer, String cn, boolean ca, String keyAlgorithm) {
    KeyPair keys = keyPair(keyAlgorithm);
    X500Name issuerName = new X500Name(issuer.cert().getSubjectX500Principal().getName());
    GeneralNames sans = cn.equals("localhost")
        ? new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1")})
        : null;
    return new Issued(keys, sign(issuerName, issuer.keys(), new X500Name("O=fleetgate test,CN=" + cn), keys, ca, sans));
  }

  private static X509Certificate sign(X500Name issuerName, KeyPair issuerKeys, X500Name subject, KeyPair subjectKeys,
      boolean ca, GeneralNames sans) {
    try {
      Instant now = Instant.now();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, BigInteger.valueOf(SERIAL.incrementAndGet()),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject, subjectKeys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      b.addExtension(Extension.keyUsage, true, ca
          ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature)
          : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      if (sans != null) {
        b.addExtension(Extension.subjectAlternativeName, false, sans);
      }
      String alg = issuerKeys.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(issuerKeys.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException("test certificate for " + subject, e);
    }
  }

  private static KeyPair keyPair(String algorithm) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
      if (algorithm.equals("EC")) {
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      } else {
        g.initialize(2048, new SecureRandom());
      }
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes objects (certificates, keys) as PEM into this directory. */
  public Path write(String name, Object... objects) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(text)) {
      for (Object o : objects) {
        // keys as PKCS#8 ("PRIVATE KEY"): what `openssl genpkey` writes and Vert.x reads for RSA and EC alike
        w.writeObject(o instanceof java.security.PrivateKey k ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : o);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      return Files.writeString(dir.resolve(name), text.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Key managers presenting {@code client} (with its CA's certificate behind it). */
  public static KeyManagerFactory keyManager(Issued client, Issued issuer) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("client", client.keys().getPrivate(), NO_PASSWORD, new X509Certificate[] {client.cert(), issuer.cert()});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, NO_PASSWORD);
      return kmf;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Presents the certificate whatever CAs the server names (the JDK would otherwise keep quiet about one
   * of another CA, and the test could not show that the gateway refuses it).
   */
  static javax.net.ssl.X509ExtendedKeyManager alwaysPresenting(KeyManagerFactory kmf) {
    javax.net.ssl.X509KeyManager km = (javax.net.ssl.X509KeyManager) kmf.getKeyManagers()[0];
    return new javax.net.ssl.X509ExtendedKeyManager() {
      @Override
      public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
        return new String[] {"client"};
      }

      @Override
      public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, Socket socket) {
        return "client";
      }

      @Override
      public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) {
        return "client";
      }

      @Override
      public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
        return null;
      }

      @Override
      public String chooseServerAlias(String keyType, java.security.Principal[] issuers, Socket socket) {
        return null;
      }

      @Override
      public X509Certificate[] getCertificateChain(String alias) {
        return km.getCertificateChain(alias);
      }

      @Override
      public java.security.PrivateKey getPrivateKey(String alias) {
        return km.getPrivateKey(alias);
      }
    };
  }

  /** Trust managers that trust this CA only (for the gateway's server certificate). */
  public TrustManagerFactory trustManager() {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setCertificateEntry("ca", ca.cert());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      return tmf;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A JDK client context trusting this CA and presenting {@code client} (issued by {@code issuer}), or no certificate when null. */
  public SSLContext clientContext(Issued client, Issued issuer) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(client == null ? null : new javax.net.ssl.KeyManager[] {alwaysPresenting(keyManager(client, issuer))},
          trustManager().getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A connected, handshaken TLS socket to 127.0.0.1:{@code port}. */
  public SSLSocket connect(int port, Issued client, Issued issuer) throws IOException {
    Socket plain = new Socket("127.0.0.1", port);
    SSLSocket s = (SSLSocket) clientContext(client, issuer).getSocketFactory().createSocket(plain, "localhost", port, true);
    s.setSoTimeout(10_000);
    s.startHandshake();
    return s;
  }
}
