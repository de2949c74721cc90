package io.fleetgate.support;

/**
 * The key a per-address limit counts a remote address under: an IPv4 address itself, an IPv6 address by its
 * /64 prefix (one subscriber usually holds a whole /64, so counting single IPv6 addresses would let one client
 * spread its attempts over 2^64 keys). Used by the REST and the device listeners alike.
 */
public final class AddressKey {
  private AddressKey() {}

  /** {@code address} as Java prints it ({@code InetAddress#getHostAddress}: IPv6 expanded, no brackets). */
  public static String of(String address) {
    if (address == null) {
      return "unknown";
    }
    if (address.indexOf(':') < 0) {
      return address;
    }
    int zone = address.indexOf('%');
    String[] groups = (zone < 0 ? address : address.substring(0, zone)).split(":", -1);
    if (groups.length != 8) {
      return address; // not the expanded form a socket reports: counted as it is
    }
    return groups[0] + ":" + groups[1] + ":" + groups[2] + ":" + groups[3] + "::/64";
  }
}
