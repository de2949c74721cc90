package io.fleetgate.protocol.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.FrameException.Reason;
import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The hand-written decoder's own decisions; the contract itself is JsonStateDecoderTest. */
class JsonFrameReaderTest {
  static final long NOW = JsonStateDecoderTest.NOW;

  static StateFrame decode(String json) {
    return JsonStateDecoder.decode(json.getBytes(UTF_8), NOW);
  }

  @Test
  void escapedNamesAndLabelsDecodeAsUnescaped() {
    StateFrame f = decode("{\"\\u0074s\": 1, \"st\\u0061te\": {\"\\u0063entral_lock\": \"\\u004COCKED\","
        + " \"doors\": {\"v\\u0061lue\": \"OPE\\u004e\", \"timest\\u0061mp\": \"1970-01-01T00:00:00.00\\u0032Z\"}}}");
    assertEquals(List.of(new Reading(Property.CENTRAL_LOCK, 1, "LOCKED"), new Reading(Property.DOORS, 2, "OPEN")),
        f.readings());
    assertSame(Property.CENTRAL_LOCK.oneLabel, f.readings().get(0).value());
  }

  @Test
  void whiteSpaceEverywhereJsonAllowsIt() {
    StateFrame f = decode(" \r\n\t{ \"ts\" : 5 ,\n\"state\"\t:\r{ \"position\" : { \"lat\" : -0 , \"lon\" : 1.5e1 } } }\n ");
    assertEquals(List.of(new Reading(Property.POSITION, 5, new Position(0.0, 15.0))), f.readings());
  }

  /** One frame per line: reason | frame. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      MALFORMED_JSON   | {"ts": 1, "state": {"central_lock": "\\uD83D"}}
      MALFORMED_JSON   | {"ts": 1, "state": {"central_lock": "\\uDE00\\uD83D"}}
      MALFORMED_JSON   | {"ts": 1, "state": {"central_lock": "\\x"}}
      MALFORMED_JSON   | {"ts": 1, "state": {"central_lock": "\\u00G0"}}
      UNKNOWN_PROPERTY | {"ts": 1, "state": {"\\uD83D\\uDE00": 1}}
      OUT_OF_RANGE     | {"ts": 1, "state": {"central_lock": "LOCKED\\u0000"}}
      MALFORMED_JSON   | {"ts": 01, "state": {}}
      MALFORMED_JSON   | {"ts": 1., "state": {}}
      MALFORMED_JSON   | {"ts": .1, "state": {}}
      MALFORMED_JSON   | {"ts": +1, "state": {}}
      MALFORMED_JSON   | {"ts": NaN, "state": {}}
      MALFORMED_JSON   | {"ts": -Infinity, "state": {}}
      MALFORMED_JSON   | {"ts": 1, "state": {"altitude_in_meters": 1e}}
      MALFORMED_JSON   | {"ts": 1, "state": {"altitude_in_meters": true1}}
      MALFORMED_JSON   | {"ts": 1, "state": {"doors": "OPEN",}}
      MALFORMED_JSON   | {"ts": 1, /* no comments */ "state": {}}
      BAD_TIMESTAMP    | {"ts": 1e3, "state": {}}
      BAD_TIMESTAMP    | {"ts": 9223372036854775808, "state": {}}
      FUTURE_TIMESTAMP | {"ts": 9223372036854775807, "state": {}}
      OUT_OF_RANGE     | {"ts": 1, "seq": 9223372036854775808, "state": {}}
      WRONG_TYPE       | {"ts": 1, "state": {"altitude_in_meters": [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}}
      """)
  void decisions(Reason reason, String frame) {
    assertEquals(reason, assertThrows(FrameException.class, () -> decode(frame)).reason(), frame);
  }

  @Test
  void invalidUtf8IsMalformedWhereverItIsRead() {
    byte[][] frames = {
        {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'}, // overlong '/' in a name
        {'{', '"', 't', 's', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'}, // encoded surrogate
        {'{', '"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"', ':', '1', '}'}, // above U+10FFFF
        {'{', '"', (byte) 0x80, '"', ':', '1', '}'}, // stray continuation byte
        {'{', '"', (byte) 0xC3, '"', ':', '1', '}'}, // cut short
    };
    for (byte[] f : frames) {
      assertEquals(Reason.MALFORMED_JSON, assertThrows(FrameException.class, () -> JsonStateDecoder.decode(f, NOW)).reason());
    }
    // valid UTF-8 in a name is just an unknown name
    assertEquals(Reason.UNKNOWN_PROPERTY, assertThrows(FrameException.class,
        () -> decode("{\"ts\": 1, \"state\": {\"zündung\": \"ON\"}}")).reason());
  }

  @Test
  void decodesAByteBufInPlaceAndLeavesItsIndicesAlone() {
    byte[] json = "xx{\"ts\": \"1970-01-01T00:00:01Z\", \"state\": {\"ignition\": \"OFF\"}}yy".getBytes(UTF_8);
    StateFrame expected = new StateFrame(1000, StateFrame.NO_SEQ, List.of(new Reading(Property.IGNITION, 1000, "OFF")), 0);
    ByteBuf direct = Unpooled.directBuffer(json.length).writeBytes(json).readerIndex(1);
    ByteBuf heap = Unpooled.wrappedBuffer(new byte[3], json).readerIndex(1);
    try {
      assertEquals(expected, JsonStateDecoder.decode(direct, 2, json.length - 4, NOW));
      assertEquals(expected, JsonStateDecoder.decode(heap, 5, json.length - 4, NOW));
      assertEquals(expected, JsonStateDecoder.decode(heap.slice(5, json.length - 4), 0, json.length - 4, NOW));
      assertEquals(1, direct.readerIndex());
      assertEquals(json.length, direct.writerIndex());
      assertEquals(1, heap.readerIndex());
    } finally {
      direct.release();
    }
  }
}
