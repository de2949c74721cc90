package io.fleetgate.api;

import io.vertx.core.http.HttpServerRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The address a per-address limit should count a request against: the socket's remote address, unless that
 * is a trusted reverse proxy (http.trustedProxies); then the right-most {@code X-Forwarded-For} entry that is
 * not itself a trusted proxy. Entries left of it are the client's own claims and are never believed, so a
 * client cannot pick the address it is counted under; one that does not reach a trusted proxy is counted
 * under its socket address whatever it sends.
 */
public final class ClientAddress {
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private ClientAddress() {}

  /** The client's address for {@code request}; {@code trusted} as normalized IP literals. */
  public static String of(HttpServerRequest request, Set<String> trusted) {
    String socket = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    if (trusted.isEmpty() || !trusted.contains(socket)) {
      return socket;
    }
    return resolve(socket, request.headers().getAll("X-Forwarded-For"), trusted);
  }

  /**
   * The key a per-address limit counts {@code address} under: an IPv4 address itself, an IPv6 address by its
   * /64 prefix (one subscriber usually holds a whole /64, so counting single IPv6 addresses would let one client
   * spread over 2^64 keys).
   */
  public static String limitKey(String address) {
    return io.fleetgate.support.AddressKey.of(address);
  }

  /**
   * The rule itself: {@code forwarded} are the X-Forwarded-For header values in the order received. When a
   * trusted hop passed on something that is not an IP address, the socket address is kept.
   */
  public static String resolve(String socket, List<String> forwarded, Set<String> trusted) {
    if (!trusted.contains(socket)) {
      return socket;
    }
    String[] entries = String.join(",", forwarded).split(",");
    for (int i = entries.length - 1; i >= 0; i--) {
      String entry = entries[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      String address = normalize(entry);
      if (address == null) {
        return socket;
      }
      if (!trusted.contains(address)) {
        return address;
      }
    }
    return socket;
  }

  /** An IP literal as the socket reports it (IPv6 expanded, brackets dropped); null for anything else. */
  static String normalize(String literal) {
    String s = literal.startsWith("[") && literal.endsWith("]") ? literal.substring(1, literal.length() - 1) : literal;
    if (!IPV4.matcher(s).matches() && !IPV6.matcher(s).matches()) {
      return null; // never resolve a name a client sent
    }
    try {
      return InetAddress.getByName(s).getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
