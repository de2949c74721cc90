package io.fleetgate.tls;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The unit id a connection's client certificate vouches for. The TLS layer has already checked that the
 * certificate chains to {@code tls.clientCa} (a certificate that does not fails the handshake), so the
 * subject CN of the peer's certificate is the unit id.
 */
public final class ClientCertificate {
  private ClientCertificate() {}

  /** The subject CN of the verified client certificate, or null (no TLS, or no certificate presented). */
  public static String unitId(SSLSession session) {
    if (session == null) {
      return null;
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException noCertificate) {
      return null;
    }
    if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return null;
    }
    return commonName(leaf.getSubjectX500Principal().getName());
  }

  /** The most specific CN of an RFC 2253 name (the leftmost; LdapName lists RDNs right to left), or null. */
  static String commonName(String rfc2253) {
    try {
      String cn = null;
      for (Rdn rdn : new LdapName(rfc2253).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          cn = rdn.getValue().toString();
        }
      }
      return cn == null || cn.isEmpty() ? null : cn;
    } catch (InvalidNameException e) {
      return null;
    }
  }
}
