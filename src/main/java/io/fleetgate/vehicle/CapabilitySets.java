package io.fleetgate.vehicle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Capabilities in canonical order (commands as the contract lists them, state properties by id). */
public final class CapabilitySets {
  private CapabilitySets() {}

  /** The capabilities of these commands and properties, without duplicates, in canonical order. */
  public static Capabilities canonical(Collection<String> commands, Collection<Property> state) {
    List<String> c = new ArrayList<>();
    for (String known : Capabilities.ALL_COMMANDS) {
      if (commands.contains(known)) {
        c.add(known);
      }
    }
    List<Property> s = new ArrayList<>();
    for (Property p : Property.values()) {
      if (state.contains(p)) {
        s.add(p);
      }
    }
    return Capabilities.of(c, s);
  }
}
