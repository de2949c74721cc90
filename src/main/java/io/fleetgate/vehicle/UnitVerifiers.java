package io.fleetgate.vehicle;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps the keyed verifier derived after a unit's slow (Argon2) login: in the working set at once, so the
 * unit's next connects are fast, and in the store, so they stay fast after a restart. Both only while the
 * password is still the one verified (its credential version).
 */
public final class UnitVerifiers {
  private static final Logger LOG = Logger.getLogger(UnitVerifiers.class.getName());

  private final VehicleRegistry registry;
  private final VehicleStore store;

  public UnitVerifiers(VehicleRegistry registry, VehicleStore store) {
    this.registry = registry;
    this.store = store;
  }

  /** Best effort: a failed write only means one more Argon2 login after a restart. */
  public void remember(TelematicsUnit verified, String verifier) {
    registry.keyedVerifier(verified.id(), verified.credentialVersion(), verifier);
    store.saveKeyedVerifier(verified.id(), verified.credentialVersion(), verifier)
        .onFailure(e -> LOG.log(Level.WARNING, "keyed verifier of unit " + verified.id()
            + " not stored (derived again at its next login after a restart): " + e.getMessage()));
  }
}
