package io.fleetgate.api;

import io.fleetgate.problem.ProblemException;
import io.fleetgate.problem.Problems;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Strict reading of a JSON request body: every getter checks type and limits and records an error with its
 * JSON pointer instead of throwing, so that one 400 lists every problem; {@link #check()} throws it.
 * Unknown properties are errors ({@link #allowOnly}).
 *
 * <pre>{@code
 * JsonInput in = JsonInput.body(ctx).allowOnly("fleet_id", "name");
 * String id = in.string("fleet_id", 1, 100, true);
 * in.check();
 * }</pre>
 */
public final class JsonInput {
  private final JsonObject json;
  private final String pointer;
  private final List<JsonObject> errors;

  private JsonInput(JsonObject json, String pointer, List<JsonObject> errors) {
    this.json = json;
    this.pointer = pointer;
    this.errors = errors;
  }

  /** The request body as a JSON object; a missing, malformed ({@link StrictJson}) or non-object body is a 400. */
  public static JsonInput body(RoutingContext ctx) {
    Buffer raw = ctx.body() == null ? null : ctx.body().buffer();
    if (raw == null || raw.toString(StandardCharsets.ISO_8859_1).isBlank()) {
      throw Problems.validation("a JSON object body is required");
    }
    Object parsed = StrictJson.parse(raw.getBytes());
    if (!(parsed instanceof JsonObject o)) {
      throw Problems.validation("", "the body must be a JSON object");
    }
    return new JsonInput(o, "", new ArrayList<>());
  }

  /** The body as a JSON object, or an empty one when the request has no body. */
  public static JsonInput optionalBody(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().length() <= 0) { // -1: no body at all
      return of(new JsonObject());
    }
    return body(ctx);
  }

  public static JsonInput of(JsonObject json) {
    return new JsonInput(json, "", new ArrayList<>());
  }

  public JsonObject raw() {
    return json;
  }

  public boolean has(String key) {
    return json.containsKey(key);
  }

  /** Present with the value null (merge patch: clear). */
  public boolean isNull(String key) {
    return json.containsKey(key) && json.getValue(key) == null;
  }

  /** Records an error for every property not in {@code allowed}. */
  public JsonInput allowOnly(String... allowed) {
    Set<String> ok = Set.of(allowed);
    for (String key : json.fieldNames()) {
      if (!ok.contains(key)) {
        error(key, "unknown property");
      }
    }
    return this;
  }

  public String string(String key, int min, int max, boolean required) {
    Object v = value(key, required);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      error(key, "must be a string");
      return null;
    }
    if (s.length() < min || s.length() > max) {
      error(key, min == max ? "must be " + min + " characters" : "must be " + min + " to " + max + " characters");
      return null;
    }
    return s;
  }

  public String matching(String key, Pattern pattern, int max, boolean required, String rule) {
    String s = string(key, 1, max, required);
    if (s != null && !pattern.matcher(s).matches()) {
      error(key, rule);
      return null;
    }
    return s;
  }

  public String oneOf(String key, Collection<String> allowed, boolean required) {
    String s = string(key, 1, 200, required);
    if (s != null && !allowed.contains(s)) {
      error(key, "must be one of " + String.join(", ", allowed));
      return null;
    }
    return s;
  }

  public Integer integer(String key, long min, long max, boolean required) {
    Object v = value(key, required);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      error(key, "must be a whole number");
      return null;
    }
    if (n.doubleValue() < min || n.doubleValue() > max) { // not longValue(): 2^64 + 5 would wrap to 5
      error(key, "must be from " + min + " to " + max);
      return null;
    }
    return n.intValue();
  }

  /** A nested object, read with the same error list; null when absent (or null and not required). */
  public JsonInput object(String key, boolean required) {
    Object v = value(key, required);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o)) {
      error(key, "must be an object");
      return null;
    }
    return new JsonInput(o, pointer + "/" + escape(key), errors);
  }

  public List<String> strings(String key, int maxItems, int maxLength, boolean required) {
    Object v = value(key, required);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonArray a)) {
      error(key, "must be an array of strings");
      return null;
    }
    if (a.size() > maxItems) {
      error(key, "must have at most " + maxItems + " items");
      return null;
    }
    List<String> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      Object item = a.getValue(i);
      if (!(item instanceof String s) || s.isEmpty() || s.length() > maxLength) {
        errorAt(pointer + "/" + escape(key) + "/" + i, "must be a string of 1 to " + maxLength + " characters");
        return null;
      }
      out.add(s);
    }
    return out;
  }

  /** A string → string map, e.g. custom fields; null values are kept (merge patch: remove). */
  public Map<String, String> stringMap(String key, int maxKeys, int maxKeyLength, int maxValueLength, boolean allowNullValues) {
    JsonInput o = object(key, false);
    if (o == null) {
      return null;
    }
    if (o.json.size() > maxKeys) {
      error(key, "must have at most " + maxKeys + " keys");
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : o.json) {
      String k = e.getKey();
      Object v = e.getValue();
      if (k.isEmpty() || k.length() > maxKeyLength) {
        o.error(k, "keys must be 1 to " + maxKeyLength + " characters");
      } else if (v == null && allowNullValues) {
        out.put(k, null);
      } else if (!(v instanceof String s) || s.length() > maxValueLength) {
        o.error(k, "must be a string of at most " + maxValueLength + " characters");
      } else {
        out.put(k, s);
      }
    }
    return out;
  }

  /** Records an error at an item of an array property of this object ({@code /key/index}). */
  public void error(String key, int index, String detail) {
    errorAt(pointer + "/" + escape(key) + "/" + index, detail);
  }

  /** Records an error at a property of this object. */
  public void error(String key, String detail) {
    errorAt(pointer + "/" + escape(key), detail);
  }

  private void errorAt(String at, String detail) {
    if (errors.size() < 50) {
      errors.add(new JsonObject().put("pointer", at).put("detail", detail));
    }
  }

  /** Throws a 400 listing every error recorded so far. */
  public void check() {
    if (!errors.isEmpty()) {
      JsonObject first = errors.get(0);
      String detail = first.getString("pointer") + ": " + first.getString("detail")
          + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "");
      throw new ProblemException(400, "validation-error", "Validation error", detail, new JsonArray(new ArrayList<>(errors)), Map.of());
    }
  }

  private Object value(String key, boolean required) {
    Object v = json.getValue(key);
    if (v == null && required) {
      error(key, json.containsKey(key) ? "must not be null" : "is required");
    }
    return v;
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
