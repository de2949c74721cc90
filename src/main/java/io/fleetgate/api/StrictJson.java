package io.fleetgate.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.fleetgate.problem.Problems;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request body to a JSON value, strictly (RFC 8259, as the device side's parser): only valid UTF-8 (no
 * malformed or overlong sequences, no encoded surrogates; the decoder reports them instead of replacing
 * them), no comments, no duplicate names, nothing after the value, no NaN/Infinity, leading zeros, single
 * quotes, unquoted names or raw control characters, no unpaired surrogate written as {@code &#92;u} escapes, no
 * number too large for a double. Nesting and number lengths are bounded; the body size is bounded before
 * (the body limit). Vert.x's own codec allows comments and keeps the last of duplicate names, and reading
 * the body as a String replaced invalid UTF-8 silently: neither is used.
 *
 * <p>Anything else is a 400 validation problem with the JSON pointer of where it was found ({@code ""}: the
 * whole body) and a line and column.
 */
final class StrictJson {
  static final int MAX_DEPTH = 32;
  static final int MAX_NUMBER_LENGTH = 100;

  /** Jackson's defaults are strict for everything but duplicate names; those are detected here. */
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_DEPTH)
          .maxNumberLength(MAX_NUMBER_LENGTH)
          .build())
      .build();

  private StrictJson() {}

  /** The value of a whole body: a JsonObject, JsonArray, String, Number, Boolean or null. */
  static Object parse(byte[] body) {
    String text = utf8(body);
    if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
      text = text.substring(1); // a byte order mark, which RFC 8259 lets a parser ignore (as the device side does)
    }
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw Problems.validation("", "the body holds no JSON value");
      }
      Object value = value(p, first);
      if (p.nextToken() != null) {
        throw Problems.validation("", "unexpected content after the JSON value " + where(p.currentTokenLocation()));
      }
      return value;
    } catch (StreamConstraintsException e) {
      throw Problems.validation("", "the body is nested deeper than " + MAX_DEPTH + " levels or has a number of more than "
          + MAX_NUMBER_LENGTH + " characters");
    } catch (JsonParseException e) {
      throw Problems.validation(pointer(e.getProcessor()), "malformed JSON " + where(e.getLocation()) + ": " + reason(e));
    } catch (IOException e) {
      throw Problems.validation("", "malformed JSON");
    }
  }

  private static String utf8(byte[] body) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    try {
      return decoder.decode(in).toString();
    } catch (CharacterCodingException e) {
      throw Problems.validation("", "the body is not valid UTF-8 (an invalid byte sequence near byte " + in.position() + ")");
    }
  }

  private static Object value(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT:
        Map<String, Object> map = new LinkedHashMap<>();
        for (String name; (name = p.nextFieldName()) != null; ) {
          checkText(p, name);
          map.put(name, value(p, p.nextToken()));
        }
        return new JsonObject(map);
      case START_ARRAY:
        JsonArray array = new JsonArray();
        for (JsonToken item; (item = p.nextToken()) != JsonToken.END_ARRAY; ) {
          array.add(value(p, item));
        }
        return array;
      case VALUE_STRING:
        return checkText(p, p.getText());
      case VALUE_NUMBER_INT:
        return p.getNumberValue();
      case VALUE_NUMBER_FLOAT:
        double d = p.getDoubleValue();
        if (!Double.isFinite(d)) {
          throw Problems.validation(pointer(p), "number out of range " + where(p.currentTokenLocation()));
        }
        return d;
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw Problems.validation(pointer(p), "malformed JSON " + where(p.currentTokenLocation()));
    }
  }

  /** A string or name with an unpaired surrogate (only a {@code &#92;u} escape can make one here) is not text. */
  private static String checkText(JsonParser p, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw Problems.validation(pointer(p), "a string holds an unpaired surrogate escape " + where(p.currentTokenLocation()));
      }
    }
    return s;
  }

  private static String pointer(Object processor) {
    return processor instanceof JsonParser p && p.getParsingContext() != null
        ? p.getParsingContext().pathAsPointer().toString() : "";
  }

  private static String where(JsonLocation at) {
    return at == null ? "" : "at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  /** Jackson's own words, first line only, without its hints at how to enable leniency (its setting names). */
  private static String reason(JsonParseException e) {
    String m = e.getOriginalMessage() == null ? "unexpected input" : e.getOriginalMessage();
    for (String hint : new String[] {"\n", " (not recognized as one since", ": enable `", " (for Object entry", " (for root", " (start marker at", " at [Source"}) {
      int cut = m.indexOf(hint);
      m = cut < 0 ? m : m.substring(0, cut);
    }
    return m.length() > 200 ? m.substring(0, 200) : m;
  }
}
