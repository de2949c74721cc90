package io.fleetgate.auth;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The permissions of the REST contract. A full permission implies its read-only variant. */
public enum Permission {
  VEHICLES_RO("vehicles.ro"),
  VEHICLES("vehicles"),
  VEHICLE_COMMANDS("vehicle-commands"),
  VEHICLE_LIFECYCLE("vehicle-lifecycle"),
  FLEETSHARE("fleetshare"),
  EVENTS("events"),
  ADMIN("admin");

  public final String wire;

  Permission(String wire) {
    this.wire = wire;
  }

  /** The permission of this wire name, or null. */
  public static Permission of(String wire) {
    for (Permission p : values()) {
      if (p.wire.equals(wire)) {
        return p;
      }
    }
    return null;
  }

  /** The granted set closed under implication ({@code vehicles} grants {@code vehicles.ro}). */
  public static Set<Permission> effective(Set<Permission> granted) {
    EnumSet<Permission> out = granted.isEmpty() ? EnumSet.noneOf(Permission.class) : EnumSet.copyOf(granted);
    if (out.contains(VEHICLES)) {
      out.add(VEHICLES_RO);
    }
    return out;
  }

  /** Space-separated wire names, as in the token's {@code scope}. */
  public static String scope(Set<Permission> permissions) {
    StringBuilder sb = new StringBuilder();
    for (Permission p : permissions) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(p.wire);
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return wire.toLowerCase(Locale.ROOT);
  }
}
