package io.fleetgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** db.historyPartitionsAhead (issue 13): its default, and one clear line naming a bad value. */
class HistoryPartitionSettingsTest {

  @Test
  void defaultsToThreeDaysAhead() {
    assertEquals(3, ConfigLoader.of(Map.of()).db().historyPartitionsAhead());
    assertEquals(3, new GatewayConfig.Db(null, 8, 5000, 1000, 100_000, 30).historyPartitionsAhead());
    assertEquals(14, ConfigLoader.of(Map.of("db.historyPartitionsAhead", 14)).db().historyPartitionsAhead());
  }

  @Test
  void badValuesNameTheSetting() {
    assertEquals("db.historyPartitionsAhead (FLEETGATE_DB_HISTORY_PARTITIONS_AHEAD): must be a whole number from 1 to 60, got '0'",
        assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("db.historyPartitionsAhead", 0))).getMessage());
    assertEquals("db.historyPartitionsAhead (FLEETGATE_DB_HISTORY_PARTITIONS_AHEAD): must be a whole number from 1 to 60, got '61'",
        assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("db.historyPartitionsAhead", 61))).getMessage());
  }
}
