package io.fleetgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The batched publishing settings: one message per event by default, and one clear line naming a bad value. */
class AmqpBatchSettingsTest {

  @Test
  void defaultsPublishOneMessagePerEvent() {
    GatewayConfig.Amqp amqp = ConfigLoader.of(Map.of()).amqp();
    assertEquals(1, amqp.batchEvents());
    assertEquals(2, amqp.batchLingerMs());
  }

  @Test
  void badValuesNameTheirSetting() {
    assertEquals("amqp.batchEvents (FLEETGATE_AMQP_BATCH_EVENTS): must be a whole number from 1 to 1000, got '0'",
        assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("amqp.batchEvents", 0))).getMessage());
    assertEquals("amqp.batchEvents (FLEETGATE_AMQP_BATCH_EVENTS): must be a whole number from 1 to 1000, got '1001'",
        assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("amqp.batchEvents", 1001))).getMessage());
    assertEquals("amqp.batchLingerMs (FLEETGATE_AMQP_BATCH_LINGER_MS): must be a whole number from 0 to 1000, got '-1'",
        assertThrows(ConfigException.class, () -> ConfigLoader.of(Map.of("amqp.batchLingerMs", -1))).getMessage());
  }
}
