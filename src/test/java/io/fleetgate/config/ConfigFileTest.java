package io.fleetgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** config/fleetgate.json is the documented default configuration: it must list every setting at its default. */
class ConfigFileTest {

  @Test
  void shippedConfigFileListsEverySettingAtItsDefault() throws Exception {
    JsonObject file = new JsonObject(Files.readString(Path.of("config/fleetgate.json")));
    assertEquals(Settings.defaults(), file, "config/fleetgate.json differs from Settings: regenerate it");
  }

  @Test
  void readmeDocumentsEverySetting() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    for (Settings.Setting s : Settings.ALL.values()) {
      assertTrue(readme.contains("`" + s.key() + "`") && readme.contains("`" + s.envName() + "`"),
          "README.md does not document " + s.key() + " / " + s.envName());
    }
  }
}
