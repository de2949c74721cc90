package io.fleetgate;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The arrows between packages point inward: the surfaces ({@code api}, {@code device}) and the store
 * implementations ({@code store}) depend on the domain, never the other way, so that cluster code can slot in
 * behind the domain's ports ({@code CommandRouter}, {@code DeviceSessions}, the access snapshot) without an
 * arrow running upward.
 *
 * <p>What holds, on the main classes (tests excluded):
 * <ul>
 *   <li>the domain packages (access, auth, command, events, fleet, protocol, sharing, vehicle) do not depend
 *       on {@code api..}, {@code device..} or {@code store..} (ports live in their domain package, e.g.
 *       {@code vehicle.VehicleStore}; the implementations in {@code store.memory}/{@code store.pg});
 *   <li>{@code problem} (the errors both surfaces render) and {@code access} (the sharing snapshot) depend on
 *       no other fleetgate package;
 *   <li>the top-level packages {@code io.fleetgate.(*)..} are free of cycles;
 *   <li>the root package (the {@code Gateway} wiring, {@code Main}) is in no slice because it wires
 *       everything; only {@code sim} (the demo starts a gateway) refers back to it.
 * </ul>
 *
 * <p>Plain JUnit tests over the ArchUnit rules (the ArchUnit engine's {@code @ArchTest} fields were not run by
 * Surefire's {@code -Dtest} selection).
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.fleetgate");
  }

  private static final String[] DOMAIN = {"io.fleetgate.access..", "io.fleetgate.auth..", "io.fleetgate.command..",
      "io.fleetgate.events..", "io.fleetgate.fleet..", "io.fleetgate.protocol..", "io.fleetgate.sharing..",
      "io.fleetgate.vehicle.."};

  @Test
  void domainDoesNotDependOnSurfacesOrStores() {
    noClasses().that().resideInAnyPackage(DOMAIN)
        .should().dependOnClassesThat().resideInAnyPackage("io.fleetgate.api..", "io.fleetgate.device..",
            "io.fleetgate.store..").check(classes);
  }

  @Test
  void problemIsALeaf() {
    leaf("io.fleetgate.problem..").check(classes);
  }

  @Test
  void accessIsALeaf() {
    leaf("io.fleetgate.access..").check(classes);
  }

  @Test
  void topLevelPackagesAreFreeOfCycles() {
    slices().matching("io.fleetgate.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void onlyTheDemoRefersToTheRoot() {
    noClasses().that().resideOutsideOfPackages("io.fleetgate", "io.fleetgate.sim..")
        .should().dependOnClassesThat().resideInAPackage("io.fleetgate").check(classes);
  }

  /** Classes of {@code pkg} depend on no fleetgate class outside it. */
  private static ArchRule leaf(String pkg) {
    return noClasses().that().resideInAPackage(pkg).should().dependOnClassesThat(
        resideInAPackage("io.fleetgate..").and(not(resideInAPackage(pkg))));
  }
}
