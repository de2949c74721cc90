package io.fleetgate.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The division of the open-file limit between HTTP, the device listeners and the rest. */
class FileDescriptorBudgetTest {

  @Test
  void aLowLimitClampsHttpToAQuarterAndLeavesTheRestToDevices() {
    FileDescriptorBudget b = FileDescriptorBudget.divide(1024, 10_000, 400_000);
    assertEquals(256, b.reserve());
    assertEquals(768 / 4 - HttpConnectionLimits.PROBATION_SLOTS, b.http());
    assertEquals(768 - b.http() - HttpConnectionLimits.PROBATION_SLOTS, b.devices());
    assertTrue(b.describe(10_000, 200_000, 200_000).contains("http.maxConnections 10000 lowered"), b.describe(10_000, 200_000, 200_000));
  }

  @Test
  void aHighLimitKeepsTheConfiguredBoundsAndGivesDevicesWhatHttpDoesNotTake() {
    FileDescriptorBudget b = FileDescriptorBudget.divide(1_048_576, 10_000, 400_000);
    assertEquals(4096, b.reserve());
    assertEquals(10_000, b.http());
    assertEquals(400_000, b.devices());
    assertTrue(!b.describe(10_000, 200_000, 200_000).contains("lowered"));
  }

  @Test
  void anUnknownLimitClampsNothing() {
    FileDescriptorBudget b = FileDescriptorBudget.divide(-1, 10_000, 400_000);
    assertEquals(10_000, b.http());
    assertEquals(400_000, b.devices());
  }
}
