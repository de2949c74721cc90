package io.fleetgate.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetgate.problem.ProblemException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link StrictJson}: every leniency a request body must not get, each a 400 with a pointer and a detail. */
class StrictJsonTest {
  /** {@code {"name": "<bytes>"}}: the bytes go into the string as they are. */
  static byte[] nameWith(String hex) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("{\"name\": \"ok".getBytes(StandardCharsets.UTF_8));
    out.writeBytes(HexFormat.of().parseHex(hex));
    out.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  static ProblemException rejected(byte[] body) {
    return assertThrows(ProblemException.class, () -> StrictJson.parse(body), () -> new String(body, StandardCharsets.ISO_8859_1));
  }

  static ProblemException rejected(String body) {
    return rejected(body.getBytes(StandardCharsets.UTF_8));
  }

  static String pointer(ProblemException e) {
    assertEquals(400, e.status);
    assertEquals("validation-error", e.type);
    return e.errors.getJsonObject(0).getString("pointer");
  }

  @Test
  void invalidUtf8IsRejectedNotReplaced() {
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("truncated two-byte sequence", "c328");
    bad.put("stray continuation byte", "80");
    bad.put("overlong '/'", "c0af");
    bad.put("overlong NUL", "e08080");
    bad.put("encoded surrogate", "eda080");
    bad.put("above U+10FFFF", "f4908080");
    bad.put("invalid start byte", "ff");
    bad.put("truncated at the end", "e282");
    bad.forEach((what, hex) -> {
      ProblemException e = rejected(nameWith(hex));
      assertEquals("", pointer(e), what);
      assertTrue(e.detail().contains("UTF-8"), what + ": " + e.detail());
    });
    assertEquals("ok€😀", ((JsonObject) StrictJson.parse(nameWith("e282acf09f9880"))).getString("name"), "valid multi-byte text");
  }

  @Test
  void unpairedSurrogateEscapesAreRejectedPairsAreText() {
    assertEquals("/name", pointer(rejected("{\"name\": \"\\ud800\"}")));
    assertEquals("/name", pointer(rejected("{\"name\": \"\\udc00x\"}")));
    assertEquals("/a/1", pointer(rejected("{\"a\": [\"x\", \"\\ud83dz\"]}")));
    rejected("{\"\\ud800\": 1}");
    assertEquals("😀", ((JsonObject) StrictJson.parse("{\"n\": \"\\ud83d\\ude00\"}".getBytes(StandardCharsets.UTF_8))).getString("n"));
  }

  @Test
  void nonStandardSyntaxIsRejected() {
    String[] bad = {
        "{/* comment */ \"name\": \"x\"}",
        "{\"name\": \"x\"} // comment",
        "{# yaml comment\n\"name\": \"x\"}",
        "{\"name\": \"x\"} x",
        "{\"name\": \"x\"}{}",
        "{\"name\": \"x\"},",
        "{\"n\": NaN}",
        "{\"n\": Infinity}",
        "{\"n\": -Infinity}",
        "{\"n\": 012}",
        "{\"n\": 1.}",
        "{\"n\": .5}",
        "{\"n\": +1}",
        "{'name': 'x'}",
        "{\"name\": 'x'}",
        "{name: \"x\"}",
        "{\"name\": \"a\u0001b\"}",
        "{\"name\": \"tab\tinside\"}",
        "{\"name\": \"x\",}",
        "{\"a\": [1, 2,]}",
        "{\"name\": \"\\x41\"}",
        "{\"n\": 1e400}",
        "{\"n\": -1e400}",
        "{\"n\": 1" + "0".repeat(StrictJson.MAX_NUMBER_LENGTH) + "}",
        "{\"name\": \"x\"",
        "",
        "   ",
    };
    for (String body : bad) {
      ProblemException e = rejected(body);
      assertEquals(400, e.status, body);
      assertFalse(e.detail().contains("Feature") || e.detail().contains("jackson") || e.detail().contains("StreamRead") || e.detail().contains("Source"), e.detail());
    }
  }

  @Test
  void duplicateNamesAreRejectedAtTheirPointer() {
    assertEquals("/name", pointer(rejected("{\"name\": \"x\", \"name\": \"y\"}")));
    assertEquals("/m/a", pointer(rejected("{\"m\": {\"a\": 1, \"b\": 2, \"a\": 1}}")));
    assertTrue(rejected("{\"name\": \"x\", \"name\": \"x\"}").detail().contains("name"));
    assertEquals(2, ((JsonObject) StrictJson.parse("{\"m\": {\"a\": 1}, \"n\": {\"a\": 1}}".getBytes(StandardCharsets.UTF_8))).size(),
        "one name in two objects is no duplicate");
  }

  @Test
  void nestingIsBounded() {
    String ok = "[".repeat(StrictJson.MAX_DEPTH) + "]".repeat(StrictJson.MAX_DEPTH);
    StrictJson.parse(ok.getBytes(StandardCharsets.UTF_8));
    String deep = "{\"a\": " + "[".repeat(StrictJson.MAX_DEPTH) + "]".repeat(StrictJson.MAX_DEPTH) + "}";
    assertTrue(rejected(deep).detail().contains("nested deeper than " + StrictJson.MAX_DEPTH));
    rejected("[".repeat(100_000));
  }

  @Test
  void validJsonKeepsItsTypesAndOrder() {
    String body = "\ufeff {\"s\": \"x\", \"i\": 7, \"l\": 12345678901, \"d\": 1.5, \"e\": 2e3, \"t\": true, \"f\": false,"
        + " \"z\": null, \"a\": [1, \"b\"], \"o\": {\"k\": \"v\"}, \"esc\": \"\\\"\\n\\u00e9\"} \n";
    JsonObject o = (JsonObject) StrictJson.parse(body.getBytes(StandardCharsets.UTF_8));
    assertEquals(7, o.getValue("i"));
    assertEquals(12345678901L, o.getValue("l"));
    assertEquals(1.5, o.getValue("d"));
    assertEquals(2000.0, o.getValue("e"));
    assertEquals(new JsonArray().add(1).add("b"), o.getJsonArray("a"));
    assertEquals("v", o.getJsonObject("o").getString("k"));
    assertEquals("\"\né", o.getString("esc"));
    assertTrue(o.containsKey("z"));
    assertEquals("[s, i, l, d, e, t, f, z, a, o, esc]", o.fieldNames().toString());
  }
}
