package io.fleetgate.sim;

import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.TrustOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * The simulator's side of TLS ({@code --tls}): the engine, the CA it trusts for the gateway's certificate,
 * and, with {@code --client-ca-cert}/{@code --client-ca-key}, one client certificate per unit (subject CN =
 * unit id, a fresh EC P-256 key) issued here in memory before any unit connects, so that a connect storm
 * measures handshakes and not certificate making.
 *
 * <p>Certificates are built with Bouncy Castle's ASN.1 classes (bcprov, already in the jar for Argon2) and
 * signed with the JDK's {@link Signature}. Each unit presents its certificate through its own small key
 * manager; every unit shares one trust manager factory.
 */
final class SimTls {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis() * 1000);

  private final SSLEngineOptions engine;
  private final String engineName;
  private final TrustManagerFactory trust;
  private final Map<String, X509ExtendedKeyManager> clientKeys;
  private final double issueSeconds;

  private SimTls(SSLEngineOptions engine, String engineName, TrustManagerFactory trust,
      Map<String, X509ExtendedKeyManager> clientKeys, double issueSeconds) {
    this.engine = engine;
    this.engineName = engineName;
    this.trust = trust;
    this.clientKeys = clientKeys;
    this.issueSeconds = issueSeconds;
  }

  /**
   * Loads {@code --ca} and, with client certificates, issues one for each of {@code unitIds} (on all cores).
   * Blocks: call it before the units start, never on an event loop.
   *
   * @throws SimOptions.BadArgument for a file that is not what its option needs
   */
  static SimTls load(SimOptions options, List<String> unitIds) {
    SSLEngineOptions engine;
    String engineName;
    if (options.tlsEngine() == SimOptions.TlsEngine.OPENSSL && OpenSSLEngineOptions.isAvailable()) {
      engine = new OpenSSLEngineOptions();
      engineName = "openssl";
    } else {
      engine = new JdkSSLEngineOptions();
      engineName = "jdk";
    }
    TrustManagerFactory trust = options.ca() == null ? null : trustManager(certificates("--ca", options.ca()));
    Map<String, X509ExtendedKeyManager> keys = null;
    double seconds = 0;
    if (options.clientCertificates()) {
      List<X509Certificate> caChain = certificates("--client-ca-cert", options.clientCaCert());
      X509Certificate caCert = caChain.get(0);
      PrivateKey caKey = privateKey(options.clientCaKey());
      if (!signs(caKey, caCert)) {
        throw new SimOptions.BadArgument("--client-ca-key: '" + options.clientCaKey()
            + "' is not the private key of the certificate in --client-ca-cert");
      }
      long t0 = System.nanoTime();
      Issuer issuer = new Issuer(caCert, caKey);
      Map<String, X509ExtendedKeyManager> issued = new ConcurrentHashMap<>(unitIds.size() * 2);
      unitIds.parallelStream().forEach(id -> issued.put(id, issuer.issue(id)));
      keys = issued;
      seconds = (System.nanoTime() - t0) / 1e9;
    }
    SimTls tls = new SimTls(engine, engineName, trust, keys, seconds);
    tls.warmUp(unitIds.isEmpty() ? null : unitIds.get(0));
    return tls;
  }

  /**
   * Builds one client context and engine here, off the event loops: each connection builds its own context on
   * its event loop, and the first one would otherwise load the TLS classes there (hundreds of ms).
   */
  private void warmUp(String unitId) {
    try {
      io.netty.handler.ssl.SslContextBuilder b = io.netty.handler.ssl.SslContextBuilder.forClient()
          .sslProvider(engineName.equals("openssl") ? io.netty.handler.ssl.SslProvider.OPENSSL : io.netty.handler.ssl.SslProvider.JDK);
      if (trust != null) {
        b.trustManager(trust);
      }
      if (clientKeys != null && unitId != null) {
        b.keyManager(clientKeys.get(unitId));
      }
      io.netty.handler.ssl.SslContext context = b.build();
      // a handler (what each connection gets) loads the SslHandler classes too; its engine is released unused
      io.netty.util.ReferenceCountUtil.release(context.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, "localhost", 1).engine());
      io.netty.util.ReferenceCountUtil.release(context);
    } catch (javax.net.ssl.SSLException | RuntimeException e) {
      // only a warm-up: the connections report what is wrong
    }
  }

  /** "openssl" or "jdk": the engine the units use. */
  String engineName() {
    return engineName;
  }

  boolean clientCertificates() {
    return clientKeys != null;
  }

  /** Seconds it took to issue the units' certificates (0 without client certificates). */
  double issueSeconds() {
    return issueSeconds;
  }

  /** One line for the run's header. */
  String describe() {
    return "TLS (" + engineName + " engine, " + (clientKeys != null
        ? clientKeys.size() + " client certificates issued in " + String.format("%.1f", issueSeconds) + " s, no passwords"
        : "passwords") + ")";
  }

  /** Makes {@code options} a TLS client for {@code unitId}: engine, trust, hostname check, its certificate if any. */
  <T extends NetClientOptions> T apply(T options, String unitId) {
    options.setSsl(true)
        .setSslEngineOptions(engine.copy())
        .setHostnameVerificationAlgorithm("HTTPS");
    if (trust != null) {
      options.setTrustOptions(TrustOptions.wrap(trust));
    }
    if (clientKeys != null) {
      X509ExtendedKeyManager key = clientKeys.get(unitId);
      if (key == null) {
        throw new IllegalStateException("no client certificate was issued for unit " + unitId);
      }
      options.setKeyCertOptions(KeyCertOptions.wrap(key));
    }
    return options;
  }

  // ---- issuing ---------------------------------------------------------------------------------------------

  /** Issues client certificates with one CA: EC P-256 leaf keys, valid from an hour ago for 30 days. */
  static final class Issuer {
    private final X500Name issuerName;
    private final PrivateKey caKey;
    private final String signatureAlgorithm;
    private final AlgorithmIdentifier signatureId;
    private final ThreadLocal<KeyPairGenerator> generators = ThreadLocal.withInitial(Issuer::ecGenerator);

    Issuer(X509Certificate caCert, PrivateKey caKey) {
      this.issuerName = X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded());
      this.caKey = caKey;
      if (caKey.getAlgorithm().equals("RSA")) {
        signatureAlgorithm = "SHA256withRSA";
        signatureId = new AlgorithmIdentifier(PKCSObjectIdentifiers.sha256WithRSAEncryption, DERNull.INSTANCE);
      } else if (caKey.getAlgorithm().equals("EC")) {
        signatureAlgorithm = "SHA256withECDSA";
        signatureId = new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
      } else {
        throw new SimOptions.BadArgument("--client-ca-key: an EC or RSA key, got " + caKey.getAlgorithm());
      }
    }

    /** A new key and a certificate for it with subject CN {@code unitId}, as a key manager presenting them. */
    X509ExtendedKeyManager issue(String unitId) {
      KeyPair keys = generators.get().generateKeyPair();
      return new UnitKeyManager(certificate(unitId, keys), keys.getPrivate());
    }

    X509Certificate certificate(String unitId, KeyPair keys) {
      try {
        long now = System.currentTimeMillis();
        V3TBSCertificateGenerator tbs = new V3TBSCertificateGenerator();
        tbs.setSerialNumber(new ASN1Integer(BigInteger.valueOf(SERIAL.incrementAndGet())));
        tbs.setIssuer(issuerName);
        tbs.setSubject(new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, unitId).build());
        tbs.setStartDate(new Time(new Date(now - 3_600_000L)));
        tbs.setEndDate(new Time(new Date(now + 30L * 24 * 3_600_000L)));
        tbs.setSubjectPublicKeyInfo(SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()));
        tbs.setSignature(signatureId);
        ExtensionsGenerator ext = new ExtensionsGenerator();
        ext.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        ext.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        ext.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        tbs.setExtensions(ext.generate());
        TBSCertificate body = tbs.generateTBSCertificate();
        Signature s = Signature.getInstance(signatureAlgorithm);
        s.initSign(caKey);
        s.update(body.getEncoded(ASN1Encoding.DER));
        ASN1EncodableVector v = new ASN1EncodableVector(3);
        v.add(body);
        v.add(signatureId);
        v.add(new DERBitString(s.sign()));
        byte[] der = new DERSequence(v).getEncoded(ASN1Encoding.DER);
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException("issuing a client certificate for " + unitId, e);
      }
    }

    private static KeyPairGenerator ecGenerator() {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return g;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Always presents one certificate and its key: a unit has one, so there is nothing to choose (and no key
   * store, whose password-based encryption of each key would cost more than issuing it).
   */
  static final class UnitKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "unit";
    private final X509Certificate[] chain;
    private final PrivateKey key;

    UnitKeyManager(X509Certificate cert, PrivateKey key) {
      this.chain = new X509Certificate[] {cert};
      this.key = key;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {ALIAS};
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return ALIAS;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return ALIAS;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return ALIAS.equals(alias) ? key : null;
    }
  }

  // ---- files -----------------------------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  static List<X509Certificate> certificates(String option, Path file) {
    try {
      Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file)));
      if (all.isEmpty()) {
        throw new SimOptions.BadArgument(option + ": no PEM certificate in '" + file + "'");
      }
      return List.copyOf((Collection<X509Certificate>) all);
    } catch (IOException e) {
      throw new SimOptions.BadArgument(option + ": cannot read '" + file + "' (" + e.getMessage() + ")");
    } catch (GeneralSecurityException e) {
      throw new SimOptions.BadArgument(option + ": '" + file + "' is not a PEM certificate (" + e.getMessage() + ")");
    }
  }

  private static TrustManagerFactory trustManager(List<X509Certificate> cas) {
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      for (int i = 0; i < cas.size(); i++) {
        ks.setCertificateEntry("ca-" + i, cas.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      return tmf;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("trust store of --ca", e);
    }
  }

  /** A PEM PKCS#8 private key ({@code BEGIN PRIVATE KEY}), EC or RSA. */
  static PrivateKey privateKey(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new SimOptions.BadArgument("--client-ca-key: cannot read '" + file + "' (" + e.getMessage() + ")");
    }
    String begin = "-----BEGIN PRIVATE KEY-----";
    String end = "-----END PRIVATE KEY-----";
    int b = text.indexOf(begin);
    int e = text.indexOf(end);
    if (b < 0 || e < b) {
      throw new SimOptions.BadArgument("--client-ca-key: '" + file + "' holds no PEM PKCS#8 key (BEGIN PRIVATE KEY; convert "
          + "an EC or RSA PRIVATE KEY with `openssl pkcs8 -topk8 -nocrypt`)");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
    } catch (IllegalArgumentException x) {
      throw new SimOptions.BadArgument("--client-ca-key: '" + file + "': bad base64 in the PEM key");
    }
    for (String algorithm : new String[] {"EC", "RSA"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException ignored) {
        // try the next algorithm
      }
    }
    throw new SimOptions.BadArgument("--client-ca-key: '" + file + "' is not an EC or RSA PKCS#8 private key");
  }

  private static boolean signs(PrivateKey key, X509Certificate cert) {
    try {
      String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      byte[] data = "fleetgate simulator".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(algorithm);
      s.initSign(key);
      s.update(data);
      Signature v = Signature.getInstance(algorithm);
      v.initVerify(cert.getPublicKey());
      v.update(data);
      return v.verify(s.sign());
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
