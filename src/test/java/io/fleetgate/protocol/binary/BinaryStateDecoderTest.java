package io.fleetgate.protocol.binary;

import static io.fleetgate.protocol.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fleetgate.protocol.FrameException;
import io.fleetgate.protocol.FrameException.Reason;
import io.fleetgate.protocol.Plausibility;
import io.fleetgate.vehicle.Position;
import io.fleetgate.vehicle.Property;
import io.fleetgate.vehicle.Reading;
import io.fleetgate.vehicle.StateFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BinaryStateDecoderTest {
  /** 2026-11-21T10:00:00Z, the contract's example capture time. */
  static final long T0 = 1_795_255_200_000L;
  static final long NOW = T0 + 60_000;

  /** The STATE payload of the contract's TCP example, and the whole TCP frame around it. */
  static final String CONTRACT_PAYLOAD = "01 000001A1FD8C6900 00000007 02 080101 060150";
  static final String CONTRACT_TCP_FRAME = "F1EE 02 0014 " + CONTRACT_PAYLOAD + " 4CA1";

  static StateFrame decode(String hex) {
    return Plausibility.check(BinaryStateDecoder.decode(bytes(hex), NOW), NOW);
  }

  static String render(List<Reading> readings) {
    return readings.stream().map(r -> r.property().jsonName + "=" + r.value()).collect(Collectors.joining(" "));
  }

  @Test
  void contractExampleSaysWhatTheContractSays() {
    StateFrame f = decode(CONTRACT_PAYLOAD);
    assertEquals(Instant.parse("2026-11-21T10:00:00Z").toEpochMilli(), f.timestampMs());
    assertEquals(T0, f.timestampMs());
    assertEquals(7, f.seq());
    assertEquals(0, f.unknownSkipped());
    assertEquals(List.of(new Reading(Property.CENTRAL_LOCK, T0, "LOCKED"),
        new Reading(Property.STATE_OF_CHARGE_OR_FUEL_LEVEL_IN_PERCENT, T0, 80.0)), f.readings());
  }

  @Test
  void decodesInPlaceInsideTheTcpFrameWithoutMovingIndices() {
    ByteBuf tcp = Unpooled.wrappedBuffer(bytes(CONTRACT_TCP_FRAME));
    int length = tcp.getUnsignedShort(3);
    StateFrame f = BinaryStateDecoder.decode(tcp, 5, length, NOW);
    assertEquals(decode(CONTRACT_PAYLOAD), f);
    assertEquals(0, tcp.readerIndex());
    byte[] whole = bytes(CONTRACT_TCP_FRAME);
    assertEquals(f, BinaryStateDecoder.decode(whole, 5, length, NOW));
  }

  @Test
  void decodesADirectBufferFromItsReaderIndex() {
    byte[] payload = bytes(CONTRACT_PAYLOAD);
    ByteBuf direct = Unpooled.directBuffer().writeBytes(new byte[] {9, 9, 9}).writeBytes(payload);
    direct.skipBytes(3);
    try {
      assertEquals(decode(CONTRACT_PAYLOAD), BinaryStateDecoder.decode(direct, NOW));
      assertEquals(3, direct.readerIndex());
    } finally {
      direct.release();
    }
  }

  /** One captured payload per line: hex | the readings it must decode to. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      01 000001A1FD8C6900 00000000 00 | ''
      01 000001A1FD8C6900 00000001 01 01081F4DEA80 07FD70D0 | position=Position[lat=52.52, lon=13.405]
      01 000001A1FD8C6900 00000001 01 0108CDD01980 F8D8F200 | position=Position[lat=-84.2, lon=-12.0]
      01 000001A1FD8C6900 00000002 01 0202FFF6 | altitude_in_meters=-10.0
      01 000001A1FD8C6900 00000003 01 0302007B | speed_in_kilometers_per_hour=12.3
      01 000001A1FD8C6900 00000004 01 04020E0F | heading_in_degrees=359.9
      01 000001A1FD8C6900 00000005 01 05040001 8FC5 | mileage_in_kilometers=10234.1
      01 000001A1FD8C6900 00000006 01 060164 | state_of_charge_or_fuel_level_in_percent=100.0
      01 000001A1FD8C6900 00000007 01 0702012C | remaining_range_in_kilometers=300.0
      01 000001A1FD8C6900 00000008 02 080100 080101 | DUPLICATE
      01 000001A1FD8C6900 00000009 02 090101 0A0100 | driving_enabled=true ignition=OFF
      01 000001A1FD8C6900 0000000A 02 0B0105 0C0204D8 | cellular_signal_quality=5.0 board_voltage_in_volts=12.4
      01 000001A1FD8C6900 0000000B 04 0D0100 0E0101 0F0100 100101 | top_case_lock=UNLOCKED top_case_lid=OPEN doors=CLOSED charging_status=CHARGING
      01 000001A1FD8C6900 0000000C 01 110101 | battery_compartment_lock=LOCKED
      """)
  void capturedPayloads(String hex, String expected) {
    if (expected.equals("DUPLICATE")) {
      assertEquals(Reason.DUPLICATE_PROPERTY,
          assertThrows(FrameException.class, () -> BinaryStateDecoder.decode(bytes(hex), NOW)).reason());
      return;
    }
    assertEquals(expected, render(decode(hex).readings()));
  }

  @Test
  void unknownIdsAreSkippedByLengthAndCounted() {
    StateFrame f = decode("01 000001A1FD8C6900 00000007 04 E003AABBCC 080101 FF00 060150");
    assertEquals(2, f.unknownSkipped());
    assertEquals("central_lock=LOCKED state_of_charge_or_fuel_level_in_percent=80.0", render(f.readings()));
  }

  @Test
  void positionScaleIsExact() {
    Position p = (Position) decode("01 000001A1FD8C6900 00000001 01 0108 35A4E900 6B49D200").readings().get(0).value();
    assertEquals(new Position(90.0, 180.0), p);
  }

  /** One bad payload per line: hex | reason. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      ''                                                    | EMPTY
      02 000001A1FD8C6900 00000007 00                       | UNSUPPORTED_VERSION
      00                                                    | UNSUPPORTED_VERSION
      01 000001A1FD8C69                                     | TRUNCATED
      01 000001A1FD8C6900 00000007 01                       | TRUNCATED
      01 000001A1FD8C6900 00000007 01 08                    | TRUNCATED
      01 000001A1FD8C6900 00000007 01 0801                  | TRUNCATED
      01 000001A1FD8C6900 00000007 02 080101                | TRUNCATED
      01 000001A1FD8C6900 00000007 01 E00501020304          | TRUNCATED
      01 000001A1FD8C6900 00000007 01 08020001              | BAD_LENGTH
      01 000001A1FD8C6900 00000007 01 0104 1F4E5B80         | BAD_LENGTH
      01 000001A1FD8C6900 00000007 00 00                    | TRAILING_BYTES
      01 000001A1FD8C6900 00000007 01 080101 060150         | TRAILING_BYTES
      01 000001A1FD8C6900 00000007 01 080102                | OUT_OF_RANGE
      01 000001A1FD8C6900 00000007 01 0901FF                | OUT_OF_RANGE
      01 000001A1FD8C6900 00000007 01 060165                | OUT_OF_RANGE
      01 000001A1FD8C6900 00000007 01 0B0106                | OUT_OF_RANGE
      01 000001A1FD8C6900 00000007 01 04020E10              | OUT_OF_RANGE
      01 000001A1FD8C6900 00000007 01 0108 35A4E901 00000000 | OUT_OF_RANGE
      01 000001A1FD8C6900 00000007 01 0108 00000000 94B62DFF | OUT_OF_RANGE
      01 000001A1FD92D1A0 00000007 00                       | FUTURE_TIMESTAMP
      01 800001A1FD8C6900 00000007 00                       | BAD_TIMESTAMP
      01 000001A1FD8C6900 00000007 02 080101 080101         | DUPLICATE_PROPERTY
      """)
  void rejectsBadPayloadsWhole(String hex, Reason reason) {
    FrameException e = assertThrows(FrameException.class, () -> BinaryStateDecoder.decode(bytes(hex), NOW));
    assertEquals(reason, e.reason(), e.getMessage());
  }

  @Test
  void futureMeansMoreThanFiveMinutesAhead() {
    long edge = NOW + 5 * 60_000;
    StateFrame at = new StateFrame(edge, 1, List.of(), 0);
    assertEquals(at, BinaryStateDecoder.decode(BinaryStateEncoder.encode(at), NOW));
    byte[] after = BinaryStateEncoder.encode(new StateFrame(edge + 1, 1, List.of(), 0));
    assertEquals(Reason.FUTURE_TIMESTAMP,
        assertThrows(FrameException.class, () -> BinaryStateDecoder.decode(after, NOW)).reason());
  }
}
