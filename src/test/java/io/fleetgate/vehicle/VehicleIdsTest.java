package io.fleetgate.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VehicleIdsTest {

  @Test
  void fiveCrockfordCharacters() {
    VehicleIds ids = new VehicleIds(new Random(1));
    Set<Character> used = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = ids.next();
      assertEquals(5, id.length());
      assertTrue(VehicleIds.isWellFormed(id), id);
      id.chars().forEach(c -> used.add((char) c));
    }
    assertEquals(32, used.size(), "the whole alphabet is used");
    for (char c : "ILOU".toCharArray()) {
      assertFalse(used.contains(c), "Crockford excludes " + c);
    }
  }

  @Test
  void extremesMapToTheAlphabetEnds() {
    assertEquals("00000", new VehicleIds(fixed(0)).next());
    assertEquals("ZZZZZ", new VehicleIds(fixed((1 << 25) - 1)).next());
    assertEquals("0000Z", new VehicleIds(fixed(31)).next());
    assertEquals("00010", new VehicleIds(fixed(32)).next());
  }

  @Test
  void rarelyCollide() {
    VehicleIds ids = new VehicleIds();
    Set<String> seen = new HashSet<>();
    int collisions = 0;
    for (int i = 0; i < 20_000; i++) {
      if (!seen.add(ids.next())) {
        collisions++;
      }
    }
    assertTrue(collisions < 40, "birthday bound for 20k of 33.5M is about 6: " + collisions);
  }

  @Test
  void wellFormedIsStrict() {
    assertTrue(VehicleIds.isWellFormed("JQ7RP"));
    assertFalse(VehicleIds.isWellFormed("jq7rp"));
    assertFalse(VehicleIds.isWellFormed("JQ7R"));
    assertFalse(VehicleIds.isWellFormed("JQ7RPX"));
    assertFalse(VehicleIds.isWellFormed("JQ7RU"));
    assertFalse(VehicleIds.isWellFormed(null));
  }

  private static Random fixed(int value) {
    return new Random() {
      @Override
      public int nextInt(int bound) {
        return value;
      }
    };
  }
}
