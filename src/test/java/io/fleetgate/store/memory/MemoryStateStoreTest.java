package io.fleetgate.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetgate.TestGateway;
import io.fleetgate.vehicle.HistoryEntry;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Retention in the memory store: the same contract as PostgreSQL's, within its bounded rings. */
class MemoryStateStoreTest {

  @Test
  void purgeDropsEntriesRecordedBeforeTheCutoffAndHistorySkipsThem() {
    MemoryStateStore store = new MemoryStateStore(10);
    for (int i = 0; i < 8; i++) {
      store.record("v1", 1000 + i, List.of(new Reading(Property.IGNITION, 1000 + i, "ON")));
    }
    assertEquals(5L, TestGateway.await(store.purgeHistory(1005)));
    List<HistoryEntry> left = TestGateway.await(store.history("v1", Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 100));
    assertEquals(List.of(1007L, 1006L, 1005L), left.stream().map(HistoryEntry::recordedAtMs).toList());
    assertEquals(0L, TestGateway.await(store.purgeHistory(1005)));
    store.record("v1", 2000, List.of(new Reading(Property.IGNITION, 2000, "OFF")));
    assertEquals(4, TestGateway.await(store.history("v1", Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 100)).size());
  }
}
