package io.fleetgate.benchmarks;

import io.fleetgate.access.Sharing;
import io.fleetgate.access.SharingIndex;
import io.fleetgate.vehicle.Capabilities;
import io.fleetgate.vehicle.Vehicle;
import io.fleetgate.vehicle.VehicleAccess;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The access decision every vehicle request pays ({@link VehicleAccess#of}) over a snapshot of
 * {@code vehicles} vehicles of which {@code sharings} are lent to a partner: as the owner, as the partner of
 * a shared vehicle, and as a stranger asking for a shared one (the lookup that finds a sharing but not for
 * it). Each call takes the next vehicle from a shuffled ring so that lookups miss the caches as real
 * requests would. Target: ≤ 100 ns.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AccessCheckBenchmark {
  @Param({"100000"})
  public int vehicles;

  @Param({"1000"})
  public int sharings;

  private VehicleAccess access;
  private Vehicle[] all;
  private Vehicle[] shared;
  private int i;
  private int j;

  @Setup
  public void setup() {
    SharingIndex index = new SharingIndex();
    access = new VehicleAccess(index, Clock.systemUTC());
    Instant t = Instant.now();
    Capabilities caps = Capabilities.of(List.of(), List.of());
    all = new Vehicle[vehicles];
    List<Vehicle> sharedList = new ArrayList<>();
    long now = System.currentTimeMillis();
    int every = Math.max(1, vehicles / sharings);
    for (int n = 0; n < vehicles; n++) {
      String owner = "fleet-" + (n % 50);
      all[n] = new Vehicle(String.format("V%07d", n), n + 1, owner, "U" + n, t, t, t, Map.of(), Map.of(), List.of(),
          "OPERATING", t, caps);
      if (n % every == 0 && sharedList.size() < sharings) {
        Vehicle v = all[n];
        index.update(s -> s.withSharing(new Sharing(v.seq(), v.id(), v.seq(), owner, "partner", now - 1000,
            Sharing.OPEN, true, t)));
        sharedList.add(v);
      }
    }
    java.util.Collections.shuffle(java.util.Arrays.asList(all), new java.util.Random(1));
    java.util.Collections.shuffle(sharedList, new java.util.Random(2));
    shared = sharedList.toArray(Vehicle[]::new);
  }

  private Vehicle nextAny() {
    Vehicle v = all[i];
    i = i + 1 == all.length ? 0 : i + 1;
    return v;
  }

  private Vehicle nextShared() {
    Vehicle v = shared[j];
    j = j + 1 == shared.length ? 0 : j + 1;
    return v;
  }

  /** The owner of any vehicle: one string comparison, no snapshot lookup. */
  @Benchmark
  public VehicleAccess.Access owner() {
    Vehicle v = nextAny();
    return access.of(v.fleetId(), v);
  }

  /** The partner of a shared vehicle: snapshot lookup, fleet checks, time check. */
  @Benchmark
  public VehicleAccess.Access partner() {
    return access.of("partner", nextShared());
  }

  /** Another fleet asking for a shared vehicle: the lookup finds a sharing, not for it. */
  @Benchmark
  public VehicleAccess.Access strangerShared() {
    return access.of("stranger", nextShared());
  }

  /** Another fleet asking for any vehicle (mostly not shared: the lookup misses). */
  @Benchmark
  public VehicleAccess.Access strangerAny() {
    return access.of("stranger", nextAny());
  }
}
