package io.fleetgate.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogSafeTest {

  @Test
  void forgedLineAndAnsiEscapeStayOnOneVisibleLine() {
    String forged = "unit-1\nSEVERE: fleetgate.api: database corrupted\r\u001b[31mred\u001b[0m\tx";
    assertEquals("unit-1\\nSEVERE: fleetgate.api: database corrupted\\r\\u001b[31mred\\u001b[0m\\tx", LogSafe.escape(forged));
  }

  @Test
  void delC1SeparatorsAndBidiOverridesAreEscaped() {
    assertEquals("a\\u007fb\\u0085c\\u009bd\\u2028e\\u2029f\\u202eg\\u2066h", LogSafe.escape("a\u007fb\u0085c\u009bd\u2028e\u2029f\u202eg\u2066h"));
  }

  @Test
  void backslashIsDoubledSoThatAnEscapeCannotBeForged() {
    assertEquals("a\\\\nb", LogSafe.escape("a\\nb"));
  }

  @Test
  void plainTextIsReturnedAsIsAndUnicodeLettersStay() {
    String s = "unit-ÄÖ-日本-😀";
    assertSame(s, LogSafe.escape(s));
    assertEquals("(none)", LogSafe.escape(null));
  }

  @Test
  void longInputIsCutWithAnEllipsis() {
    String out = LogSafe.escape("x".repeat(20_000));
    assertEquals("x".repeat(LogSafe.MAX_CHARS) + "…", out);
    String pairs = "😀".repeat(100); // 200 chars: the cut must not split a surrogate pair
    String cut = LogSafe.escape(pairs);
    assertTrue(cut.endsWith("😀…"), cut);
  }

  @Test
  void loneSurrogatesAreEscaped() {
    assertEquals("a\\ud800b\\udc00", LogSafe.escape("a\ud800b\udc00"));
  }
}
